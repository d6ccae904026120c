"""Build src/lifeline/data/geo/common_words.tsv: everyday words of Hindi (Devanagari and
romanised), Hinglish and English that the location resolver never matches to a place by sound
or by spelling (only an exact place name counts for them).

Hindi and Hinglish sound like Uttar Pradesh's places: "kisi" folds to the sound of Kashi,
"mausam" to Mau, "balle" to Ballia. A word that people write every day is not a misspelt place
name, so the gazetteer's phonetic and fuzzy look-ups skip every word in this list.

Sources:

* `wordfreq` 3.1.1 (code Apache-2.0; its word lists CC BY-SA 4.0, from Wikipedia, OpenSubtitles,
  the Leeds Internet Corpus, ParaCrawl, Google Books Ngrams and others; see
  src/lifeline/data/geo/LICENCES.md): Hindi words with a Zipf frequency of at least
  HINDI_ZIPF (in Devanagari and the romanised Hindi that its Hindi list also holds) and English
  words of at least ENGLISH_ZIPF;
* Lifeline's own triage corpus (src/lifeline/data/triage/corpus.jsonl, written for this
  project): every word of its posts used at least CORPUS_MIN times.

Words of the triage corpus that are themselves the name of a district, city or police-station
locality ("hazratganj") are left out: its posts name places on purpose. Everyday words that
happen to be names (Surat, Puri, Kota, Banda) stay: the resolver matches a place's own name
exactly anyway, and a post that uses one outside a locative phrase is using the word.

Every word is stored as written and with the resolver's romanisation (phonetic.romanise), the
form the resolver compares: a Devanagari "किसी" then also blocks a Hinglish "kisi". The
package is needed only to run this script (it is in the `data` extra of pyproject.toml).

    .venv/bin/python scripts/build_common_words.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import wordfreq

from lifeline.adapters.geo.gazetteer import MAJOR
from lifeline.adapters.geo.phonetic import romanise
from lifeline.adapters.geo.resolver import GeoLocator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "lifeline" / "data" / "geo" / "common_words.tsv"
CORPUS = ROOT / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl"
HINDI_ZIPF = 3.0
ENGLISH_ZIPF = 3.6
CORPUS_MIN = 3
_WORD = re.compile(r"[\w\u0900-\u097f]+")


def wordfreq_words(lang: str, floor: float) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in wordfreq.top_n_list(lang, 200_000):
        if wordfreq.zipf_frequency(word, lang) < floor:
            break
        out.setdefault(word, f"wordfreq-{lang}")
    return out


def corpus_words() -> dict[str, str]:
    counts: Counter[str] = Counter()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            counts.update(w.casefold() for w in _WORD.findall(json.loads(line)["text"]))
    return {w: "triage-corpus" for w, n in counts.items() if n >= CORPUS_MIN}


def main() -> None:
    words: dict[str, str] = {}
    for source in (
        wordfreq_words("hi", HINDI_ZIPF),
        wordfreq_words("en", ENGLISH_ZIPF),
        corpus_words(),
    ):
        for word, origin in source.items():
            words.setdefault(word, origin)
    gazetteer = GeoLocator()._current[1]
    names = {
        surface
        for index in (gazetteer.base, gazetteer.registry)
        for surface, places in index.surface.items()
        if any(p.kind in MAJOR for p in places)
    }
    rows = []
    for word, origin in words.items():
        if any(ch.isdigit() for ch in word):
            continue
        key = romanise(word).replace(" ", "")
        if len(key) >= 2 and not (origin == "triage-corpus" and key in names):
            rows.append((key, word, origin))
    rows.sort()
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write(
            "# common words: never matched to a place by sound or spelling."
            " Built by scripts/build_common_words.py\n"
            f"# from wordfreq {version('wordfreq')}"
            f" (word lists CC BY-SA 4.0; hi Zipf >= {HINDI_ZIPF}, en Zipf >= {ENGLISH_ZIPF})"
            f" and Lifeline's triage corpus (words used >= {CORPUS_MIN} times)\n"
        )
        fh.write("romanised\tword\tsource\n")
        for key, word, origin in rows:
            fh.write(f"{key}\t{word}\t{origin}\n")
    print(f"wrote {len(rows)} words ({len({k for k, _, _ in rows})} romanised keys) to {OUT}")


if __name__ == "__main__":
    main()
