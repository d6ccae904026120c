"""Console strings for the alarm banner, alarm kinds and their acknowledgement, the queue order:
key -> (English, Hindi). Alarm kinds are `attention_kind_<kind>`, formatted with `minutes`,
`seconds`, `units` and `unit` (web/console/attention_pages.py: alarm_text)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "attention_cases": ("{n} cases need attention", "{n} केसों पर ध्यान दें"),
    "attention_case": ("1 case needs attention", "1 केस पर ध्यान दें"),
    "attention_quiet": (
        "{n} acknowledged, still open",
        "{n} देखी गई चेतावनियाँ, अभी खुली हैं",
    ),
    "attention_more": ("{n} more", "{n} और"),
    "attention_since": ("since", "से"),
    "attention_units": ("units", "इकाइयाँ"),
    "attention_acknowledge": ("Acknowledge alarm", "चेतावनी स्वीकार करें"),
    "attention_acknowledged_by": (
        "acknowledged by {who} at {at}",
        "{who} ने {at} पर स्वीकार की",
    ),
    "attention_sound_on": ("Sound on", "आवाज़ चालू"),
    "attention_sound_off": ("Sound off", "आवाज़ बंद"),
    "attention_kind_desk_unattended": (
        "Nobody at the desk opened this imminent case in {seconds} s: shift in-charge paged",
        "{seconds} सेकंड में डेस्क पर किसी ने यह तत्काल केस नहीं खोला: शिफ्ट प्रभारी को सूचना भेजी",
    ),
    "attention_kind_not_dispatched": (
        "Not sent to any unit {minutes} min after the alert",
        "अलर्ट के {minutes} मिनट बाद भी किसी इकाई को नहीं भेजा गया",
    ),
    "attention_kind_nobody_reached": (
        "No unit reached {minutes} min after dispatch",
        "भेजने के {minutes} मिनट बाद भी किसी इकाई तक संदेश नहीं पहुँचा",
    ),
    "attention_kind_delivery_failed": (
        "{unit}: every message failed on every channel",
        "{unit}: हर माध्यम पर हर संदेश विफल",
    ),
    "attention_kind_no_contact": (
        "{unit}: no contact to notify",
        "{unit}: सूचित करने के लिए कोई संपर्क नहीं",
    ),
    "attention_kind_exhausted": (
        "{unit} did not acknowledge after every escalation step",
        "हर एस्केलेशन चरण के बाद भी {unit} ने पावती नहीं दी",
    ),
    "attention_kind_delivery_failed_many": (
        "{units} units: every message failed",
        "{units} इकाइयाँ: हर संदेश विफल",
    ),
    "attention_kind_no_contact_many": (
        "{units} units: no contact to notify",
        "{units} इकाइयाँ: सूचित करने के लिए कोई संपर्क नहीं",
    ),
    "attention_kind_exhausted_many": (
        "{units} units did not acknowledge",
        "{units} इकाइयों ने पावती नहीं दी",
    ),
    "attention_kind_followup_overdue": (
        "Follow-up check-in not recorded, {minutes} min late",
        "फ़ॉलो-अप जाँच दर्ज नहीं हुई, {minutes} मिनट देर",
    ),
    "attention_kind_other": ("SMC alarm: {reason}", "SMC चेतावनी: {reason}"),
}
