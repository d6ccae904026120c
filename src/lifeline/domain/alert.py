"""What arrives: an alert and its parts (the subject, the post, the location hint, a caller,
attachments), as a platform, a caller or the SMC itself sent them. Value objects that check
themselves; a case (domain/model.py) is opened or joined by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from lifeline.domain.email_trust import OPERATOR, SIGNED_API
from lifeline.domain.errors import InvalidAlert


class AlertSource(StrEnum):
    PLATFORM_EMAIL = "platform_email"
    PLATFORM_API = "platform_api"
    PHONE_CALL = "phone_call"
    MONITORING = "monitoring"
    MANUAL = "manual"


class PostKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    LIVE = "live"


_HANDLE_STRIP = re.compile(r"^@+")
_DEFAULT_VERIFICATION = {
    AlertSource.PLATFORM_EMAIL: "not checked",
    AlertSource.PLATFORM_API: SIGNED_API,
    AlertSource.MONITORING: "monitoring",
}


@dataclass
class Subject:
    """The person at risk, as far as the alert identifies them."""

    platform: str = ""
    name: str | None = None
    handle: str | None = None
    profile_url: str | None = None
    phone: str | None = None
    email: str | None = None
    id: int | None = None

    def account_keys(self) -> list[str]:
        """Normalised identifiers of the platform account, for dedupe (hashed before storage)."""
        keys: list[str] = []
        if self.handle:
            handle = _HANDLE_STRIP.sub("", self.handle.strip()).casefold()
            if handle:
                keys.append(f"account:{self.platform.casefold()}:{handle}")
        if self.profile_url:
            keys.append(f"profile:{canonical_url(self.profile_url)}")
        return keys

    def is_empty(self) -> bool:
        return not any((self.name, self.handle, self.profile_url, self.phone, self.email))

    def identity_keys(self) -> list[str]:
        """Every identifier of the person, normalised as the subject repository hashes them
        (account, profile, last ten digits of the phone, e-mail), for finding earlier cases."""
        keys = self.account_keys()
        digits = phone_digits(self.phone)
        if digits:
            keys.append(f"phone:{digits}")
        if self.email and self.email.strip():
            keys.append(f"email:{self.email.strip().casefold()}")
        return keys


def phone_digits(phone: str | None) -> str:
    """The last ten digits of a phone number, as a person is compared and hashed by phone
    (`+91 98765 43210` and `098765-43210` are one number); "" when it has no digits."""
    return "".join(ch for ch in phone or "" if ch.isdigit())[-10:]


def canonical_url(url: str) -> str:
    """Lower-case host without www, path without trailing slash, no query or fragment."""
    parts = urlsplit(url.strip())
    host = parts.netloc.casefold().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/")
    if not host:  # a bare "facebook.com/x" without scheme
        return url.strip().casefold().removeprefix("www.").rstrip("/")
    return f"{host}{path}"


@dataclass
class Post:
    text: str | None = None
    url: str | None = None
    posted_at: datetime | None = None
    kind: PostKind = PostKind.TEXT


@dataclass
class LocationHint:
    """What an alert says about place, before any resolution. `approximate` is a place the
    sender marks as approximate ("last IP geolocation: …", "near …", "last known location"):
    location evidence of its own kind, weighed less than an address."""

    text: str | None = None
    lat: float | None = None
    lon: float | None = None
    pin: str | None = None
    ip_city: str | None = None
    approximate: str | None = None

    def is_empty(self) -> bool:
        return all(
            v is None or v == ""
            for v in (self.text, self.lat, self.lon, self.pin, self.ip_city, self.approximate)
        )


@dataclass
class Caller:
    """For phone-call intake: who called and how to call them back."""

    name: str | None = None
    organisation: str | None = None
    callback_number: str | None = None
    call_received_at: datetime | None = None
    notes: str | None = None


@dataclass
class Attachment:
    """A file that came with an alert (e.g. a screenshot of the post), kept verbatim."""

    filename: str
    content_type: str
    content: bytes
    id: int | None = None


@dataclass
class Alert:
    """One inbound report, with its raw payload kept verbatim beside the extracted fields."""

    source: AlertSource
    received_at: datetime
    raw_payload: bytes
    raw_content_type: str
    platform: str = "other"
    reference: str | None = None
    subject: Subject = field(default_factory=Subject)
    post: Post = field(default_factory=Post)
    location: LocationHint = field(default_factory=LocationHint)
    caller: Caller | None = None
    partner_id: int | None = None
    received_via: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: identifiers of the conversation this alert belongs to (e.g. email Message-ID and the ids
    #: it replies to): a follow-up sharing one joins the same case
    thread_keys: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    #: whether the sender is proven (docs/email-intake.md); None: decided by the source below
    sender_verified: bool | None = None
    #: how it was verified (dkim:facebook.com, smtp-auth:pk_…, signed-api, operator) or why not
    sender_verification: str = ""
    id: int | None = None
    case_id: int | None = None

    def __post_init__(self) -> None:
        self.platform = (self.platform or "other").strip().casefold()
        if self.sender_verified is None:
            # an email is unproven until the intake checked it; everything else arrives by a
            # signed request or through an operator (phone call, manual entry, monitoring)
            self.sender_verified = self.source is not AlertSource.PLATFORM_EMAIL
            self.sender_verification = self.sender_verification or _DEFAULT_VERIFICATION.get(
                self.source, OPERATOR
            )
        if self.reference is not None:
            self.reference = self.reference.strip() or None
        self.subject.platform = self.platform
        if (
            self.subject.is_empty()
            and not self.reference
            and not self.post.text
            and not self.post.url
        ):
            raise InvalidAlert(
                "an alert must identify the person (subject), the platform reference, or the post"
            )

    def merge_keys(self) -> list[str]:
        """Keys under which alerts about the same subject merge into one case."""
        keys = self.subject.account_keys()
        if self.reference:
            keys.append(f"reference:{self.platform}:{self.reference.casefold()}")
        keys.extend(f"thread:{k.strip().casefold()}" for k in self.thread_keys if k.strip())
        return sorted(set(keys))
