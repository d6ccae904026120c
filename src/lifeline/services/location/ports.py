"""Ports of location: the resolver (boundaries, PINs, names and the registry in memory), the
stored resolutions and imported registry, and the jurisdiction index (which districts a case
belongs to)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from lifeline.domain.place import LocationQuery, Resolution, StoredResolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.routing import DispatchRules


class Locator(Protocol):
    """Resolves location hints against boundaries, PINs, names and the registry in memory."""

    @property
    def version(self) -> str: ...

    @property
    def registry_version(self) -> str: ...

    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution: ...

    def use_registry(self, units: Sequence[RegistryUnit] | None, version: str) -> None:
        """Replace the registry the resolver uses (None: the one shipped with Lifeline)."""
        ...

    def default_registry(self) -> list[RegistryUnit]: ...

    def known_districts(self) -> set[str]:
        """LGD codes of every district with a boundary."""
        ...

    def district_geojson(self, lgd: str) -> dict[str, Any] | None: ...

    def read_registry(self, text: str, name: str) -> list[RegistryUnit]:
        """Records from a registry file (YAML or CSV); raises RegistryError."""
        ...

    def write_registry(
        self, units: Sequence[RegistryUnit], fmt: str, rules: DispatchRules | None = None
    ) -> str: ...

    def read_dispatch_rules(self, text: str, name: str) -> DispatchRules | None:
        """The `routing` and `escalation_policies` of a registry file (None if it has
        neither); raises RegistryError."""
        ...

    def default_dispatch_rules(self) -> DispatchRules:
        """The routing rules and escalation policies shipped with Lifeline."""
        ...


class LocationRepository(Protocol):
    """Resolutions (their candidates and evidence encrypted) and the imported registry."""

    def add(self, alert_id: int, case_id: int, at: datetime, resolution: Resolution) -> None: ...
    def for_case(self, case_id: int) -> list[StoredResolution]: ...
    def registry_version(self) -> str | None:
        """The version of the imported registry, or None when none was imported."""
        ...

    def registry_units(self) -> list[RegistryUnit]: ...
    def replace_registry(
        self,
        units: Sequence[RegistryUnit],
        *,
        version: str,
        at: datetime,
        source: str,
        actor: str,
        rules: DispatchRules | None = None,
    ) -> None: ...
    def dispatch_rules(self) -> DispatchRules | None:
        """The routing rules and escalation policies of the registry in force, or None when
        none were imported (the shipped ones apply)."""
        ...


class JurisdictionIndex(Protocol):
    """Which districts (LGD codes) a case belongs to: confident location resolutions and
    operators' choices."""

    def for_case(self, case_id: int) -> set[str]: ...
    def for_cases(self, case_ids: Iterable[int]) -> dict[int, set[str]]:
        """`for_case` of many cases in a few queries: every id given is a key."""
        ...

    def cases_in(self, districts: set[str]) -> set[int]: ...
    def assign(self, case_id: int, district_lgd: str, by: str, at: datetime) -> None: ...
    def assigned(self, case_id: int) -> tuple[str, datetime] | None:
        """The district an operator assigned last, and when (None if nobody did)."""
        ...

    def district_code(self, value: str) -> str | None:
        """The LGD code of a district given by code or by name (English or Hindi)."""
        ...

    def districts(self) -> list[tuple[str, str, str]]:
        """(LGD code, English name, Hindi name) of the districts a case can be assigned to."""
        ...
