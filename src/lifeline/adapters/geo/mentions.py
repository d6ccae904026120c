"""What the gazetteer finds in a text: places, and the spans of text that name them (shared by
gazetteer.py, which finds them, and narrowing.py, which reads them together)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Place(NamedTuple):
    """A named place: its display name, kind, the LGD districts it lies in, its state and,
    for registry localities, the police station unit that covers it."""

    name: str
    kind: str
    districts: tuple[str, ...]
    state: str | None
    unit_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Mention:
    """A span of the text that names one or more places."""

    start: int
    end: int
    text: str
    places: tuple[Place, ...]
    quality: float
    method: str
    #: in a post: the span sits in a locative phrase ("Lucknow mein"); always true in an address
    locative: bool = True
    #: a one-word name shorter than four sounds ("Rath", "Mau")
    short: bool = False
    #: followed by "tehsil", "thana", "block": a part of a district, named as such
    subdivision: bool = False
    #: why the mention is not evidence ("" when it is)
    ignored: str = ""

    def but(self, places: Iterable[Place], ignored: str = "") -> Mention:
        return Mention(
            self.start,
            self.end,
            self.text,
            tuple(places),
            self.quality,
            self.method,
            self.locative,
            self.short,
            self.subdivision,
            ignored or self.ignored,
        )

    @property
    def districts(self) -> set[str]:
        return {d for p in self.places for d in p.districts}
