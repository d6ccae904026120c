"""Console strings for the quarantine page and its badge:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "quarantine_nav": ("Held mail", "रोकी गई मेल"),
    "quarantine_title": ("Held mail (quarantine)", "रोकी गई मेल (क्वारंटीन)"),
    "quarantine_intro": (
        "Mail that was not taken in as an alert: the sender is not a registered partner, or "
        "no alert could be read from it. It may still be a real alert. The one waiting longest "
        "is first.",
        "वह मेल जो अलर्ट के रूप में नहीं ली गई: भेजने वाला पंजीकृत साझेदार नहीं है, या उससे कोई "
        "अलर्ट पढ़ा नहीं जा सका। यह फिर भी असली अलर्ट हो सकती है। सबसे देर से प्रतीक्षा कर रही मेल "
        "सबसे ऊपर है।",
    ),
    "quarantine_none": ("No mail is waiting for review.", "समीक्षा के लिए कोई मेल प्रतीक्षा में नहीं है।"),
    "quarantine_untrusted": (
        "Everything below was written by the sender and is not verified.",
        "नीचे सब कुछ भेजने वाले ने लिखा है और सत्यापित नहीं है।",
    ),
    "quarantine_message": ("Held message", "रोकी गई मेल"),
    "quarantine_subject": ("Subject", "विषय"),
    "quarantine_no_subject": ("(no subject)", "(कोई विषय नहीं)"),
    "quarantine_from": ("From (header)", "प्रेषक (हेडर)"),
    "quarantine_envelope": ("Envelope sender", "लिफ़ाफ़ा प्रेषक"),
    "quarantine_to": ("To", "प्राप्तकर्ता"),
    "quarantine_date": ("Date (header)", "तारीख़ (हेडर)"),
    "quarantine_received": ("Received", "प्राप्त"),
    "quarantine_channel": ("Arrived by", "माध्यम"),
    "quarantine_waited": ("Waiting for", "प्रतीक्षा में"),
    "quarantine_minutes": ("min", "मिनट"),
    "quarantine_why": ("Why it was held", "क्यों रोकी गई"),
    "quarantine_why_not_allowed": (
        "The sender is not on the allow-list: no partner registered this address or domain, "
        "so nothing proves who sent it (no SPF, DKIM or DMARC check was trusted).",
        "प्रेषक अनुमति-सूची में नहीं है: किसी साझेदार ने यह पता या डोमेन पंजीकृत नहीं किया, इसलिए "
        "यह प्रमाणित नहीं कि इसे किसने भेजा (कोई SPF, DKIM या DMARC जाँच मान्य नहीं हुई)।",
    ),
    "quarantine_why_unreadable": (
        "No alert could be read from it (the system's words follow).",
        "इससे कोई अलर्ट पढ़ा नहीं जा सका (सिस्टम का संदेश आगे है)।",
    ),
    "quarantine_claims": (
        "What the message's own headers claim (not checked by Lifeline)",
        "मेल के अपने हेडर क्या दावा करते हैं (लाइफ़लाइन ने जाँचा नहीं)",
    ),
    "quarantine_body": ("Text", "पाठ"),
    "quarantine_no_text": ("(no readable text)", "(कोई पढ़ने योग्य पाठ नहीं)"),
    "quarantine_html_source": (
        "HTML source, shown as text (never run)",
        "HTML स्रोत, पाठ के रूप में (कभी चलाया नहीं जाता)",
    ),
    "quarantine_attachments": ("Attachments (not opened)", "संलग्नक (खोले नहीं गए)"),
    "quarantine_problems": ("Could not be read", "पढ़ा नहीं जा सका"),
    "quarantine_bytes": ("bytes", "बाइट"),
    "quarantine_reason": ("Reason", "कारण"),
    "quarantine_release": ("Release as an alert", "अलर्ट के रूप में लें"),
    "quarantine_release_help": (
        "Releasing makes this an alert that the operator vouches for: it can send police. "
        "Release only if you are sure it is genuine (for example, you called the platform). "
        "Say how you know.",
        "लेने पर यह ऑपरेटर द्वारा प्रमाणित अलर्ट बन जाती है: इससे पुलिस भेजी जा सकती है। केवल तभी "
        "लें जब आपको यक़ीन हो कि यह असली है (जैसे, आपने प्लेटफ़ॉर्म को फ़ोन किया)। बताएँ कि आप कैसे "
        "जानते हैं।",
    ),
    "quarantine_discard": ("Discard", "ख़ारिज करें"),
    "quarantine_discard_help": (
        "Not an alert (spam, test, duplicate). It is kept, marked reviewed. Say why.",
        "अलर्ट नहीं है (स्पैम, परीक्षण, दोहराव)। यह रखी जाती है, समीक्षित चिह्नित। कारण बताएँ।",
    ),
    "quarantine_released": ("Released: it is now an alert on case", "ली गई: अब यह इस केस पर अलर्ट है"),
    "quarantine_discarded": ("Discarded, with your reason recorded.", "ख़ारिज, आपका कारण दर्ज।"),
    "quarantine_read_only": (
        "Your role may read held mail but not release or discard it.",
        "आपकी भूमिका रोकी गई मेल पढ़ सकती है, पर ले या ख़ारिज नहीं कर सकती।",
    ),
    "quarantine_badge_label": ("held mail waiting", "रोकी गई मेल प्रतीक्षा में"),
    "quarantine_alarm_waiting": ("held mail waiting", "रोकी गई मेल प्रतीक्षा में"),
}
