"""Held mail decoded for a person to read (`adapters/intake/readable.py`): every encoding and
charset, headers' encoded-words, HTML as text, and nothing the sender wrote can reorder the text
or drive a terminal; a broken message is still shown, with what could not be read."""

from __future__ import annotations

from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.adapters.intake.readable import MAX_BODY, read_held


def test_quoted_printable_hindi_and_an_encoded_word_subject_are_readable() -> None:
    raw = (
        b"From: =?utf-8?b?4KSw4KS14KS/?= <a@b.example>\r\n"
        b"Subject: =?utf-8?q?=E0=A4=A4=E0=A4=A4=E0=A5=8D=E0=A4=95=E0=A4=BE=E0=A4=B2?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"=E0=A4=86=E0=A4=9C =E0=A4=B9=E0=A5=80\r\n"
    )
    mail = read_held(raw)
    assert mail.subject == "तत्काल" and mail.from_header == "रवि <a@b.example>"
    assert mail.body.strip() == "आज ही" and mail.problems == ()


def test_a_latin_1_part_and_a_base64_html_part_are_text_and_the_html_source_is_kept() -> None:
    plain = EmailMessage()
    plain["Subject"] = "Café"
    plain.set_content("Café crème", charset="iso-8859-1", cte="quoted-printable")
    assert read_held(plain.as_bytes()).body.strip() == "Café crème"
    msg = EmailMessage()
    msg.set_content("<p>Name: Ravi</p><script>steal()</script><img src=x onerror=alert(1)>",
                    subtype="html", cte="base64")  # fmt: skip
    mail = read_held(msg.as_bytes())
    # the text is what a release would take in: the page shows the markup only as text
    assert mail.body.strip() == "Name: Ravi"
    assert "<script>steal()</script>" in mail.html_source


def test_direction_overrides_and_terminal_escapes_are_removed_but_hindi_joiners_stay() -> None:
    msg = EmailMessage()
    msg["Subject"] = "pay\u202egnp.exe"
    msg.set_content("क्\u200dष \x1b[2Jcleared\u2066x\u2069")
    mail = read_held(msg.as_bytes())
    assert mail.subject == "paygnp.exe"
    assert mail.body.strip() == "क्\u200dष [2Jclearedx"
    assert any("direction-changing" in p for p in mail.problems)


def test_attachments_are_listed_not_opened_and_long_text_is_cut_and_said() -> None:
    msg = EmailMessage()
    msg.set_content("x" * (MAX_BODY + 10))
    msg.add_attachment(b"\x89PNG...", maintype="image", subtype="png", filename="shot.png")
    mail = read_held(msg.as_bytes())
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("shot.png", "image/png", 7)
    ]
    assert len(mail.body) == MAX_BODY and any("cut at" in p for p in mail.problems)


def test_claimed_authentication_results_are_kept_as_claims() -> None:
    raw = (
        b"Authentication-Results: mx.evil; dkim=pass header.d=facebook.com\r\n"
        b"Received-SPF: pass (evil: facebook.com)\r\nSubject: hi\r\n\r\nbody\r\n"
    )
    assert read_held(raw).claimed_checks == (
        "Authentication-Results: mx.evil; dkim=pass header.d=facebook.com",
        "Received-SPF: pass (evil: facebook.com)",
    )


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_no_bytes_make_the_reader_raise_or_return_unsafe_text(raw: bytes) -> None:
    mail = read_held(b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + raw)
    for text in (mail.subject, mail.body, mail.from_header, mail.html_source):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
