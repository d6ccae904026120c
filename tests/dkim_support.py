"""Real DKIM signatures for tests: RSA keys generated here, messages signed with dkimpy, and
keys published in a local table instead of DNS (dkimpy's `dnsfunc`), so nothing leaves the
machine."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id"]


@dataclass(frozen=True)
class DkimKey:
    private_pem: bytes
    public_pem: str
    #: the base64 `p=` value of the DNS record
    p: str

    def record(self) -> bytes:
        return f"v=DKIM1; k=rsa; p={self.p}".encode()


def new_key(bits: int = 2048) -> DkimKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return DkimKey(private, pem, base64.b64encode(der).decode())


@functools.cache
def partner_key() -> DkimKey:
    """The partner's signing key (made once per test session: RSA generation is slow)."""
    return new_key()


@functools.cache
def other_key() -> DkimKey:
    """Someone else's key (an attacker's, or the partner's old one)."""
    return new_key()


def sign(
    raw: bytes,
    domain: str = "facebook.com",
    key: DkimKey | None = None,
    selector: str = "s1",
    *,
    length: bool = False,
    headers: list[bytes] | None = None,
) -> bytes:
    """The message with a DKIM-Signature by `domain` on top (as the sending MTA adds it)."""
    key = key or partner_key()
    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        key.private_pem,
        include_headers=headers or SIGNED_HEADERS,
        length=length,
    )
    return bytes(signature) + raw


@dataclass
class FakeDns:
    """TXT records by name, and every name asked for (to prove what was looked up)."""

    records: dict[str, bytes] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def publish(self, domain: str, key: DkimKey, selector: str = "s1") -> None:
        self.records[f"{selector}._domainkey.{domain}."] = key.record()

    def __call__(self, name: bytes, timeout: float = 5) -> bytes | None:
        text = name.decode()
        self.asked.append(text)
        return self.records.get(text if text.endswith(".") else text + ".")
