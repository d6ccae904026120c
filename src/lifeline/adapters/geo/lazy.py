"""The resolver, built on first use and shared by the process.

Building it reads ~4 MB of data and indexes ~40,000 names (about a second and a half), which a
command that never resolves a place (`lifeline users create`) should not pay for. The data is
read-only, so one instance serves every application in the process; each call still checks the
registry version of its own database (services.location.sync_registry). The resolver's module
(shapely, numpy, rapidfuzz, indic-transliteration) is imported on first use too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from lifeline.adapters.geo.registry import (
    dump_registry,
    parse_dispatch_rules,
    parse_registry,
    shipped_dispatch_rules,
)
from lifeline.domain.place import DEFAULT_HOME_STATE, LocationQuery, Resolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.routing import DispatchRules

if TYPE_CHECKING:
    from lifeline.adapters.geo.resolver import GeoLocator

_LOCK = threading.Lock()
_SHARED: dict[str, GeoLocator] = {}


def shared_locator(home_state: str = DEFAULT_HOME_STATE) -> GeoLocator:
    """The process's resolver for a home state (one per state asked for: in practice one)."""
    # heavy (shapely, numpy, rapidfuzz): imported when a place is first resolved, not at start-up
    from lifeline.adapters.geo.resolver import GeoLocator  # noqa: PLC0415

    locator = _SHARED.get(home_state)
    if locator is None:
        with _LOCK:
            locator = _SHARED.get(home_state)
            if locator is None:
                locator = _SHARED[home_state] = GeoLocator(home_state)
    return locator


class LazyGeoLocator:
    """A `Locator` that builds the shared GeoLocator when first asked anything."""

    @property
    def version(self) -> str:
        from lifeline.adapters.geo.resolver import VERSION  # noqa: PLC0415 (heavy, see above)

        return VERSION

    def __init__(self, home_state: str = DEFAULT_HOME_STATE) -> None:
        self.home_state = home_state

    def _geo(self) -> GeoLocator:
        return shared_locator(self.home_state)

    @property
    def registry_version(self) -> str:
        return self._geo().registry_version

    def warm(self) -> None:
        self._geo()

    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution:
        return self._geo().resolve(query, on=on)

    def use_registry(self, units: Sequence[RegistryUnit] | None, version: str) -> None:
        self._geo().use_registry(units, version)

    def default_registry(self) -> list[RegistryUnit]:
        return self._geo().default_registry()

    def known_districts(self) -> set[str]:
        return self._geo().known_districts()

    def district_geojson(self, lgd: str) -> dict[str, Any] | None:
        return self._geo().district_geojson(lgd)

    def read_registry(self, text: str, name: str) -> list[RegistryUnit]:
        return parse_registry(text, name)

    def write_registry(
        self, units: Sequence[RegistryUnit], fmt: str, rules: DispatchRules | None = None
    ) -> str:
        return dump_registry(units, fmt, rules=rules)

    def read_dispatch_rules(self, text: str, name: str) -> DispatchRules | None:
        return parse_dispatch_rules(text, name)

    def default_dispatch_rules(self) -> DispatchRules:
        return shipped_dispatch_rules()
