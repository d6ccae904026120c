"""AES-GCM field encryption with a key id in every value, and HMAC keyed hashes for lookups.

A value is stored as "v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>", bound by associated
data to the column it lives in, so a value copied into another column fails to decrypt.
Lookups never see plain values: they compare HMAC-SHA256 digests under a separate index key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class KeyringError(Exception):
    """The data key is missing, malformed, or cannot decrypt a stored value."""


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Keyring:
    primary: str
    keys: dict[str, bytes]
    index_key: bytes
    path: Path | None = None
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    # -- construction --------------------------------------------------------------------
    @classmethod
    def from_env_value(cls, value: str, index_key: str | None = None) -> Keyring:
        """`value` is "kid:base64key[,kid:base64key...]" (first is primary) or one base64 key."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in value.split(",") if p.strip()):
            kid, _, b64 = part.rpartition(":")
            raw = _decode_key(b64)
            kid = kid or "env-" + hashlib.sha256(raw).hexdigest()[:8]
            keys[kid] = raw
            order.append(kid)
        if not order:
            raise KeyringError("LIFELINE_DATA_KEY is empty")
        idx = _decode_key(index_key) if index_key else _derive_index_key(keys[order[-1]])
        return cls(order[0], keys, idx)

    @classmethod
    def load_or_create(cls, path: Path) -> tuple[Keyring, bool]:
        """Read the key file, or create one (mode 0600) on first start. Returns (ring, created)."""
        if path.exists():
            try:
                data = json.loads(path.read_text())
                ring = cls(
                    data["primary"],
                    {k: _decode_key(v) for k, v in data["keys"].items()},
                    _decode_key(data["index_key"]),
                    path,
                )
            except (KeyError, ValueError, TypeError) as exc:
                raise KeyringError(f"key file {path} is malformed: {exc}") from exc
            if ring.primary not in ring.keys:
                raise KeyringError(f"key file {path}: primary key {ring.primary!r} is not in it")
            return ring, False
        kid = "k" + secrets.token_hex(4)
        ring = cls(kid, {kid: AESGCM.generate_key(256)}, secrets.token_bytes(32), path)
        ring.save()
        return ring, True

    def save(self) -> None:
        if self.path is None:
            raise KeyringError(
                "keys come from LIFELINE_DATA_KEY; add the new key there (first in the list) "
                "and run `lifeline keys reencrypt`"
            )
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new one: private
        data = {
            "primary": self.primary,
            "keys": {k: _b64e(v) for k, v in self.keys.items()},
            "index_key": _b64e(self.index_key),
        }
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also if a stale .tmp was left with a wider mode
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def add_primary(self) -> str:
        """Generate a new key and make it the one new values are encrypted with."""
        kid = "k" + secrets.token_hex(4)
        self.keys[kid] = AESGCM.generate_key(256)
        self.primary = kid
        return kid

    # -- use -----------------------------------------------------------------------------
    def encrypt(self, plain: str | bytes | None, context: str) -> str | None:
        if plain is None:
            return None
        data = plain.encode() if isinstance(plain, str) else plain
        nonce = secrets.token_bytes(12)
        sealed = self._cipher(self.primary).encrypt(nonce, data, context.encode())
        return f"v1.{self.primary}.{_b64e(nonce + sealed)}"

    def decrypt_bytes(self, token: str | None, context: str) -> bytes | None:
        if token is None:
            return None
        try:
            version, kid, body = token.split(".", 2)
        except ValueError:
            raise KeyringError(f"stored value in {context} is not an encrypted value") from None
        if version != "v1":
            raise KeyringError(f"stored value in {context} has unknown format {version!r}")
        if kid not in self.keys:
            raise KeyringError(f"stored value in {context} needs key {kid!r}, which is not loaded")
        raw = _b64d(body)
        try:
            return self._cipher(kid).decrypt(raw[:12], raw[12:], context.encode())
        except Exception as exc:  # cryptography raises InvalidTag with no message
            raise KeyringError(f"stored value in {context} fails authentication") from exc

    def decrypt(self, token: str | None, context: str) -> str | None:
        raw = self.decrypt_bytes(token, context)
        return None if raw is None else raw.decode()

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1]

    def blind_index(self, value: str) -> str:
        # hmac.digest: the one-shot C path, the same digest as hmac.new(...) at a fraction of
        # the cost (the monitoring stream hashes every post id it sees)
        return hmac.digest(self.index_key, value.encode(), "sha256").hex()

    def _cipher(self, kid: str) -> AESGCM:
        if kid not in self._aead:
            self._aead[kid] = AESGCM(self.keys[kid])
        return self._aead[kid]


def _decode_key(text: str) -> bytes:
    try:
        raw = _b64d(text.strip())
    except ValueError:
        raise KeyringError("a data key must be base64 (32 bytes)") from None
    if len(raw) != 32:
        raise KeyringError(f"a data key must be 32 bytes, this one is {len(raw)}")
    return raw


def _derive_index_key(key: bytes) -> bytes:
    return HKDF(SHA256(), 32, salt=None, info=b"lifeline blind index v1").derive(key)


def generate_env_key() -> str:
    """A fresh key for LIFELINE_DATA_KEY, as "kid:base64"."""
    return f"k{secrets.token_hex(4)}:{_b64e(AESGCM.generate_key(256))}"
