"""Console strings for reports, clocks and the district report:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # a dispatch none of whose messages reached anyone is never shown as notified (issue 16)
    "ds_nobody_reached": ("Nobody reached", "किसी से संपर्क नहीं हुआ"),
    "ds_sending": ("Sending, nobody reached yet", "भेजा जा रहा है, अभी किसी तक नहीं पहुँचा"),
    "reports_title": ("Reports", "रिपोर्ट"),
    "reports_hint": (
        "Cases opened in the period (IST days, both ends included), drills left out. "
        "'Police notified' is the first message delivered to a unit, not the decision to send.",
        "अवधि में खोले गए मामले (IST दिन, दोनों सिरे शामिल), अभ्यास (ड्रिल) शामिल नहीं। "
        "'पुलिस को सूचना' का अर्थ है किसी इकाई को पहला संदेश पहुँचना, भेजने का निर्णय नहीं।",
    ),
    "reports_from": ("From", "से"),
    "reports_to": ("To", "तक"),
    "reports_district": ("District (optional)", "ज़िला (वैकल्पिक)"),
    "reports_show": ("Show the report", "रिपोर्ट दिखाएँ"),
    "reports_all": ("All districts", "सभी ज़िले"),
    "reports_pdf": ("Download PDF", "PDF डाउनलोड करें"),
    "reports_csv": ("Download CSV", "CSV डाउनलोड करें"),
    "reports_value": ("Value", "मान"),
    "reports_ref": ("Ref.", "संदर्भ"),
}
