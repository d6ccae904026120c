"""Console strings for the case page and queue details of the desk:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "desk_order": (
        "Order: cases with an overdue clock first, then the highest risk level, then the oldest "
        "alert; the model's score only decides between cases of the same level.",
        "क्रम: पहले वे केस जिनकी कोई समय-सीमा निकल चुकी है, फिर सबसे ऊँचा जोखिम स्तर, फिर सबसे "
        "पुराना अलर्ट; मॉडल का स्कोर केवल एक ही स्तर के केसों में क्रम तय करता है।",
    ),
    "desk_overdue": ("Overdue", "समय-सीमा पार"),
    "desk_by": ("by", "इतने से:"),
    "desk_clock_dispatch": ("Not dispatched", "भेजा नहीं गया"),
    "desk_clock_unreached": ("Nobody reached", "किसी तक नहीं पहुँचा"),
    "desk_clock_ack": ("Not acknowledged", "पावती नहीं मिली"),
    "desk_clock_on_scene": ("Not on scene", "मौके पर नहीं पहुँचे"),
    "desk_band": ("Model", "मॉडल"),
    "desk_band_high": ("high", "ऊँचा"),
    "desk_band_medium": ("medium", "मध्यम"),
    "desk_band_low": ("low", "कम"),
}
