"""Console strings for the field officer's phone page (on scene, outcome):
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # the phone page behind the acknowledgement link, after the unit acknowledged
    "field_title": ("Case steps", "केस के कदम"),
    "field_step_ack": ("Acknowledged", "पावती दी गई"),
    "field_step_on_scene": ("On scene", "मौके पर"),
    "field_step_outcome": ("Outcome", "परिणाम"),
    "field_on_scene_question": (
        "When your officers reach the person, press this button.",
        "जब आपके अधिकारी व्यक्ति तक पहुँच जाएँ, यह बटन दबाएँ।",
    ),
    "field_on_scene_button": ("We are on scene", "हम मौके पर हैं"),
    "field_on_scene_done": (
        "On scene recorded. The SMC can see it now. Record the outcome below when you know it.",
        "मौके पर पहुँचना दर्ज हुआ। SMC इसे अभी देख सकता है। परिणाम पता चलने पर नीचे दर्ज करें।",
    ),
    "field_outcome_question": ("What was the outcome?", "परिणाम क्या रहा?"),
    "field_waits": ("the SMC will confirm", "SMC पुष्टि करेगा"),
    "field_note": (
        "Short note (needed for not located, false alarm, deceased, handed over)",
        "छोटा नोट (स्थान नहीं मिला, झूठा अलार्म, मृत्यु, सौंपा गया के लिए ज़रूरी)",
    ),
    "field_outcome_button": ("Record the outcome", "परिणाम दर्ज करें"),
    "field_outcome_done": (
        "Outcome recorded. Thank you: the SMC can see it now.",
        "परिणाम दर्ज हुआ। धन्यवाद: SMC इसे अभी देख सकता है।",
    ),
    "field_outcome_pending": (
        "Outcome reported. The SMC will confirm it; until then the case stays open and the "
        "SMC may call you.",
        "परिणाम की सूचना दी गई। SMC इसकी पुष्टि करेगा; तब तक केस खुला रहेगा और SMC आपको फ़ोन कर सकता है।",
    ),
    "field_unacknowledged": (
        "Acknowledge the case first.",
        "पहले केस की पावती दें।",
    ),
    "field_go_ack": ("Acknowledge the case", "केस की पावती दें"),
    "field_already_on_scene": (
        "On scene was already recorded for this case: nothing was changed.",
        "इस केस के लिए मौके पर पहुँचना पहले ही दर्ज है: कुछ नहीं बदला गया।",
    ),
    "field_already_pending": (
        "An outcome from the field already awaits the SMC's confirmation: nothing was changed.",
        "फ़ील्ड से एक परिणाम पहले ही SMC की पुष्टि की प्रतीक्षा में है: कुछ नहीं बदला गया।",
    ),
    "field_already_resolved": (
        "An outcome is already recorded for this case: nothing was changed.",
        "इस केस का परिणाम पहले ही दर्ज है: कुछ नहीं बदला गया।",
    ),
    "field_bad_outcome": (
        "Choose an outcome from the list.",
        "सूची में से एक परिणाम चुनें।",
    ),
    "field_note_needed": (
        "This outcome needs a short note saying why.",
        "इस परिणाम के लिए कारण बताता एक छोटा नोट ज़रूरी है।",
    ),
    "field_note_too_long": (
        "The note is too long: shorten it (your text is kept below).",
        "नोट बहुत लंबा है: इसे छोटा करें (आपका लिखा नीचे रखा है)।",
    ),
    # the case page's panel for outcomes reported from a link
    "field_reports": ("Outcomes reported from the field", "फ़ील्ड से सूचित परिणाम"),
    "field_reports_help": (
        "Reported from a message link, which can be forwarded: call the unit, then confirm. "
        "Escalation continues until you confirm.",
        "संदेश के लिंक से सूचित, जो आगे भेजा जा सकता है: इकाई को फ़ोन करें, फिर पुष्टि करें। "
        "पुष्टि तक एस्केलेशन जारी रहेगा।",
    ),
    "field_reported_by": ("Reported by a contact of", "सूचना देने वाले: संपर्क, इकाई"),
    "field_given_as": ("Name given", "बताया गया नाम"),
    "field_confirm": ("Confirm outcome", "परिणाम की पुष्टि करें"),
    "field_reject": ("Reject", "अस्वीकार करें"),
    "field_reject_reason": ("Why (optional)", "कारण (वैकल्पिक)"),
}
