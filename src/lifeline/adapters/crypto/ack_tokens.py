"""Signed acknowledgement links: the token names one notification and when it was issued,
signed with a key derived from the lookup key (itsdangerous), so a link cannot be forged or
pointed at another message, and stops working after `LIFELINE_ACK_LINK_HOURS`."""

from __future__ import annotations

import time
from collections.abc import Callable

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from lifeline.domain.dispatch import AckTokenError


def ack_secret(index_key: bytes) -> bytes:
    return HKDF(SHA256(), 32, salt=None, info=b"lifeline ack links v1").derive(index_key)


class SignedAckTokens:
    """`now` gives the time in Unix seconds (the application's clock, so tests can age a
    link)."""

    def __init__(self, secret: bytes, now: Callable[[], float] = time.time) -> None:
        class ClockSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(now())

        self.serializer = URLSafeTimedSerializer(secret, salt="lifeline-ack", signer=ClockSigner)

    def issue(self, notification_id: int) -> str:
        return str(self.serializer.dumps(notification_id))

    def read(self, token: str, max_age_seconds: int) -> int:
        try:
            value = self.serializer.loads(token, max_age=max_age_seconds)
        except SignatureExpired:
            raise AckTokenError(
                "this acknowledgement link has expired; acknowledge in the console or by phone",
                expired=True,
            ) from None
        except BadSignature:
            raise AckTokenError(
                "this acknowledgement link is not valid (damaged or forged)"
            ) from None
        if not isinstance(value, int):
            raise AckTokenError("this acknowledgement link is not valid (damaged or forged)")
        return value
