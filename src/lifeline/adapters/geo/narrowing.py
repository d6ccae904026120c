"""Reading the names of one text together: a district named beside a locality picks that
district's locality, a locality picks among districts of the same name, and a name that is
nowhere in the district the text names is set aside instead of pointing elsewhere.

"Civil Lines, Bareilly": Civil Lines is the name of localities in eight districts; with
Bareilly named it means Bareilly's (and if the gazetteer does not know one there, the name says
nothing against Bareilly). "Rath, Hamirpur": Hamirpur is a district of Uttar Pradesh and of
Himachal Pradesh; Rath is a town of the first, so the text means the first. "Kaushambi,
Ghaziabad": Kaushambi is a district and a locality of Ghaziabad; Ghaziabad is not a place in
Kaushambi district, so Kaushambi here is the locality.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lifeline.adapters.geo.mentions import Mention, Place

ANCHORS = frozenset({"district", "old_name", "city"})
DISTRICT_LEVEL = frozenset({"district", "old_name", "city", "area"})
OFFICES = frozenset({"head_office", "sub_office", "branch_office"})
SHORT_OK = frozenset({"district", "old_name", "city", "state", "locality"})
#: methods whose district names may anchor the rest of the text
_ANCHOR_METHODS = frozenset({"exact", "sound", "spelling"})


def anchors_of(m: Mention) -> set[str]:
    if m.method not in _ANCHOR_METHODS or m.ignored:
        return set()
    return {d for p in m.places if p.kind in ANCHORS for d in p.districts}


def _lower(places: Iterable[Place], districts: set[str]) -> list[Place]:
    return [
        p
        for p in places
        if p.kind not in DISTRICT_LEVEL and p.kind != "state" and districts & set(p.districts)
    ]


def as_localities(mentions: Sequence[Mention]) -> list[Mention]:
    """A district name that is also a locality of another district the text names, while that
    other district is no place in the first, is read as the locality."""
    own = [anchors_of(m) for m in mentions]
    out = list(mentions)
    for k, m in enumerate(mentions):
        if not own[k]:
            continue
        others = set().union(*(a for n, a in enumerate(own) if n != k)) - own[k]
        inside = _lower(m.places, others)
        if not inside:
            if others and m.subdivision:
                out[k] = m.but(m.places, "a tehsil or police station of the district named")
            continue
        back = any(
            _lower(o.places, own[k]) for n, o in enumerate(mentions) if n != k and own[n] & others
        )
        if not back:
            out[k] = m.but(inside)
    return out


def narrow(mentions: Sequence[Mention], strict: bool) -> list[Mention]:
    """Each mention's places read together with the others' (see the module docstring)."""
    mentions = as_localities(mentions)
    anchors = set().union(*(anchors_of(m) for m in mentions)) if mentions else set()
    states = {p.state for m in mentions for p in m.places if p.kind == "state"}
    out: list[Mention] = []
    for m in mentions:
        places = m.places
        level = {d for p in places if p.kind in DISTRICT_LEVEL for d in p.districts}
        if level:
            places = tuple(p for p in places if p.kind not in OFFICES or level & set(p.districts))
        if any(p.kind == "state" for p in places):
            # a state's name names the state, not a post office called after it ("Delhi")
            places = tuple(p for p in places if p.kind not in OFFICES)
        if states:
            in_states = tuple(p for p in places if p.state in states or p.kind == "state")
            if not in_states and not (anchors_of(m) or m.ignored):
                out.append(m.but(places, "not a place in the state the text names"))
                continue
            places = in_states or places
        is_anchor = bool(anchors_of(m))
        if m.short:
            places = tuple(p for p in places if p.kind in SHORT_OK or anchors & set(p.districts))
        if anchors and not is_anchor and places and any(p.kind != "state" for p in places):
            inside = tuple(p for p in places if anchors & set(p.districts))
            if inside:
                places = inside
            elif not strict or m.method != "exact" or not m.locative:
                out.append(m.but(places, "not a place in the district the text names"))
                continue
        if places:
            out.append(m.but(places))
    return _pick_among_namesakes(out)


def _pick_among_namesakes(mentions: list[Mention]) -> list[Mention]:
    """A district name shared by several districts (Hamirpur, Pratapgarh, Aurangabad) is read
    as the one where the text's other places are, when they are in only some of them."""
    located = {
        d
        for m in mentions
        if not m.ignored and not anchors_of(m)
        for p in m.places
        if p.kind != "state"
        for d in p.districts
    }
    out = []
    for m in mentions:
        own = anchors_of(m)
        if len(own) > 1 and own & located and not own <= located:
            keep = own & located
            m = m.but(p for p in m.places if keep & set(p.districts))
        out.append(m)
    return out
