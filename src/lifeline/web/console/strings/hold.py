"""Console strings for a case's legal hold (the case page's *Legal hold* panel and banner):
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "hold_title": ("Legal hold", "क़ानूनी रोक (लीगल होल्ड)"),
    "hold_on": ("On legal hold", "क़ानूनी रोक पर"),
    "hold_by": ("by", "द्वारा"),
    "hold_since": ("since", "से"),
    "hold_none": (
        "Not on legal hold: the retention periods apply once the case ends.",
        "क़ानूनी रोक पर नहीं: केस समाप्त होने के बाद रखने की अवधि लागू होती है।",
    ),
    "hold_help": (
        "A case on legal hold is kept whole (a court order, an inquiry): no purge and no "
        "erasure on request touches it until the hold is lifted.",
        "क़ानूनी रोक वाला केस पूरा रखा जाता है (अदालत का आदेश, जाँच): रोक हटने तक न कोई "
        "सफ़ाई (पर्ज) और न अनुरोध पर मिटाना इसे छूता है।",
    ),
    "hold_reason": (
        "Reason (the order's or inquiry's reference)",
        "कारण (आदेश या जाँच का संदर्भ)",
    ),
    "hold_put": ("Put on legal hold", "क़ानूनी रोक लगाएँ"),
    "hold_lift_reason": ("Why the hold ends", "रोक हटाने का कारण"),
    "hold_lift": ("Lift legal hold", "क़ानूनी रोक हटाएँ"),
    "hold_who": (
        "Supervisors and admins may put or lift a hold.",
        "रोक केवल सुपरवाइज़र और एडमिन लगा या हटा सकते हैं।",
    ),
    # the ?done= notices after each form
    "legal_hold": ("case put on legal hold", "केस पर क़ानूनी रोक लगाई गई"),
    "legal_hold_lifted": ("legal hold lifted", "क़ानूनी रोक हटाई गई"),
}
