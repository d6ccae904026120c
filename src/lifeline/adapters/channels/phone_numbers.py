"""Phone numbers for SMS acknowledgements: a sender's number in E.164, and the numbers a
contact's channel URLs send to.

phonenumbers (libphonenumber's data) does the parsing: gateways report senders as
`+919811111111`, `919811111111` or `09811111111`, and a registry writes them as it likes; all
compare equal once normalised. A number without a country code is read as Indian.

Which part of a channel URL is the recipient: apprise's SMS and chat plugins put the targets in
the path (`smseagle://TOKEN@10.0.0.5/+9198…`, `twilio://SID:TOKEN@FROM/TO`,
`msg91://TEMPLATE@KEY/TO`, `whatsapp://TOKEN@FROM_ID/TO`) and generic gateways in a payload
field (`form://host/send?:to=+9198…`). The host and user part hold the sender number or a token,
never the recipient, so they are not read. A path segment or query value counts when it starts
with `+` (any scheme), or is a valid number under a scheme known to send SMS or chat messages to
phones (a Telegram chat id or a webhook path of digits is not a phone).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import phonenumbers

DEFAULT_REGION = "IN"
#: apprise schemes whose path targets are phone numbers
PHONE_SCHEMES = frozenset(
    {
        "smseagle",
        "smseagles",
        "twilio",
        "sinch",
        "msg91",
        "kaleyra",
        "plivo",
        "vonage",
        "nexmo",
        "clicksend",
        "d7sms",
        "bulksms",
        "bulkvs",
        "messagebird",
        "msgbird",
        "seven",
        "sms77",
        "smsmgr",
        "burstsms",
        "httpsms",
        "textbelt",
        "whatsapp",
        "signal",
        "signals",
        "africastalking",
    }
)
_SEPARATORS = re.compile(r"[\s().\-/]")
_CANDIDATE = re.compile(r"^\+?[0-9]{8,15}$")


class PhonenumbersE164:
    """Normalises with phonenumbers; Indian numbers may come without +91."""

    def normalise(self, raw: str) -> str | None:
        plain = _SEPARATORS.sub("", raw.strip())
        if not _CANDIDATE.match(plain):
            return None
        tries = [plain] if plain.startswith("+") else [plain, "+" + plain]
        for text in tries:
            try:
                number = phonenumbers.parse(text, DEFAULT_REGION)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return None

    def of_channel(self, url: str) -> tuple[str, ...]:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return ()
        scheme = parts.scheme.lower()
        values = [unquote(s) for s in parts.path.split("/") if s]
        # unquote, not a form decoding: apprise keeps a literal "+" in `?:to=+9198…`
        values += [unquote(pair.partition("=")[2]) for pair in parts.query.split("&")]
        found: list[str] = []
        for value in values:
            for piece in re.split(r"[,;\s]+", value):
                if not piece or not (piece.startswith("+") or scheme in PHONE_SCHEMES):
                    continue
                number = self.normalise(piece)
                if number is not None and number not in found:
                    found.append(number)
        return tuple(found)
