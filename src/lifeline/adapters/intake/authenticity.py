"""Checking who really sent a message: DKIM signatures (dkimpy) with keys pinned per partner or
looked up in DNS (dnspython), and a trusted relay's Authentication-Results (authres).

This finds evidence only; `domain/email_trust.judge` decides whether it proves the partner.

- Every DKIM-Signature is tried (at most `MAX_SIGNATURES`). A key pinned for the signature's
  domain and selector is used instead of DNS; DNS is asked only when `use_dns` is on.
  Signatures that leave the From header unsigned, or carry `l=` (a body length limit, which
  lets anyone append text to a signed message), do not count.
- Authentication-Results are believed only on SMTP, only when the client's address is in a
  configured relay's network, and only the topmost such header, only if it carries that
  relay's authserv-id (the relay adds its own on top; it must remove forged ones bearing its
  id, as RFC 8601 §5 asks, for the case where it added none). `dkim=pass` vouches for
  `header.d`, `dmarc=pass` for `header.from`.
- IMAP has no client address to tie a header to, so there only DKIM counts.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import getaddresses

import authres
import authres.dmarc
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.dnsplug import get_txt

from lifeline.domain.email_trust import AuthPass, MailEvidence, normal_domain
from lifeline.services.intake.ports import PinnedKeys

MAX_SIGNATURES = 5
#: (name, timeout=) -> the TXT record, as dkimpy's `dnsfunc`
TxtLookup = Callable[..., bytes | None]
_AR_FEATURES = authres.FeatureContext(authres.dmarc)
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedRelay:
    network: IpNetwork
    authserv_id: str


def parse_trusted_relays(value: str) -> tuple[TrustedRelay, ...]:
    """`CIDR=authserv-id` entries, comma-separated (LIFELINE_SMTP_TRUSTED_RELAYS); raises
    ValueError naming the entry that is wrong."""
    relays: list[TrustedRelay] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        cidr, sep, ident = entry.partition("=")
        if not sep or not ident.strip():
            raise ValueError(f"trusted relay {entry!r} must look like CIDR=authserv-id")
        try:
            network = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise ValueError(f"trusted relay {entry!r}: {cidr.strip()!r} is not a CIDR") from None
        relays.append(TrustedRelay(network, ident.strip().lower()))
    return tuple(relays)


def dkim_public_key(text: str) -> str:
    """A pinned key as stored: `k=rsa; p=<base64>`, from a PEM public key, a DNS TXT record
    (`v=DKIM1; k=rsa; p=...`) or the bare `p=` value. Raises ValueError if it is not an RSA
    public key of at least 1024 bits."""
    text = text.strip()
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as exc:
            raise ValueError(f"not a PEM public key: {exc}") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("only RSA DKIM keys are supported")
        der = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        value = base64.b64encode(der).decode()
    else:
        tags = dict(
            (k.strip().lower(), v.strip())
            for k, sep, v in (t.partition("=") for t in text.replace('"', "").split(";"))
            if sep
        )
        if tags.get("k", "rsa").lower() != "rsa":
            raise ValueError("only RSA DKIM keys are supported")
        value = "".join((tags.get("p", "") if tags else text).split())
    try:
        der = base64.b64decode(value, validate=True)
        key = serialization.load_der_public_key(der)
    except (binascii.Error, ValueError):
        raise ValueError("not a DKIM public key (PEM, or the base64 p= value)") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 1024:
        raise ValueError("the DKIM key must be an RSA public key of at least 1024 bits")
    return f"k=rsa; p={value}"


def _author(raw: bytes) -> str | None:
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        headers = message.get_all("From") or []
        found = getaddresses([str(h) for h in headers])
    except Exception:  # a header the parser cannot read: no author to check
        return None
    if len(headers) != 1 or len(found) != 1 or "@" not in found[0][1]:
        return None
    return found[0][1].strip().lower()


def _peer_ip(peer: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address((peer or "").strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class DkimAuthenticator:
    """The `MailAuthenticator` of services/intake/mail.py."""

    def __init__(
        self,
        relays: tuple[TrustedRelay, ...] = (),
        *,
        use_dns: bool = True,
        dns: TxtLookup | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.relays, self.use_dns, self.timeout = relays, use_dns, timeout
        self.dns: TxtLookup = dns or get_txt

    def author(self, raw: bytes) -> str | None:
        return _author(raw)

    def verify(
        self, raw: bytes, *, peer: str | None, channel: str, pinned: PinnedKeys
    ) -> MailEvidence:
        author = _author(raw)
        passes, failures = self._dkim(raw, pinned)
        if channel == "smtp":
            passes += self._relay(raw, peer)
        return MailEvidence(normal_domain(author) if author else None, tuple(passes), failures)

    # -- DKIM ------------------------------------------------------------------------------
    def _dkim(self, raw: bytes, pinned: PinnedKeys) -> tuple[list[AuthPass], tuple[str, ...]]:
        passes: list[AuthPass] = []
        failures: list[str] = []
        try:
            checker = dkim.DKIM(raw, minkey=1024, timeout=self.timeout)
        except Exception as exc:  # dkimpy cannot split the message: no signature counts
            return [], (f"dkim: message not readable ({type(exc).__name__})",)
        count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
        for idx in range(min(count, MAX_SIGNATURES)):
            found, why = self._one(checker, idx, pinned)
            if found is not None:
                passes.append(found)
            elif why:
                failures.append(why)
        return passes, tuple(failures)

    def _one(self, checker: dkim.DKIM, idx: int, pinned: PinnedKeys) -> tuple[AuthPass | None, str]:
        looked: dict[str, str] = {}

        def lookup(name: bytes, timeout: float = 5) -> bytes | None:
            label = name.decode("ascii", "replace").rstrip(".").lower()
            selector, _, domain = label.partition("._domainkey.")
            looked["where"] = f"{selector} of {domain}"
            key = pinned(domain, selector)
            if key is not None:
                looked["source"] = "pinned"
                return key.encode()
            if not self.use_dns:
                looked["source"] = "none"
                return None
            looked["source"] = "dns"
            record = self.dns(name, timeout=timeout)
            if not record:
                looked["source"] = "nothing"
            return record

        try:
            ok = checker.verify(idx=idx, dnsfunc=lookup)
        except dkim.ValidationError as exc:
            text = str(exc)
            if "body hash mismatch" in text:
                return None, "dkim: body hash mismatch"
            return None, f"dkim: invalid signature ({text[:120]})"
        except dkim.DnsTimeoutError:
            return None, "dkim: key look-up timed out"
        except dkim.DKIMException as exc:
            return None, f"dkim: {type(exc).__name__} ({str(exc)[:120]})"
        except Exception as exc:  # hostile input dkimpy did not foresee: a failed signature,
            # never an error (an error would answer 451 and the sender would retry for ever)
            return None, f"dkim: signature could not be checked ({type(exc).__name__})"
        domain = (getattr(checker, "domain", b"") or b"").decode("ascii", "replace").lower()
        fields = getattr(checker, "signature_fields", {}) or {}
        if not ok:
            if looked.get("source") == "none":
                return None, f"dkim: no pinned key for selector {looked.get('where')} (DNS off)"
            if looked.get("source") == "nothing":
                return None, f"dkim: no key published for selector {looked.get('where')}"
            return None, f"dkim: signature by d={domain} does not verify"
        if b"from" not in (checker.include_headers or ()):
            return None, f"dkim: d={domain} did not sign the From header"
        if b"l" in fields:
            return None, f"dkim: d={domain} signed only part of the body (l=)"
        return AuthPass("dkim", domain), ""

    # -- a trusted relay's Authentication-Results -----------------------------------------
    def _relay(self, raw: bytes, peer: str | None) -> list[AuthPass]:
        ip = _peer_ip(peer)
        relay = next((r for r in self.relays if ip is not None and ip in r.network), None)
        if relay is None:
            return []
        try:
            message = email.message_from_bytes(raw, policy=email.policy.compat32)
            headers = [str(h) for h in message.get_all("Authentication-Results") or []]
        except Exception:  # unreadable headers: nothing to believe
            return []
        if not headers:
            return []
        try:
            parsed = _AR_FEATURES.parse_value(" ".join(headers[0].split()))
        except Exception:  # not one the relay wrote (it writes parseable ones)
            return []
        if (parsed.authserv_id or "") != relay.authserv_id:
            return []
        passes: list[AuthPass] = []
        for result in parsed.results:
            if str(result.result).lower() != "pass":
                continue
            method = str(result.method).lower()
            vouched = getattr(result, "header_d", None) if method == "dkim" else None
            if method == "dmarc":
                vouched = getattr(result, "header_from", None)
            if vouched:
                passes.append(AuthPass("relay", normal_domain(str(vouched)), relay.authserv_id))
        return passes
