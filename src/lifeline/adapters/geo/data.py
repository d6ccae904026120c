"""Reading the location data shipped in src/lifeline/data/geo (see LICENCES.md there)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

GEO = resources.files("lifeline").joinpath("data", "geo")
REGISTRY = resources.files("lifeline").joinpath("data", "registry")


def read_text(name: str) -> str:
    return GEO.joinpath(name).read_text(encoding="utf-8")


def read_csv(name: str) -> list[dict[str, str]]:
    lines = [line for line in read_text(name).splitlines() if not line.startswith("#")]
    return list(
        csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t" if ".tsv" in name else ",")
    )


def split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


@dataclass(frozen=True)
class District:
    lgd: str
    name: str
    state: str
    state_lgd: str | None
    name_hi: str | None = None
    division: str | None = None
    headquarters: str | None = None
    old_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class State:
    lgd: str
    name: str
    name_hi: str
    aliases: tuple[str, ...]


def load_boundaries() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_text("districts.geojson"))
    return data


def load_states() -> list[State]:
    return [
        State(r["lgd"], r["name"], r["name_hi"], tuple(split(r["aliases"])))
        for r in read_csv("states.csv")
    ]


def load_districts(boundaries: dict[str, Any]) -> dict[str, District]:
    """Every district with an LGD code; Uttar Pradesh's with the curated names of
    up_districts.csv (Hindi, old names, aliases, division)."""
    curated = {r["lgd"]: r for r in read_csv("up_districts.csv")}
    out: dict[str, District] = {}
    for feature in boundaries["features"]:
        props = feature["properties"]
        lgd = props["lgd"]
        if not lgd:
            continue
        row = curated.get(lgd)
        if row is None:
            out[lgd] = District(lgd, props["district"], props["state"], props["state_lgd"])
            continue
        out[lgd] = District(
            lgd,
            row["name"],
            props["state"],
            props["state_lgd"],
            row["name_hi"] or None,
            row["division"] or None,
            row["headquarters"] or None,
            tuple(split(row["old_names"])),
            tuple(split(row["aliases"])),
        )
    return out


def load_aliases(districts: dict[str, District]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, kind, LGD codes) for aliases.csv; unknown district names raise (a data bug)."""
    by_name = {(d.name, d.state): d.lgd for d in districts.values()}
    out = []
    for row in read_csv("aliases.csv"):
        codes = tuple(by_name[(name, row["state"])] for name in split(row["districts"]))
        out.append((row["name"], row["kind"], codes))
    return out


def load_places() -> list[tuple[str, str, str, str]]:
    """(name, kind, pin, lgd) of post offices, from places.tsv."""
    return [(r["name"], r["kind"], r["pin"], r["lgd"]) for r in read_csv("places.tsv")]


def load_pin_crosswalk() -> dict[tuple[str, str], str]:
    """(India Post state, India Post district) -> LGD district code."""
    return {
        (r["india_post_state"], r["india_post_district"]): r["lgd"]
        for r in read_csv("pin_districts.csv")
    }


def load_std_areas() -> dict[str, str]:
    """Phone prefix (91 + STD code) -> area, from std_areas.csv."""
    return {r["prefix"]: r["area"] for r in read_csv("std_areas.csv")}


def load_common_words() -> frozenset[str]:
    """Romanised everyday words (common_words.tsv, built by scripts/build_common_words.py)."""
    return frozenset(
        line.split("\t", 1)[0]
        for line in read_text("common_words.tsv").splitlines()[3:]
        if line and not line.startswith("#")
    )


def registry_text() -> str:
    return REGISTRY.joinpath("registry.yaml").read_text(encoding="utf-8")
