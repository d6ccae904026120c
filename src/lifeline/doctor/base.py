"""What every check of `lifeline doctor` reports, and the state one run of them shares."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy import Engine

from lifeline.settings import Settings

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One finding: `status` ok, warn or fail; `found` what was seen; `fix` what to change."""

    name: str
    status: Status
    found: str
    fix: str = ""
    setting: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Run:
    """One run of the checks: its findings, and what earlier checks learnt for later ones
    (the engine, whether the database and the keys can be used)."""

    settings: Settings
    separate_workers: bool
    checks: list[Check]
    engine: Engine | None = None
    db_ready: bool = False
    keys_ready: bool = False

    @property
    def production(self) -> bool:
        return self.settings.env == "production"

    @property
    def bad(self) -> Status:
        """A finding that production refuses and development tolerates."""
        return "fail" if self.production else "warn"

    def add(self, name: str, status: Status, found: str, fix: str = "", setting: str = "") -> None:
        self.checks.append(Check(name, status, found, fix if status != "ok" else "", setting))
