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
from lifeline.domain.alert import PostKind
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


# --- issue #15: every part, sentences, approximate places, zones, distractors ---------------


def alternative(plain: str, markup: str, **kwargs: str) -> bytes:
    msg = message(plain, **kwargs)
    msg.add_alternative(markup, subtype="html")
    return msg.as_bytes()


STUB_HTML = """<html><body><h2>Welfare concern</h2>
<table>
<tr><td>Case reference</td><td>77001234</td></tr>
<tr><td>Display name</td><td>Meena Kumari</td></tr>
<tr><td>Handle</td><td><a href="https://www.instagram.com/meena.k.ald/">@meena.k.ald</a></td></tr>
<tr><td>Mobile (verified)</td><td>+91 94150 11223</td></tr>
<tr><td>What was posted</td><td>bas ab aur nahi, sab ko alvida</td></tr>
<tr><td>Time posted</td><td>4 Dec 2026, 10:15 PM IST</td></tr>
<tr><td>Current city (self-reported)</td><td>Naini, Prayagraj</td></tr>
</table></body></html>"""


def test_a_plain_stub_does_not_hide_the_fields_of_the_html_part() -> None:
    raw = alternative(
        "This message is best viewed in an HTML-capable email client.",
        STUB_HTML,
        sender="alerts@mail.instagram.com",
    )
    alert = parse(raw).alert
    assert alert is not None
    assert alert.reference == "77001234"
    assert alert.subject.name == "Meena Kumari"
    assert alert.subject.handle == "meena.k.ald"
    assert alert.subject.profile_url == "https://www.instagram.com/meena.k.ald/"
    assert alert.subject.phone == "+919415011223"
    assert alert.post.text == "bas ab aur nahi, sab ko alvida"
    assert alert.post.posted_at == datetime(2026, 12, 4, 22, 15, tzinfo=IST)
    assert alert.location.text == "Naini, Prayagraj"


def test_a_plain_part_as_rich_as_the_html_one_is_kept() -> None:
    plain = "Reference: 55120\nName: Ravi Pal\nPost: mujhe maaf karna\nLocation: Orai, Jalaun\n"
    alert = parse(alternative(plain, "<p>Reference: 55120</p><p>Post: (see app)</p>")).alert
    assert alert is not None
    assert alert.post.text == "mujhe maaf karna"
    assert alert.location.text == "Orai, Jalaun"


@pytest.mark.parametrize(
    ("sentence", "post"),
    [
        (
            "Ravi posted a photo with the caption “koi nahi samjhega, bye” on his story.",
            "koi nahi samjhega, bye",
        ),
        ('The user, Ravi Pal (@ravi.pal.orai), said: "aaj aakhri din hai".', "aaj aakhri din hai"),
        (
            "Ravi shared a reel with the caption 'sorry maa, main thak gaya'. Please act.",
            "sorry maa, main thak gaya",
        ),
        ('उपयोगकर्ता ने लिखा: "अब जीने का मन नहीं है"', "अब जीने का मन नहीं है"),
    ],
)
def test_a_post_quoted_inside_a_sentence_is_the_post_text(sentence: str, post: str) -> None:
    body = f"Hello,\n\n{sentence}\n\nThe account is https://www.instagram.com/ravi.pal.orai/.\n"
    alert = parse(message(body, sender="support@instagram.com").as_bytes()).alert
    assert alert is not None
    assert alert.post.text == post


def test_the_kind_comes_from_the_mail_not_from_the_words_of_the_post() -> None:
    body = "Post: log meri photo viral kar denge, ab kya karun\nName: Ankit Rao\n"
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.post.kind is PostKind.TEXT


def test_an_ip_geolocation_is_the_ip_city_and_the_only_approximate_place() -> None:
    body = (
        "Account name: Neha Singh\nPost: ab bas\n"
        "Last IP geolocation: Agra, Uttar Pradesh (IP 103.211.14.87)\n"
    )
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.location.ip_city == "Agra, Uttar Pradesh"
    assert alert.location.approximate == "Agra, Uttar Pradesh"
    assert alert.location.text is None


