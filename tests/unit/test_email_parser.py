"""Parsing what platforms and district cells really send."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeline.adapters.intake.email_alert import parse_alert_email
from lifeline.domain.model import PostKind
from lifeline.simulate import FORMATS, Scenario, make_email

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))


def parse(raw: bytes, mail_from: str = ""):  # type: ignore[no-untyped-def]
    return parse_alert_email(raw, received_at=NOW, mail_from=mail_from)


def message(
    body: str,
    *,
    subject: str = "Alert",
    sender: str = "records@support.facebook.com",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "smc@up.example", subject
    msg["Message-ID"] = make_msgid()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


ENGLISH = """Dear Officer,

Platform: Instagram
Reference ID: IG-55512345
Account Name: Pooja Yadav
Username: @pooja.y.2004
Post URL: https://www.instagram.com/p/Cx12345/
Posted at: 06/09/2022 21:41 IST
Content type: Reel
Post Text: ab aur nahi hota... aaj raat
sab khatam kar dungi
Mobile: 98765 43210
Address: House 12, Chinhat, Lucknow
PIN Code: 226028
Latitude: 26.8817
Longitude: 81.0270
IP City: Lucknow
"""


def test_labelled_english_fields_are_all_extracted() -> None:
    alert = parse(message(ENGLISH).as_bytes()).alert
    assert alert is not None
    assert (alert.platform, alert.reference) == ("instagram", "IG-55512345")
    assert alert.subject.name == "Pooja Yadav" and alert.subject.handle == "pooja.y.2004"
    assert alert.subject.phone == "+919876543210"
    assert alert.post.url == "https://www.instagram.com/p/Cx12345/"
    assert alert.post.text == "ab aur nahi hota... aaj raat\nsab khatam kar dungi"
    assert alert.post.posted_at == datetime(2022, 9, 6, 21, 41, tzinfo=IST)
    assert alert.post.kind is PostKind.VIDEO
    loc = alert.location
    assert (loc.text, loc.pin, loc.lat, loc.lon, loc.ip_city) == (
        "House 12, Chinhat, Lucknow",
        "226028",
        26.8817,
        81.027,
        "Lucknow",
    )
    assert alert.extra["extraction"]["missing"] == []


HINDI = """महोदय,

