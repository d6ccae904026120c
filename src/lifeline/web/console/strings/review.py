"""Console strings for the review queue of monitoring cases (`/console/monitoring`) and its tab:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "review_nav": ("Review", "समीक्षा"),
    "review_title": ("Review: posts found by monitoring", "समीक्षा: निगरानी में मिली पोस्ट"),
    "review_intro": (
        "Posts the SMC's own monitoring flagged. Nothing here has been sent to the police: a "
        "person decides. Escalate a post to make it a case that can be dispatched, or dismiss "
        "it with a reason. The highest risk is first, then the newest post.",
        "SMC की अपनी निगरानी में चिह्नित पोस्ट। यहाँ से पुलिस को कुछ नहीं भेजा गया है: निर्णय एक "
        "व्यक्ति करता है। पोस्ट को आगे बढ़ाएँ ताकि वह भेजा जा सकने वाला केस बने, या कारण के साथ "
        "ख़ारिज करें। सबसे अधिक जोखिम सबसे ऊपर है, फिर सबसे नई पोस्ट।",
    ),
    "review_none": ("No post is waiting for review.", "समीक्षा के लिए कोई पोस्ट प्रतीक्षा में नहीं है।"),
    "review_more": ("more waiting; decide these first", "और प्रतीक्षा में; पहले इन पर निर्णय लें"),
    "review_case": ("Case", "केस"),
    "review_level": ("Level", "स्तर"),
    "review_band": ("Model score", "मॉडल स्कोर"),
    "review_who": ("Whose risk", "किसका जोखिम"),
    "review_subject_self": ("about the author", "लेखक के बारे में"),
    "review_subject_other": (
        "about someone else: the person at risk is not the author",
        "किसी और के बारे में: जोखिम में व्यक्ति लेखक नहीं है",
    ),
    "review_subject_general": ("about nobody in particular", "किसी विशेष व्यक्ति के बारे में नहीं"),
    "review_subject_unknown": ("not told by the model", "मॉडल ने नहीं बताया"),
    "review_author": ("Author", "लेखक"),
    "review_platform": ("Platform", "प्लेटफ़ॉर्म"),
    "review_place": ("Place given", "दिया गया स्थान"),
    # the running clock replaces "N min ago" with m:ss, so the label carries the "since"
    "review_posted": ("Since posted", "पोस्ट को बीता समय"),
    "review_ago": ("min ago", "मिनट पहले"),
    "review_post": ("The post", "पोस्ट"),
    "review_others": ("The author's other recent posts", "लेखक की अन्य हाल की पोस्ट"),
    "review_no_others": ("No other recent posts.", "कोई अन्य हाल की पोस्ट नहीं।"),
    "review_untrusted": (
        "Written by the author; the highlighted words are what the model read as cues.",
        "लेखक द्वारा लिखा गया; चिह्नित शब्द वे हैं जिन्हें मॉडल ने संकेत माना।",
    ),
    "review_escalate": ("Escalate", "आगे बढ़ाएँ"),
    "review_escalate_help": (
        "Makes this a case that can be dispatched: it joins the live queue at the level chosen.",
        "इसे ऐसा केस बनाता है जिसे भेजा जा सके: यह चुने गए स्तर पर लाइव कतार में जुड़ता है।",
    ),
    "review_escalate_level": ("Level", "स्तर"),
    "review_choose_level": ("choose a level", "स्तर चुनें"),
    "review_escalate_about": ("The person at risk is", "जोखिम में व्यक्ति"),
    "review_about_author": ("the author", "लेखक"),
    "review_about_other": ("someone else (named in the post)", "कोई और (पोस्ट में उल्लिखित)"),
    "review_note": ("Note (optional)", "टिप्पणी (वैकल्पिक)"),
    "review_dismiss": ("Dismiss", "ख़ारिज करें"),
    "review_dismiss_help": (
        "Nobody is at risk that the SMC must act on. The reason also teaches the model.",
        "ऐसा कोई जोखिम नहीं जिस पर SMC को कार्रवाई करनी हो। कारण मॉडल को भी सिखाता है।",
    ),
    "review_reason": ("Reason", "कारण"),
    "review_dismiss_note": ("Note (required for Other)", "टिप्पणी (अन्य के लिए आवश्यक)"),
    "review_reason_not_at_risk": ("Author not at risk", "लेखक जोखिम में नहीं"),
    "review_reason_about_someone_else_safe": (
        "About someone else, who is safe",
        "किसी और के बारे में, जो सुरक्षित है",
    ),
    "review_reason_news_or_awareness": ("News or awareness", "समाचार या जागरूकता"),
    "review_reason_support_or_recovery": (
        "Support for others, or a recovery story",
        "दूसरों को सहारा, या उबरने की कहानी",
    ),
    "review_reason_joke_idiom_or_lyrics": (
        "Joke, idiom, lyrics or a quote",
        "मज़ाक, मुहावरा, गीत या उद्धरण",
    ),
    "review_reason_threat_to_others": (
        "A threat to others, not to self",
        "दूसरों को धमकी, स्वयं को नहीं",
    ),
    "review_reason_spam_or_duplicate": ("Spam or a duplicate", "स्पैम या दोहराव"),
    "review_reason_other": ("Other (say why in the note)", "अन्य (टिप्पणी में कारण लिखें)"),
    "review_done_escalated": (
        "Escalated: the case is on the live queue and can be dispatched.",
        "आगे बढ़ाया गया: केस लाइव कतार में है और भेजा जा सकता है।",
    ),
    "review_done_dismissed": ("Dismissed.", "ख़ारिज किया गया।"),
    "review_open_case": ("Open the case", "केस खोलें"),
    "review_pending_case": (
        "This case was found by monitoring and waits for review: escalate or dismiss it in the "
        "review queue before it can be dispatched.",
        "यह केस निगरानी में मिला है और समीक्षा की प्रतीक्षा में है: भेजने से पहले समीक्षा कतार में "
        "इसे आगे बढ़ाएँ या ख़ारिज करें।",
    ),
}
