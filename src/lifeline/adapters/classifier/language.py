"""Which of Lifeline's three registers a post is in: `hi` (Devanagari Hindi), `hi-Latn`
(romanised Hindi / Hinglish) or `en`.

Hand-written: general language identifiers either do not know romanised Hindi or call it
English; counting Devanagari letters and the function words each register cannot do without is
enough here, and it is instant.
"""

from __future__ import annotations

import re

HINDI, HINGLISH, ENGLISH = "hi", "hi-Latn", "en"
LANGUAGES = (HINDI, HINGLISH, ENGLISH)

_DEVA_LETTER = re.compile(r"[\u0900-\u0963\u0971-\u097F]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[a-z]+")

#: words of romanised Hindi that are not (common) English words
_HINGLISH_TEXT = """
    hai h hain hae nahi nhi nai nahin mai main mein mei mujhe muje mjhe mujhse mera meri
    mere tera teri tere tum tu tujhe tujhko aap ap hum kya kia kyu kyun kyon kaise kab kahan
    koi kuch kuchh sab sabko sabhi bhi ki ka ke ko se pe aur toh ab abhi aaj aj kal raat rat
    din bas ho hu hoon hun tha thi gaya gayi gya gyi raha rahi rha rhi karna krna kar kr
    karunga karungi karega karegi dunga dungi lunga lungi jaunga jaungi jaoon jau wala wali
    yaar yar yr bhai behen bahan mummy papa ghar zindagi jindagi zindgi jeena jina jeene
    marna mar maut dil pyaar pyar log logon apna apni apne khud woh wo vo uska uski usne
    unka unki isko yeh ye bahut bohot bhut bilkul sach pata mat chahiye chahta chahti sakta
    sakti lagta lagti hota hoti rahe diya liya kiya dekho suno achha acha accha theek thik
    sirf phir fir pehle baad sath saath liye lie haan ji kitna itna jab tab agar lekin magar
    warna kaash kash hoga hogi hoke karke jaake bhagwan dost kabhi sabse mujhko humko unko
    usko jaan jan khatam khtm kaha kehta kehti bola boli bolo karo karu karoon hua hui hue
    huye wapas ek teen chaar paisa paise naukri padhai
"""
HINGLISH_WORDS = frozenset(_HINGLISH_TEXT.split())

#: English words that romanised Hindi rarely uses
_ENGLISH_TEXT = """
    i im ive id ill my mine myself you your youre the a an is am are was were be been being
    of and in on at for with this that these those it its not dont cant wont didnt doesnt
    isnt just what why how all no have has had will would can could should want wanted feel
    felt everyone everything nobody anyone anymore today tonight people really very they
    them their he she we our if but or because about from there here know think going get
    got never always life day night time love hate friend friends family mom dad mother
    father tired help please sorry anything nothing something someone any every who when
    where which than then also only still even again more most much many some such own same
    other
"""
ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())


def detect_language(text: str) -> str:
    """`hi` when Devanagari letters are at least a quarter of the letters; otherwise `hi-Latn` when
    Hinglish function words hold their own against English ones; otherwise `en` (also the
    answer for text with no letters at all)."""
    deva = 0 if text.isascii() else len(_DEVA_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if deva and deva >= 0.25 * (deva + latin):
        return HINDI
    if not latin:
        return ENGLISH
    words = _LATIN_WORD.findall(text.casefold().replace("'", "").replace("’", ""))
    hindi = sum(1 for w in words if w in HINGLISH_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    if hindi >= 1 and hindi >= 0.6 * english:
        return HINGLISH
    return ENGLISH
