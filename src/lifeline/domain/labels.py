"""Labels of the domain's values in English and Hindi, one table each: the console
(web/console/i18n.py), reports (services/reports/figures.py) and the PDF read the same words,
so a person never sees a raw key such as `reached_safe` or `platform_email`. Keyed by the
stored value ("" is the label for none/unknown where one is shown)."""

from __future__ import annotations

#: value -> (English, Hindi)
Labels = dict[str, tuple[str, str]]

LEVELS: Labels = {
    "imminent": ("Imminent", "तत्काल"),
    "intent": ("Intent", "इरादा"),
    "ideation": ("Ideation", "विचार"),
    "distress": ("Distress", "संकट"),
    "discussion": ("Discussion", "चर्चा"),
    "none": ("None", "कोई नहीं"),
    "": ("Not assessed", "आकलन नहीं"),
}

STATUSES: Labels = {
    "received": ("Received", "प्राप्त"),
    "dispatched": ("Dispatched", "भेजा गया"),
    "acknowledged": ("Acknowledged", "पावती मिली"),
    "on_scene": ("On scene", "मौके पर"),
    "resolved": ("Resolved", "सुलझा"),
    "handed_over": ("Handed over", "सौंपा गया"),
    "dismissed": ("Dismissed", "ख़ारिज"),
    "closed": ("Closed", "बंद"),
    "triaged": ("Risk assessed", "जोखिम आकलित"),
    "located": ("Located", "स्थान मिला"),
    # milestones: the decision to dispatch is not a unit told of the case (issue 16)
    "first_delivered": ("Police notified", "पुलिस को सूचना पहुँची"),
}

SOURCES: Labels = {
    "platform_email": ("Platform email", "प्लेटफ़ॉर्म ईमेल"),
    "platform_api": ("Platform API", "प्लेटफ़ॉर्म API"),
    "phone_call": ("Phone call", "फ़ोन कॉल"),
    "monitoring": ("Own monitoring", "स्वयं निगरानी"),
    "manual": ("Entered by hand", "हाथ से दर्ज"),
    "": ("Unknown", "अज्ञात"),
}

OUTCOMES: Labels = {
    "reached_safe": ("Reached, safe", "पहुँचे, सुरक्षित"),
    "attempt_interrupted": ("Attempt interrupted", "प्रयास रोका गया"),
    "hospitalised": ("Hospitalised", "अस्पताल में भर्ती"),
    "counselled_remotely": ("Counselled remotely", "दूर से परामर्श"),
    "deceased": ("Deceased", "मृत्यु"),
    "false_alarm": ("False alarm", "झूठा अलार्म"),
    "not_located": ("Not located", "स्थान नहीं मिला"),
    "handed_over_out_of_state": ("Handed over out of state", "राज्य के बाहर सौंपा"),
    "duplicate": ("Duplicate", "दोहराव"),
}


def label(table: Labels, key: str) -> tuple[str, str]:
    """(English, Hindi) for `key`, or the key itself in both when the table lacks it."""
    return table.get(key, (key, key))
