"""Console strings for the counsellor's console and the case page's follow-up panel:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "followups": ("Follow-ups", "फ़ॉलो-अप"),
    "followup_intro": (
        "Check-ins overdue and due within a day, most overdue first. Call the person, then "
        "record how it went.",
        "देर से चल रहे और एक दिन में देय फ़ॉलो-अप, सबसे ज़्यादा देर वाले पहले। व्यक्ति को कॉल करें, "
        "फिर दर्ज करें कि बात कैसी रही।",
    ),
    "followup_none": (
        "No check-ins are due.",
        "अभी कोई फ़ॉलो-अप देय नहीं है।",
    ),
    "followup_overdue": ("Overdue", "विलंबित"),
    "followup_due": ("Due", "देय"),
    "followup_scheduled": ("Scheduled", "निर्धारित"),
    "followup_reached": ("Reached", "संपर्क हुआ"),
    "followup_not_reached": ("Not reached", "संपर्क नहीं हुआ"),
    "followup_needs_escalation": ("Needs escalation", "एस्केलेशन ज़रूरी"),
    "followup_cancelled": ("Cancelled", "रद्द"),
    "followup_check_in": ("Check-in", "फ़ॉलो-अप कॉल"),
    "followup_due_at": ("Due", "देय समय"),
    "followup_plan": ("Follow-up plan", "फ़ॉलो-अप योजना"),
    "followup_person": ("Person", "व्यक्ति"),
    "followup_language": ("Language", "भाषा"),
    "followup_referral": ("Referral", "रेफ़रल"),
    "followup_schedule": ("Schedule", "समय-सारिणी"),
    "followup_next_due": ("Next due", "अगला देय"),
    "followup_counsellor": ("Counsellor", "परामर्शदाता"),
    "followup_unassigned": ("not assigned", "नियुक्त नहीं"),
    "followup_outcome": ("After", "परिणाम"),
    "followup_take_help": (
        "Not assigned to anyone. Take this plan to see the person's contact and record the "
        "check-in.",
        "यह योजना किसी को नियुक्त नहीं है। व्यक्ति का संपर्क देखने और फ़ॉलो-अप दर्ज करने के लिए इसे लें।",
    ),
    "followup_take": ("Take this plan", "यह योजना लें"),
    "followup_record": ("Record the check-in", "फ़ॉलो-अप दर्ज करें"),
    "followup_result": ("How did it go?", "बात कैसी रही?"),
    "followup_note": (
        "Note (optional; stored encrypted)",
        "टिप्पणी (वैकल्पिक; एन्क्रिप्ट करके रखी जाती है)",
    ),
    "followup_escalate_help": (
        "Needs escalation ends the plan and reopens the case at the SMC, on the live queue.",
        "एस्केलेशन ज़रूरी चुनने पर योजना समाप्त होती है और केस SMC की लाइव कतार पर फिर खुल जाता है।",
    ),
    "followup_done_reached": ("Recorded: reached", "दर्ज हुआ: संपर्क हुआ"),
    "followup_done_not_reached": ("Recorded: not reached", "दर्ज हुआ: संपर्क नहीं हुआ"),
    "followup_done_escalated": (
        "Recorded: needs escalation. The case is reopened at the SMC.",
        "दर्ज हुआ: एस्केलेशन ज़रूरी। केस SMC पर फिर खोला गया।",
    ),
    "followup_done_taken": ("The plan is yours now.", "यह योजना अब आपकी है।"),
    "followup_refused": ("Not recorded", "दर्ज नहीं हुआ"),
    "followup_typed_note": (
        "Your note, not saved (copy it if you need it):",
        "आपकी टिप्पणी, सहेजी नहीं गई (ज़रूरत हो तो कॉपी कर लें):",
    ),
    "followup_recorded_by": ("recorded by", "दर्ज करने वाले"),
    "followup_status_active": ("Active", "सक्रिय"),
    "followup_status_completed": ("Completed", "पूरी"),
    "followup_status_escalated": ("Escalated: case reopened", "एस्केलेट: केस फिर खुला"),
    "followup_status_cancelled": ("Cancelled", "रद्द"),
    "followup_no_plan": ("No follow-up plan.", "कोई फ़ॉलो-अप योजना नहीं।"),
    "followup_open_desk": ("Open the follow-ups", "फ़ॉलो-अप खोलें"),
    "followup_lang_hi": ("Hindi (Devanagari)", "हिंदी (देवनागरी)"),
    "followup_lang_hi_latn": ("Hindi in Roman letters", "रोमन लिपि में हिंदी"),
    "followup_lang_en": ("English", "अंग्रेज़ी"),
    "followup_lang_unknown": ("not known", "ज्ञात नहीं"),
    "followup_ended": ("Ended", "समाप्त"),
}
