"""Location resolutions (candidates and evidence encrypted: they quote the address) and the
imported jurisdiction registry (each import one complete, dated snapshot)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from lifeline.adapters.db.stored_config import stored_contacts, stored_rules, stored_unit
from lifeline.adapters.db.tables import (
    aad,
    location_resolutions,
    new_id,
    registry_imports,
    registry_units,
)
from lifeline.domain.dispatch import Contact
from lifeline.domain.place import Resolution, StoredResolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.routing import DispatchRules
from lifeline.services.ports import Cipher


def _record(unit: RegistryUnit) -> dict[str, Any]:
    """The unit as JSON, without its contacts (their channel URLs hold tokens: encrypted)."""
    data = asdict(unit)
    data.pop("contacts", None)
    data["valid_from"] = unit.valid_from.isoformat()
    data["valid_to"] = unit.valid_to.isoformat() if unit.valid_to else None
    data["localities"] = list(unit.localities)
    return data


_ADD_RESOLUTION = insert(location_resolutions)
_RESOLUTIONS = (
    select(location_resolutions)
    .where(location_resolutions.c.case_id == bindparam("case_id"))
    .order_by(location_resolutions.c.resolved_at, location_resolutions.c.id)
)
#: read several times per alert (registry version, dispatch rules)
_LATEST_IMPORT = (
    select(registry_imports)
    .order_by(registry_imports.c.imported_at.desc(), registry_imports.c.id.desc())
    .limit(1)
)
_UNITS = (
    select(registry_units.c.record, registry_units.c.contacts_enc)
    .where(registry_units.c.import_id == bindparam("import_id"))
    .order_by(registry_units.c.id)
)
_ADD_IMPORT = insert(registry_imports)
_ADD_UNIT = insert(registry_units)


_UNREAD = object()
#: rules read back, by registry version (a version names the units and rules it was made from):
#: routing reads them for every alert
_RULES: dict[str, DispatchRules] = {}
_RULES_LOCK = threading.Lock()


class SqlLocationRepository:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        self._import: Any = _UNREAD  # the import in force, read once per transaction
        #: a case's resolutions, read once per transaction (written only here: `add` adds to it)
        self._of_case: dict[int, list[StoredResolution]] = {}

    def forget(self) -> None:
        self._import = _UNREAD
        self._of_case.clear()

    def add(self, alert_id: int, case_id: int, at: datetime, resolution: Resolution) -> None:
        result = {**resolution.as_dict(), "resolver_version": resolution.resolver_version}
        plain = json.dumps(result, ensure_ascii=False)
        row = {
            "case_id": case_id,
            "alert_id": alert_id,
            "resolved_at": at,
            "state": resolution.state,
            "district_lgd": resolution.district_lgd,
            "confidence": resolution.confidence,
            "needs_review": resolution.needs_review,
            "resolver_version": resolution.resolver_version[:20],
            "result_enc": self.keys.encrypt(plain, aad(location_resolutions, "result_enc")),
        }
        self.conn.execute(_ADD_RESOLUTION, row)
        known = self._of_case.get(case_id)
        if known is not None:  # kept as a read gives it: the newest row last at its time
            stored = Resolution.from_dict(json.loads(plain))
            known.append(StoredResolution(alert_id, case_id, at.astimezone(UTC), stored))
            known.sort(key=lambda r: r.resolved_at)

    def for_case(self, case_id: int) -> list[StoredResolution]:
        if case_id not in self._of_case:
            self._of_case[case_id] = self._read_case(case_id)
        return list(self._of_case[case_id])

    def _read_case(self, case_id: int) -> list[StoredResolution]:
        rows = self.conn.execute(_RESOLUTIONS, {"case_id": case_id}).all()
        out = []
        for row in rows:
            plain = self.keys.decrypt(row.result_enc, aad(location_resolutions, "result_enc"))
            resolution = Resolution.from_dict(json.loads(plain or "{}"))
            out.append(StoredResolution(row.alert_id, row.case_id, row.resolved_at, resolution))
        return out

    def _latest(self) -> Any:
        """The registry import in force. Read once per transaction (one job asks for the
        version, the routing rules and the units several times); only `replace_registry`
        changes it within one."""
        if self._import is _UNREAD:
            self._import = self.conn.execute(_LATEST_IMPORT).one_or_none()
        return self._import

    def registry_version(self) -> str | None:
        row = self._latest()
        return None if row is None else str(row.version)

    def registry_units(self) -> list[RegistryUnit]:
        row = self._latest()
        if row is None:
            return []
        records = self.conn.execute(_UNITS, {"import_id": row.id}).all()
        return [stored_unit(r.record, self._contacts(r.contacts_enc)) for r in records]

    def dispatch_rules(self) -> DispatchRules | None:
        row = self._latest()
        if row is None or row.dispatch_rules is None:
            return None
        rules = _RULES.get(row.version)
        if rules is None:
            rules = stored_rules(row.dispatch_rules)
            with _RULES_LOCK:
                if len(_RULES) > 8:
                    _RULES.clear()
                _RULES[row.version] = rules
        return rules

    def _contacts(self, token: str | None) -> tuple[Contact, ...]:
        if token is None:
            return ()
        plain = self.keys.decrypt(token, aad(registry_units, "contacts_enc"))
        return stored_contacts(json.loads(plain or "[]"))

    def _encrypt_contacts(self, unit: RegistryUnit) -> str | None:
        if not unit.contacts:
            return None
        plain = json.dumps([c.as_dict() for c in unit.contacts], ensure_ascii=False)
        return self.keys.encrypt(plain, aad(registry_units, "contacts_enc"))

    def replace_registry(
        self,
        units: Sequence[RegistryUnit],
        *,
        version: str,
        at: datetime,
        source: str,
        actor: str,
        rules: DispatchRules | None = None,
    ) -> None:
        record = {
            "version": version,
            "imported_at": at,
            "source": source[:300],
            "actor": actor[:120],
            "units": len(units),
            "dispatch_rules": rules.as_dict() if rules is not None else None,
        }
        self._import = _UNREAD
        import_id = new_id(self.conn.execute(_ADD_IMPORT, record))
        if not units:
            return
        self.conn.execute(
            _ADD_UNIT,
            [
                {
                    "import_id": import_id,
                    "unit_id": u.id,
                    "kind": str(u.kind),
                    "name": u.name,
                    "parent": u.parent,
                    "district_lgd": u.district_lgd or (u.lgd if u.kind == "district" else None),
                    "valid_from": u.valid_from,
                    "valid_to": u.valid_to,
                    "status": str(u.status),
                    "record": _record(u),
                    "contacts_enc": self._encrypt_contacts(u),
                }
                for u in units
            ],
        )
