"""Console strings for the platform's flag and the model's reading:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "floor_platform": ("Platform", "प्लेटफ़ॉर्म"),
    "floor_flag_label": ("imminent-risk escalation", "तत्काल जोखिम की सूचना"),
    "floor_no_flag": (
        "no platform escalation (found by the SMC)",
        "प्लेटफ़ॉर्म की कोई सूचना नहीं (SMC ने खोजा)",
    ),
    "floor_counts_as": ("counts as at least", "कम से कम माना गया"),
    "floor_model": ("Model", "मॉडल"),
    "floor_not_read_yet": ("not read yet", "अभी पढ़ा नहीं गया"),
    "floor_score_band": ("score", "स्कोर"),
    "floor_could_not_read": (
        "the model could not read this post",
        "मॉडल यह पोस्ट नहीं पढ़ सका",
    ),
    "floor_basis_platform_floor": (
        "Level from the platform's flag (the model read the post lower, or could not read "
        "it). An operator may confirm or lower it.",
        "स्तर प्लेटफ़ॉर्म की सूचना से (मॉडल ने पोस्ट को कम आँका, या पढ़ नहीं सका)। ऑपरेटर "
        "इसकी पुष्टि कर सकते हैं या इसे घटा सकते हैं।",
    ),
    "floor_basis_operator": ("Level set by an operator", "स्तर ऑपरेटर ने तय किया"),
    "floor_basis_model": ("Level from the model's reading", "स्तर मॉडल के आकलन से"),
    "floor_disagree": (
        "The platform and the model disagree",
        "प्लेटफ़ॉर्म और मॉडल का आकलन अलग है",
    ),
    "floor_choose_level": ("— choose a level —", "— स्तर चुनें —"),
    "floor_choose_hint": (
        "The level shown comes from the platform's flag, not from the post's words: choose "
        "the level you judge (your choice also teaches the model).",
        "दिखाया गया स्तर प्लेटफ़ॉर्म की सूचना से है, पोस्ट के शब्दों से नहीं: जो स्तर आप उचित "
        "समझें वह चुनें (आपका चुनाव मॉडल को भी सिखाता है)।",
    ),
    "floor_dashboard_title": (
        "Platform flag and model reading",
        "प्लेटफ़ॉर्म की सूचना और मॉडल का आकलन",
    ),
    "floor_dashboard_help": (
        "Cases a platform escalated that the model read below intent, or could not read: each "
        "counted as at least intent. An operator's level on such a post teaches the model.",
        "वे मामले जिन्हें प्लेटफ़ॉर्म ने भेजा पर मॉडल ने इरादे से कम आँका या पढ़ नहीं सका: हर "
        "एक को कम से कम इरादा माना गया। ऐसी पोस्ट पर ऑपरेटर का स्तर मॉडल को सिखाता है।",
    ),
    "floor_band_low": ("low", "कम"),
    "floor_band_moderate": ("moderate", "मध्यम"),
    "floor_band_elevated": ("elevated", "बढ़ा हुआ"),
    "floor_band_high": ("high", "ऊँचा"),
    "floor_reason_video": ("video", "वीडियो"),
    "floor_reason_live_video": ("live video", "लाइव वीडियो"),
    "floor_reason_image": ("image", "तस्वीर"),
    "floor_reason_audio": ("audio", "ऑडियो"),
    "floor_reason_media": ("media", "मीडिया"),
    "floor_reason_link_only": ("only a link", "केवल लिंक"),
    "floor_reason_emoji_only": ("only emoji", "केवल इमोजी"),
    "floor_reason_no_words": ("no words", "कोई शब्द नहीं"),
    "floor_reason_empty": ("no text", "कोई पाठ नहीं"),
}
