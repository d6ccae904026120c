"""Realistic platform alerts for demos, tests and load: Hindi, Hinglish and English posts, the
email formats platforms and district cells send (labelled lines in English or Hindi, HTML
tables, screenshots attached, forwarded, replies with a new post, quoted-printable and base64
bodies, free text), locations across Uttar Pradesh and a few outside it, and follow-ups.

Every person, handle and phone number here is invented."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from typing import Any

PLACES = [
    # (address text, PIN, lat, lon, ip city)
    ("Madeyganj, Lucknow", "226020", 26.8806, 80.9137, "Lucknow"),
    ("Chinhat, Lucknow", "226028", 26.8817, 81.0270, "Lucknow"),
    ("मड़ियांव, लखनऊ", "226021", 26.9170, 80.9350, "Lucknow"),
    ("Lanka, Varanasi", "221005", 25.2820, 82.9990, "Varanasi"),
    ("सिविल लाइंस, प्रयागराज", "211001", 25.4540, 81.8340, "Prayagraj"),
    ("Kalyanpur, Kanpur", "208017", 26.5070, 80.2460, "Kanpur"),
    ("Sector 62, Noida", "201309", 28.6270, 77.3650, "Noida"),
    ("Vijay Nagar, Ghaziabad", "201009", 28.6540, 77.4300, "Ghaziabad"),
    ("Tajganj, Agra", "282001", 27.1620, 78.0430, "Agra"),
    ("गोरखनाथ, गोरखपुर", "273015", 26.7750, 83.3620, "Gorakhpur"),
    ("Civil Lines, Bareilly", "243001", 28.3590, 79.4210, "Bareilly"),
    ("Shastri Nagar, Meerut", "250004", 28.9950, 77.6820, "Meerut"),
    ("Rath, Hamirpur", "210431", 25.5920, 79.5690, "Jhansi"),
    ("Kota, Rajasthan", "324005", 25.1380, 75.8470, "Kota"),
    ("Boring Road, Patna, Bihar", "800001", 25.6130, 85.1200, "Patna"),
    ("Laxmi Nagar, Delhi", "110092", 28.6310, 77.2770, "Delhi"),
]
POSTS = [
    "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
    "अब और नहीं सहा जाता, आज रात सब खत्म कर दूंगा",
    "माफ करना मम्मी पापा, मैं आप लोगों के लायक नहीं था",
    "ab jeene ka mann nahi karta yaar, sab khatam kar dunga aaj",
    "neet mein phir fail ho gaya... papa ko kya muh dikhaunga. pankhe se latak jaunga",
    "loan app wale roz call karte hain, ghar walon ko gaaliyan. ab bas, zeher kha lunga",
    "bye everyone. thank you for everything. going to the railway track tonight",
    "I can't do this anymore. Going live one last time. Sorry mom",
    "nobody will miss me. i have the pills ready",
    "sab log khush raho, main ja raha hu hamesha ke liye 🙏",
]
FOLLOW_UPS = [
    "Update: the user posted again 10 minutes ago: 'koi nahi aayega, bas 5 minute aur'",
    "नया पोस्ट: 'पुल पर खड़ा हूं, अलविदा'",
    "User has started a live video now. Caption: 'last video'",
]
NAMES = [
    "Ravi Kumar",
    "Pooja Yadav",
    "Amit Verma",
    "राहुल सिंह",
    "Neha Gupta",
    "Sandeep Maurya",
    "अंजलि मिश्रा",
    "Mohd. Arif",
    "Priya Chauhan",
    "Vikas Pal",
    "Kavita Nishad",
    "Rohit Jatav",
]
PLATFORMS = ["facebook", "instagram", "facebook", "instagram", "x", "youtube"]
HOSTS = {
    "facebook": "facebook.com",
    "instagram": "instagram.com",
    "x": "x.com",
    "youtube": "youtube.com",
}
SENDERS = {
    "facebook": "records@support.facebook.com",
    "instagram": "alerts@support.instagram.com",
    "x": "safety@x.com",
    "youtube": "escalations@youtube.com",
}
FORMATS = [
    "plain_en",
    "plain_hi",
    "html_table",
    "screenshot",
    "forwarded",
    "quoted_printable",
    "base64",
    "free_text",
]
#: the smallest valid PNG (1x1): stands in for a screenshot of the post
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Person:
    name: str
    handle: str
    platform: str
    phone: str
    place: tuple[str, str, float, float, str]
    reference: str
    post: str
    kind: str = "text"
    message_id: str = field(default_factory=lambda: make_msgid(domain="alerts.example"))

    @property
    def profile_url(self) -> str:
        return f"https://www.{HOSTS[self.platform]}/{self.handle}"

    @property
    def post_url(self) -> str:
        path = {"x": "status", "youtube": "watch?v="}.get(self.platform, "posts")
        return f"{self.profile_url}/{path}/{zlib.crc32(self.reference.encode())}"


def make_person(rng: random.Random) -> Person:
    platform = rng.choice(PLATFORMS)
    name = rng.choice(NAMES)
    handle = f"{rng.choice(['user', 'its', 'the', 'real'])}.{rng.randrange(10**6, 10**7)}"
    prefix = {"facebook": "FB", "instagram": "IG", "x": "X", "youtube": "YT"}[platform]
    return Person(
        name=name,
        handle=handle,
        platform=platform,
        phone=f"+91 9{rng.randrange(10**8, 10**9)}",
        place=rng.choice(PLACES),
        reference=f"{prefix}-{rng.randrange(10**7, 10**8)}",
        post=rng.choice(POSTS),
        kind=rng.choice(["text", "text", "image", "video", "live"]),
    )


def _lines(p: Person, hindi: bool, posted: datetime) -> str:
    address, pin, lat, lon, ip_city = p.place
    if hindi:
        return (
            f"प्लेटफ़ॉर्म: {p.platform}\nसंदर्भ संख्या: {p.reference}\nनाम: {p.name}\n"
            f"प्रोफ़ाइल लिंक: {p.profile_url}\nपोस्ट लिंक: {p.post_url}\n"
            f"पोस्ट का समय: {posted:%d-%m-%Y %H:%M} IST\nपोस्ट: {p.post}\n"
            f"मोबाइल नंबर: {p.phone}\nपता: {address}\nपिन कोड: {pin}\nआईपी शहर: {ip_city}\n"
        )
    return (
        f"Platform: {p.platform.title()}\nReference ID: {p.reference}\nAccount Name: {p.name}\n"
        f"Profile URL: {p.profile_url}\nPost URL: {p.post_url}\n"
        f"Post Time: {posted:%Y-%m-%d %H:%M:%S} UTC\nContent Type: {p.kind}\n"
        f"Post Text: {p.post}\nPhone: {p.phone}\nLast known location: {address}\n"
        f"PIN: {pin}\nCoordinates: {lat}, {lon}\nIP City: {ip_city}\n"
    )


def make_email(
    p: Person,
    fmt: str,
    now: datetime,
    *,
    follow_up_of: Person | None = None,
    sender: str | None = None,
) -> bytes:
    posted = now - timedelta(minutes=7)
    msg = EmailMessage()
    msg["From"] = sender or SENDERS[p.platform]
    msg["To"] = "smc-alerts@uppolice.example"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = p.message_id
    msg["Subject"] = f"Urgent: risk of self-harm – {p.platform.title()} Ref: {p.reference}"
    if follow_up_of is not None:
        msg["In-Reply-To"] = follow_up_of.message_id
        msg["References"] = follow_up_of.message_id
        msg.replace_header("Subject", "Re: " + str(msg["Subject"]))
    body = _lines(p, fmt == "plain_hi", posted)
    intro = "Dear Officer,\n\nWe are reporting content that may indicate a risk of self-harm.\n\n"
    if fmt in ("plain_en", "plain_hi", "screenshot"):
        msg.set_content(intro + body + "\nRegards,\nLaw Enforcement Response Team\n")
    elif fmt == "quoted_printable":
        msg.set_content(intro + body, cte="quoted-printable")
    elif fmt == "base64":
        msg.set_content(intro + body, cte="base64")
    elif fmt == "html_table":
        rows = "".join(
            f"<tr><td><b>{k}</b></td><td>{v}</td></tr>"
            for k, _, v in (line.partition(": ") for line in body.splitlines())
        )
        msg.set_content(intro + body)
        msg.add_alternative(
            f"<html><body><p>Dear Officer,</p><table>{rows}</table></body></html>", subtype="html"
        )
    elif fmt == "forwarded":
        inner = EmailMessage()
        inner["From"], inner["Subject"] = SENDERS[p.platform], f"Ref: {p.reference}"
        inner.set_content(intro + body)
        msg.replace_header("From", sender or "cyber-cell.lucknow@uppolice.example")
        msg.set_content("Forwarding the platform alert below for urgent action.\n")
        msg.add_attachment(inner)
    else:  # free_text: what an operator types after a phone call, no labels at all
        msg.set_content(
            f"{p.name} ({p.profile_url}) posted '{p.post}' on {p.platform}. "
            f"Seems to be near {p.place[0]}. Number {p.phone}. Please act fast."
        )
    if fmt == "screenshot":
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
    return msg.as_bytes(policy=SMTP_POLICY)  # CRLF line ends, as on the wire


def make_api_alert(p: Person, now: datetime) -> dict[str, Any]:
    address, pin, lat, lon, ip_city = p.place
    return {
        "platform": p.platform,
        "reference": p.reference,
        "received_via": "platform_api",
        "subject": {
            "name": p.name,
            "handle": p.handle,
            "profile_url": p.profile_url,
            "phone": p.phone.replace(" ", ""),
        },
        "post": {
            "text": p.post,
            "url": p.post_url,
            "kind": p.kind,
            "posted_at": (now - timedelta(minutes=7)).isoformat(),
        },
        "location": {"text": address, "lat": lat, "lon": lon, "pin": pin, "ip_city": ip_city},
    }


@dataclass
class Scenario:
    """A stream of alerts: new people and follow-ups about earlier ones."""

    seed: int = 7
    follow_up_share: float = 0.2
    rng: random.Random = field(init=False)
    people: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def next(self) -> tuple[Person, Person | None, str]:
        """(person, the earlier alert it follows up, email format)."""
        if self.people and self.rng.random() < self.follow_up_share:
            earlier = self.rng.choice(self.people)
            update = Person(
                earlier.name,
                earlier.handle,
                earlier.platform,
                earlier.phone,
                earlier.place,
                earlier.reference,
                self.rng.choice(FOLLOW_UPS),
                "live",
            )
            return update, earlier, "plain_en"
        person = make_person(self.rng)
        self.people.append(person)
        return person, None, self.rng.choice(FORMATS)


def utcnow() -> datetime:
    return datetime.now(UTC)