def test_an_ip_geolocation_in_prose_is_the_ip_city() -> None:
    body = (
        'Neha Singh posted: "ab bas, bahut ho gaya". No address is listed on the account. '
        "The IP address used (103.211.14.87) geolocates to Meerut, Uttar Pradesh. "
        "IP-based locations are approximate.\n"
    )
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.location.ip_city == "Meerut, Uttar Pradesh"
    assert alert.subject.phone is None


def test_an_approximate_location_is_its_own_kind_of_evidence() -> None:
    body = "Name: Yash\nPost: alvida\nApproximate location: near Civil Lines, Bareilly (network)\n"
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.location.approximate == "Civil Lines, Bareilly"
    assert alert.location.text == "Civil Lines, Bareilly"


def test_an_exact_address_is_not_marked_approximate_by_an_ip_city() -> None:
    body = "Name: Yash\nPost: alvida\nAddress: Rajendra Nagar, Bareilly\nIP city: Delhi\n"
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.location.text == "Rajendra Nagar, Bareilly"
    assert alert.location.ip_city == "Delhi"
    assert alert.location.approximate is None


def test_coordinates_written_with_degrees_and_inside_an_address() -> None:
    body = "Name: Asha\nPost: bye\nLocation: Gomti Nagar, Lucknow 226010 — 26.8560° N, 81.0060° E\n"
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert (alert.location.lat, alert.location.lon) == (26.856, 81.006)
    assert alert.location.text == "Gomti Nagar, Lucknow 226010"
    assert alert.location.pin == "226010"


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("Thu Dec 03 18:22:05 +0000 2026", datetime(2026, 12, 3, 18, 22, 5, tzinfo=UTC)),
        ("2026-12-03 06:32:15 GMT+05:30", datetime(2026, 12, 3, 6, 32, 15, tzinfo=IST)),
        ("Dec 3, 2026 at 9:41 PM IST", datetime(2026, 12, 3, 21, 41, tzinfo=IST)),
        ("9:41 PM IST on December 3, 2026", datetime(2026, 12, 3, 21, 41, tzinfo=IST)),
        ("03-Dec-2026 11:52 PM PST", datetime(2026, 12, 4, 7, 52, tzinfo=UTC)),
        ("29-11-2026, 11:58:41 PM (IST)", datetime(2026, 11, 29, 23, 58, 41, tzinfo=IST)),
        ("3 दिसंबर 2026, रात 10:40 बजे (भारतीय समय)", datetime(2026, 12, 3, 22, 40, tzinfo=IST)),
        (
            "02:15 AM India Standard Time on 5 December 2026",
            datetime(2026, 12, 5, 2, 15, tzinfo=IST),
        ),
    ],
)
def test_post_times_in_many_formats_and_zones(written: str, instant: datetime) -> None:
    alert = parse(message(f"Name: Ravi\nPost: bye\nTime posted: {written}\n").as_bytes()).alert
    assert alert is not None
    assert alert.post.posted_at == instant


def test_a_time_given_in_the_label_zone() -> None:
    alert = parse(message("Name: Ravi\nPost: bye\nTime (UTC): 2026-12-01 16:44:02\n").as_bytes())
    assert alert.alert is not None
    assert alert.alert.post.posted_at == datetime(2026, 12, 1, 16, 44, 2, tzinfo=UTC)


def test_the_time_of_a_post_told_in_a_sentence() -> None:
    body = "On Dec 3, 2026 at 11:52 PM IST, Nikhil posted a photo with the caption 'bye sab'.\n"
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.post.posted_at == datetime(2026, 12, 3, 23, 52, tzinfo=IST)


def test_a_forwarded_header_date_is_not_the_post_time() -> None:
    body = (
        "Please see below.\n\n---------- Forwarded message ---------\n"
        "From: Meta <records@support.facebook.com>\nDate: Fri, 4 Dec 2026 at 19:58\n"
        "Subject: Ref 99044\nTo: <cell@uppolice.gov.in>\n\n"
        "Account name: Alok\nContent: sab khatam\nTime posted: 2026-12-04 14:03:27 UTC\n"
    )
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.post.posted_at == datetime(2026, 12, 4, 14, 3, 27, tzinfo=UTC)


