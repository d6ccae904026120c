"""Console strings for the case page and queue details of the desk:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "desk_dispatch_again": ("Dispatch again to…", "फिर से भेजें…"),
    "desk_dispatch_again_help": (
        "Already dispatched: the units above are being notified. Send to more or other units "
        "only if they must act too.",
        "पहले ही भेजा गया: ऊपर की इकाइयों को सूचना जा रही है। और या दूसरी इकाइयों को तभी भेजें "
        "जब उन्हें भी कार्रवाई करनी हो।",
    ),
    "desk_choose_units": (
        "Or these registry units instead (hold Ctrl to pick several)",
        "या इनकी जगह रजिस्ट्री की ये इकाइयाँ (कई चुनने के लिए Ctrl दबाए रखें)",
    ),
    "desk_status_actions": ("Field steps", "मौके की कार्रवाई"),
    "desk_order": (
        "Order: cases with an overdue clock first, then the highest risk level, then the oldest "
        "alert; the model's score only decides between cases of the same level.",
        "क्रम: पहले वे केस जिनकी कोई समय-सीमा निकल चुकी है, फिर सबसे ऊँचा जोखिम स्तर, फिर सबसे "
        "पुराना अलर्ट; मॉडल का स्कोर केवल एक ही स्तर के केसों में क्रम तय करता है।",
    ),
    "desk_overdue": ("Overdue", "समय-सीमा पार"),
    "desk_by": ("by", "इतने से:"),
    "desk_sec": ("s", "सेकंड"),
    "desk_clock_dispatch": ("Not dispatched", "भेजा नहीं गया"),
    "desk_clock_unreached": ("Nobody reached", "किसी तक नहीं पहुँचा"),
    "desk_clock_ack": ("Not acknowledged", "पावती नहीं मिली"),
    "desk_clock_on_scene": ("Not on scene", "मौके पर नहीं पहुँचे"),
    "desk_band": ("Model", "मॉडल"),
}

#: routing's rule names and reasons as the dispatch panel shows them: (pattern of the English
#: text, Hindi with the pattern's groups); a registry's own rule names are shown as written
RULE_TEXT: tuple[tuple[str, str], ...] = (
    (r"located in the home state", "गृह राज्य में स्थान मिला"),
    (r"another state", "दूसरा राज्य"),
    (r"location unknown: trace", "स्थान अज्ञात: ट्रेस"),
    (r"chosen by the operator", "ऑपरेटर द्वारा चुनी गई"),
    (r"units chosen by a person", "इकाइयाँ किसी व्यक्ति ने चुनीं"),
    (
        r"a (\S+) case waits for an operator's confirmation",
        r"\1 केस ऑपरेटर की पुष्टि की प्रतीक्षा करता है",
    ),
    (
        r"sender not verified \((.*)\): waits for an operator's confirmation",
        r"प्रेषक सत्यापित नहीं (\1): ऑपरेटर की पुष्टि की प्रतीक्षा",
    ),
    (r"risk level (\S+) is below ideation", r"जोखिम स्तर \1 आत्मघाती विचार से नीचे है"),
    (r"risk level not yet assessed is below ideation", "जोखिम स्तर अभी आकलित नहीं"),
    (
        r"platform alert, risk at or above ideation, confident location",
        "प्लेटफ़ॉर्म अलर्ट, जोखिम आत्मघाती विचार या ऊपर, स्थान पक्का",
    ),
    (
        r"platform alert, risk at or above ideation, location unknown: STF trace",
        "प्लेटफ़ॉर्म अलर्ट, जोखिम आत्मघाती विचार या ऊपर, स्थान अज्ञात: STF ट्रेस",
    ),
    (r"location not yet resolved", "स्थान अभी तय नहीं"),
    (r"the location needs an operator's review", "स्थान की ऑपरेटर द्वारा जाँच ज़रूरी"),
    (
        r"the person was already reached in case #(\d+): an operator decides",
        r"व्यक्ति तक केस #\1 में पहले ही पहुँचा जा चुका है: ऑपरेटर तय करेगा",
    ),
    (
        r"no routing rule matches this case: choose the units",
        "इस केस पर कोई रूटिंग नियम लागू नहीं: इकाइयाँ चुनें",
    ),
    (r"rule '(.*)': no unit for '(.*)' here", r"नियम '\1': यहाँ '\2' के लिए कोई इकाई नहीं"),
    (r"unit '(.*)' is not in the registry in force", r"इकाई '\1' लागू रजिस्ट्री में नहीं है"),
    (
        r"(.*) \((\S+)\) and the units above it have no contacts",
        r"\1 (\2) और उसके ऊपर की इकाइयों के कोई संपर्क नहीं हैं",
    ),
)
