"""Email authenticity: whether a message really comes from the partner it names.

The envelope sender and the From header are whatever the sending machine typed. What proves a
message's origin is a DKIM signature by a domain (`d=`) that aligns with the From header's
domain and with the partner's registered domains, a trusted relay's Authentication-Results
saying the same, or the transport itself (SMTP AUTH with the partner's key). Mail that fails
stays an alert (a forwarder may have broken a genuine signature) but is marked not verified and
is never dispatched without an operator (docs/email-intake.md).

Alignment is DMARC's relaxed mode without a public-suffix list: two domains align when they are
the same or one is a subdomain of the other (so `mail.facebook.com` aligns with `facebook.com`,
but sibling subdomains do not), and a single-label domain (`com`) never aligns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

#: how alerts taken in by people or signed requests are verified (see Alert.__post_init__)
SIGNED_API = "signed-api"
OPERATOR = "operator"


@dataclass(frozen=True)
class SenderVerification:
    """The verdict stored on an alert: `how` says how it was verified, or why it was not."""

    verified: bool
    how: str


@dataclass(frozen=True)
class AuthPass:
    """One proof that a domain sent the message: a DKIM signature that verified (`method`
    "dkim", `domain` its d=) or a trusted relay's result (`method` "relay", `domain` the
    domain it vouched for, `via` the relay's authserv-id)."""

    method: str
    domain: str
    via: str = ""


@dataclass(frozen=True)
class MailEvidence:
    """What checking a message's signatures and trusted headers found (no judgement yet)."""

    #: the From header's domain; None if there is no single usable From header
    from_domain: str | None
    passes: tuple[AuthPass, ...] = ()
    #: why signatures did not verify, e.g. "dkim: body hash mismatch", first signature first
    failures: tuple[str, ...] = ()


def normal_domain(value: str) -> str:
    """A domain or address as compared here: the part after @, lower case, no dots at the
    ends."""
    return value.strip().rpartition("@")[2].strip().strip(".").lower()


def aligned(a: str, b: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other (never a bare
    top-level label)."""
    a, b = normal_domain(a), normal_domain(b)
    if not a or not b or "." not in a or "." not in b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def registered_domains(patterns: Iterable[str]) -> tuple[str, ...]:
    """The domains of allow-list entries (an entry is a domain or an address)."""
    found = {normal_domain(p.lstrip("@")) for p in patterns}
    return tuple(sorted(d for d in found if d))


def judge(evidence: MailEvidence, registered: Iterable[str]) -> SenderVerification:
    """Verified when some proof's domain aligns with the From domain and with one of the
    partner's registered domains; otherwise the most telling reason why not."""
    domains = tuple(registered)
    author = evidence.from_domain
    if author is None:
        return SenderVerification(False, "from: no single From header to check the signature")
    for proof in evidence.passes:
        if aligned(proof.domain, author) and any(aligned(proof.domain, d) for d in domains):
            how = f"relay:{proof.via}" if proof.method == "relay" else f"dkim:{proof.domain}"
            return SenderVerification(True, how)
    for proof in evidence.passes:
        label = "relay" if proof.method == "relay" else "dkim"
        ident = f"d={proof.domain}" if proof.method == "dkim" else f"{proof.via} {proof.domain}"
        if not aligned(proof.domain, author):
            return SenderVerification(False, f"{label}: {ident} does not align with From {author}")
        return SenderVerification(
            False,
            f"{label}: {ident} is not a registered domain of the sender "
            f"({', '.join(domains) or 'none registered'})",
        )
    if evidence.failures:
        return SenderVerification(False, evidence.failures[0])
    return SenderVerification(False, "dkim: no signature")


class _Checked(Protocol):
    sender_verified: bool | None
    sender_verification: str


def case_sender(alerts: Sequence[_Checked]) -> SenderVerification:
    """A case's verdict: verified when any of its alerts is (and how the first one was),
    otherwise why the latest was not. A case with no alerts has nothing to doubt."""
    verified = [a for a in alerts if a.sender_verified]
    if verified:
        return SenderVerification(True, verified[0].sender_verification)
    if not alerts:
        return SenderVerification(True, "")
    return SenderVerification(False, alerts[-1].sender_verification)