def test_platform_and_police_cell_numbers_are_never_the_persons() -> None:
    body = (
        "महोदय,\nकृपया संलग्न सूचना का अवलोकन करें।\n\nसादर,\nप्रभारी साइबर सेल\nमो0 9454402871\n\n"
        "---------- Forwarded message ---------\nFrom: ShareChat <safety@sharechat.co>\n"
        "Subject: Ticket SC-1\n\nUser Name: Pooja\nPost Content: thak gayi hoon\n"
        "User ID: 100089431772650\nLast login IP: 103.211.14.87\n"
        "For any further information please contact our Nodal Officer at "
        "nodal.officer@sharechat.co or +91-80-4718-2600.\n"
        "Police helpline: 112, Cyber cell contact: 0522-2390100\n"
        "This message was sent to cybercell-kanpur@uppolice.gov.in.\n"
        "Mohalla Tech Pvt. Ltd., Bengaluru 560103\n"
    )
    alert = parse(message(body, sender="cybercell@uppolice.gov.in").as_bytes()).alert
    assert alert is not None
    assert alert.subject.phone is None
    assert alert.subject.email is None
    assert alert.location.pin is None
    assert alert.subject.handle is None
    assert alert.extra["platform_user_id"] == "100089431772650"


def test_the_persons_number_is_taken_among_distractors() -> None:
    body = (
        "Account name: Alok\nContent: sab khatam\n"
        "Phone number on account: +91 89602 14573\n"
        "If you need to reach us, call the Law Enforcement emergency line at +1 415 555 0142.\n"
    )
    alert = parse(message(body).as_bytes()).alert
    assert alert is not None
    assert alert.subject.phone == "+918960214573"


@pytest.mark.parametrize(
    ("sender", "text", "platform"),
    [
        ("trustandsafety@kooapp.com", "Koo text: alvida", "koo"),
        ("safety@sharechat.co", "Post: alvida", "sharechat"),
        ("law@snapchat.com", "Text on Snap: alvida", "snapchat"),
        ("x@example.org", "Platform: Josh\nPost: alvida", "josh"),
        ("x@example.org", "प्लेटफ़ॉर्म: मोज\nपोस्ट: अलविदा", "moj"),
        ("no-reply@threads.net", "Post: alvida", "threads"),
    ],
)
def test_more_platforms_are_recognised(sender: str, text: str, platform: str) -> None:
    alert = parse(message(f"Name: Ravi\n{text}\n", sender=sender).as_bytes()).alert
    assert alert is not None
    assert alert.platform == platform


def test_hindi_labels_are_read() -> None:
    body = (
        "टिकट संख्या: SC-SH-2026-1\nउपयोगकर्ता का नाम: महेश कुमार\nयूज़र हैंडल: mahesh_k\n"
        "मोबाइल: 8273 551 094\nपोस्ट: अब किसी से कोई शिकायत नहीं\nस्थान: सिविल लाइंस, बुलंदशहर\n"
    )
    alert = parse(message(body, sender="safety@sharechat.co").as_bytes()).alert
    assert alert is not None
    assert alert.reference == "SC-SH-2026-1"
    assert alert.subject.name == "महेश कुमार"
    assert alert.subject.handle == "mahesh_k"
    assert alert.subject.phone == "+918273551094"
    assert alert.post.text == "अब किसी से कोई शिकायत नहीं"
    assert alert.location.text == "सिविल लाइंस, बुलंदशहर"


def test_a_forwarded_message_attached_as_rfc822_is_read() -> None:
    inner = message(
        "Case number: 00219874531\nUsername: @shivam_t\nPost text: bye duniya\n",
        sender="safety-noreply@x.com",
    )
    outer = message(
        "Forwarding the alert below for action.\n\nसादर,\nसाइबर सेल आगरा\n",
        sender="cybercell-agra@uppolice.gov.in",
    )
    outer.add_attachment(inner)
    alert = parse(outer.as_bytes()).alert
    assert alert is not None
    assert alert.reference == "00219874531"
    assert alert.subject.handle == "shivam_t"
    assert alert.post.text == "bye duniya"
    assert alert.platform == "x"