प्लेटफ़ॉर्म: फेसबुक
संदर्भ संख्या: FB-99887766
नाम: राहुल सिंह
प्रोफ़ाइल लिंक: https://www.facebook.com/rahul.singh.77
पोस्ट: आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी
मोबाइल नंबर: 9415012345
पता: गोरखनाथ, गोरखपुर
पिन कोड: 273015
"""


def test_hindi_labels_and_devanagari_content_are_extracted() -> None:
    alert = parse(message(HINDI, subject="=?utf-8?b?4KSF4KSy4KSw4KWN4KSf?=").as_bytes()).alert
    assert alert is not None
    assert alert.platform == "facebook" and alert.reference == "FB-99887766"
    assert alert.subject.name == "राहुल सिंह"
    assert alert.subject.profile_url == "https://www.facebook.com/rahul.singh.77"
    assert alert.post.text == "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
    assert alert.subject.phone == "+919415012345"
    assert alert.location.text == "गोरखनाथ, गोरखपुर" and alert.location.pin == "273015"
    assert alert.extra["email"]["subject"] == "अलर्ट"  # RFC 2047 decoded


def test_an_html_table_is_read_as_labelled_fields() -> None:
    msg = message("see the HTML version")
    msg.clear_content()
    msg.set_content(
        "<html><body><table><tr><th>Platform</th><td>Facebook</td></tr>"
        "<tr><td>Case Number:</td><td>FB-1234567</td></tr>"
        "<tr><td>Name</td><td>Amit&nbsp;Verma</td></tr>"
        "<tr><td>Post</td><td>bye sab log<br>jaa raha hu</td></tr>"
        "<tr><td>Location</td><td>Lanka, Varanasi 221005</td></tr></table>"
        "<script>var x = 'Platform: Twitter';</script></body></html>",
        subtype="html",
    )
    alert = parse(msg.as_bytes()).alert
    assert alert is not None
    assert (alert.platform, alert.reference, alert.subject.name) == (
        "facebook",
        "FB-1234567",
        "Amit Verma",
    )
    assert alert.post.text == "bye sab log jaa raha hu"
    assert alert.location.pin == "221005"


def test_multipart_alternative_prefers_the_plain_part() -> None:
    msg = message(ENGLISH)
    msg.add_alternative("<p>Platform: Facebook</p><p>Reference ID: WRONG-1</p>", subtype="html")
    alert = parse(msg.as_bytes()).alert
    assert alert is not None and alert.reference == "IG-55512345"


def test_attachments_are_kept_with_the_alert() -> None:
    msg = message(ENGLISH)
    msg.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="shot.png")
    alert = parse(msg.as_bytes()).alert
    assert alert is not None
    assert [(a.filename, a.content_type, a.content) for a in alert.attachments] == [
        ("shot.png", "image/png", b"\x89PNG fake")
    ]


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "8bit"])
def test_any_transfer_encoding_gives_the_same_fields(cte: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@facebook.com", "x"
    msg.set_content(HINDI, cte=cte)
    alert = parse(msg.as_bytes()).alert
    assert alert is not None and alert.subject.name == "राहुल सिंह"


def test_a_wrong_charset_is_decoded_anyway_and_reported() -> None:
    raw = (
        "From: a@facebook.com\r\nSubject: x\r\nContent-Type: text/plain; charset=klingon\r\n"
        "\r\n" + HINDI
    ).encode()
    parsed = parse(raw)
    assert parsed.alert is not None and parsed.alert.post.text is not None
    assert "आत्महत्या" in parsed.alert.post.text
    latin = (
        "From: a@facebook.com\r\nSubject: x\r\nContent-Type: text/plain; charset=ascii\r\n"
        "\r\nPost: caf\xe9 t\xe9l\xe9phone\r\n"
    ).encode("latin-1")
    parsed = parse(latin)
    assert parsed.alert is not None
    assert any("not valid in it" in p for p in parsed.alert.extra["extraction"]["problems"])


def test_a_forwarded_message_is_read_through_the_forward() -> None:
    inner = message(ENGLISH)
    outer = message("Please act on the alert below.", sender="cyber.cell@uppolice.example")
    outer.add_attachment(inner)
    alert = parse(outer.as_bytes()).alert
    assert alert is not None and alert.reference == "IG-55512345"
    assert alert.location.pin == "226028"


def test_a_reply_takes_the_new_post_and_joins_the_thread() -> None:
    original = message(ENGLISH)
    quoted = "\n".join("> " + line for line in ENGLISH.splitlines())
    reply = message(
        "Post Text: koi nahi aayega, bas 5 minute aur\n\n" + quoted,
        In_Reply_To=original["Message-ID"],
    )
    alert = parse(reply.as_bytes()).alert
    assert alert is not None
    assert alert.post.text == "koi nahi aayega, bas 5 minute aur"
    assert alert.reference == "IG-55512345"  # from the quoted original
    assert f"email:{original['Message-ID'].strip('<>')}" in alert.thread_keys


def test_an_unknown_format_keeps_the_whole_text_and_says_what_is_missing() -> None:
    body = "Someone called ravi is saying he will jump from the bridge tonight. Please help!"
    parsed = parse(message(body, subject="help").as_bytes(), "ngo@helpline.example")
    assert parsed.alert is not None
    assert parsed.alert.post.text == body
    extraction = parsed.alert.extra["extraction"]
    assert "platform reference" in extraction["missing"] and "location" in extraction["missing"]
    assert any("format not recognised" in p for p in extraction["problems"])


def test_a_message_with_no_text_but_a_screenshot_is_still_an_alert() -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@facebook.com", "Urgent self-harm FB-7654321"
    msg.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="s.png")
    parsed = parse(msg.as_bytes())
    assert parsed.alert is not None and parsed.alert.reference == "FB-7654321"
    assert len(parsed.alert.attachments) == 1


def test_an_empty_message_gives_a_reason_instead_of_an_alert() -> None:
    parsed = parse(b"From: a@b.example\r\n\r\n")
    assert parsed.alert is None and parsed.reason is not None
    assert "nothing could be extracted" in parsed.reason


def test_header_injection_stays_on_one_line() -> None:
    raw = (
        b"From: a@facebook.com\r\nSubject: =?utf-8?q?hi=0D=0ABcc=3A_x=40evil.example?=\r\n\r\n"
        b"Post: help"
    )
    alert = parse(raw).alert
    assert alert is not None and "\n" not in alert.extra["email"]["subject"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_simulated_format_yields_the_person_and_post(fmt: str) -> None:
    scenario = Scenario(seed=FORMATS.index(fmt))
    person, _, _ = scenario.next()
    alert = parse(make_email(person, fmt, NOW)).alert
    assert alert is not None
    assert alert.platform == person.platform
    assert alert.post.text is not None and person.post in alert.post.text
    if fmt != "free_text":
        assert alert.reference == person.reference
        assert alert.subject.name == person.name
        assert alert.location.pin == person.place[1]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    parsed = parse(raw)
    assert parsed.alert is not None or parsed.reason


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ENGLISH.splitlines()
            + HINDI.splitlines()
            + [
                "--",
                "Content-Type: multipart/mixed; boundary=x",
                "--x",
                "=?utf-8?q?broken",
                "\x00\xff",
                "Subject: =?bad?b?!!!?=",
                ">> quoted: value",
                ":",
                "a:b:c",
            ]
        ),
        max_size=40,
    ),
    st.randoms(),
)
def test_shuffled_and_broken_emails_never_crash(lines: list[str], rnd: random.Random) -> None:
    rnd.shuffle(lines)
    raw = ("From: x@facebook.com\r\n" + "\r\n".join(lines)).encode("utf-8", "surrogatepass")
    parse(raw)
