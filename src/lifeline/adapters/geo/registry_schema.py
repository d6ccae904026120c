"""The registry file's records as Pydantic models (the format is documented in docs/registry.md).

Each model reads one record of a YAML or CSV registry file (a unit with its contacts, an
escalation policy with its steps, a routing rule with its conditions) and builds the domain's
dataclass. A record that cannot be used gives one line per fault naming the file, the record and
the field, in words an SMC administrator can act on:

    units.yaml: unit "up-lko-ps-x": field "valid_from": 'yesterday' is not a date (YYYY-MM-DD)

What a unit must be on its own (a district has its LGD code, dates in order, contacts with
channel URLs) is asked of the domain (`record_faults`), which also checks a complete registry
(parents, overlapping records, known districts) when it is imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import phonenumbers
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import (
    ROUTE_TARGETS,
    STEP_TARGETS,
    Contact,
    EscalationPolicy,
    EscalationStep,
    is_route_target,
    is_step_target,
)
from lifeline.domain.registry import (
    RegistryError,
    RegistryUnit,
    UnitKind,
    UnitStatus,
    quoted,
    record_faults,
    unit_label,
)
from lifeline.domain.risk import LEVELS, RiskLevel
from lifeline.domain.routing import DispatchRules, RoutingRule

# -- field readers: each turns what YAML or CSV gives into one type, or says what is wrong -----


def _fail(message: str) -> NoReturn:
    raise PydanticCustomError("registry", message)


def _text(value: object) -> str | None:
    """Text, numbers read as text (an unquoted LGD code is a number in YAML); blank is none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | date):
        _fail("must be text")
    return str(value).strip() or None


def _blank(value: object) -> str:
    return _text(value) or ""


def _required(value: object) -> str:
    text = _text(value)
    if text is None:
        _fail("must not be empty")
    return text


def _day(value: object) -> date:
    if value is None or value == "":
        _fail("is required (YYYY-MM-DD)")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        _fail(f"{value!r} is not a date (YYYY-MM-DD)")


def _maybe_day(value: object) -> date | None:
    return None if value is None or value == "" else _day(value)


_KINDS = {k.value: k for k in UnitKind}
_STATUSES = {s.value: s for s in UnitStatus}


def _kind(value: object) -> UnitKind:
    text = _required(value)
    if text not in _KINDS:
        _fail(f"unknown kind {text!r} (known: {', '.join(UnitKind)})")
    return _KINDS[text]


def _status(value: object) -> UnitStatus:
    text = _text(value) or UnitStatus.REPORTED
    if text not in _STATUSES:
        _fail(f"{text!r} is not a status: use {', '.join(UnitStatus)}")
    return _STATUSES[text]


def _list(value: object, what: str) -> list[Any]:
    """A list, a single value standing for a list of one, nothing for an empty one."""
    if value is None or value == "":
        return []
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, list):
        _fail(f"must be a list of {what}")
    return value


def _names(value: object) -> tuple[str, ...]:
    """Names (CSV writes them `|`-separated); blanks dropped."""
    if isinstance(value, str):
        value = value.split("|")
    return tuple(t for t in map(_text, _list(value, "names")) if t)


def _words(value: object) -> tuple[str, ...]:
    return tuple(t for t in map(_text, _list(value, "values")) if t)


def _mapping(value: object) -> dict[Any, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        _fail("must be a mapping")
    return value


def _records(what: str) -> Callable[[object], list[Any]]:
    def records(value: object) -> list[Any]:
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            _fail(f"must be a list of {what}")
        return value

    return records


def _channels(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        _fail("must be a list of channel URLs")
    return tuple(t for t in map(_text, value) if t)


def _phones(value: object) -> tuple[str, ...]:
    phones = _words(value)
    for phone in phones:
        if not _is_phone(phone):
            _fail(
                f"{phone!r} is not a phone number "
                "(write it with the country code, e.g. +919811111111)"
            )
    return phones


def _is_phone(text: str) -> bool:
    """A number an SMS reply can come from (Indian if it has no country code)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "IN"))
    except phonenumbers.NumberParseException:
        return False


def _targets(valid: Callable[[str], bool], hint: str) -> BeforeValidator:
    def targets(value: object) -> tuple[str, ...]:
        found = tuple(str(t) for t in _list(value, "targets"))
        if not found:
            _fail(f"must list targets ({hint})")
        unknown = [t for t in found if not valid(t)]
        if unknown:
            _fail(f"unknown target {', '.join(map(repr, unknown))} (use {hint})")
        return found

    return BeforeValidator(targets)


def _whole(low: int, high: int) -> BeforeValidator:
    def whole(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            _fail(f"must be a whole number from {low} to {high}")
        return value

    return BeforeValidator(whole)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        _fail("must be true or false")
    return value


def _level(value: object) -> RiskLevel | None:
    if value is None:
        return None
    if value not in LEVELS:
        _fail(f"must be one of {', '.join(LEVELS)}")
    return RiskLevel(str(value))


def _sources(value: object) -> tuple[AlertSource, ...]:
    known = [s.value for s in AlertSource]
    words = _words(value)
    for word in words:
        if word not in known:
            _fail(f"unknown source {word!r} (sources: {', '.join(known)})")
    return tuple(AlertSource(word) for word in words)


def _hours(value: object) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", str(value))
    if not match or not all(0 <= int(g) <= 24 for g in match.groups()):
        _fail('must look like "22-06" (IST hours, start-end)')
    return int(match.group(1)), int(match.group(2))


Text = Annotated[str | None, BeforeValidator(_text)]
Required = Annotated[str, BeforeValidator(_required)]
STEP_HINT = f"{', '.join(STEP_TARGETS)}, unit:<registry id> or role:<contact role>"
ROUTE_HINT = f"{', '.join(ROUTE_TARGETS)} or unit:<registry id>"
CONDITIONS = ("min_level", "sources", "in_state", "districts", "located", "hours")


class _Record(BaseModel):
    # built when first used, so importing the adapter stays cheap
    model_config = ConfigDict(extra="forbid", defer_build=True)


# -- units ------------------------------------------------------------------------------------


class ContactRecord(_Record):
    """A person or endpoint of a unit (whether it is complete is the domain's question)."""

    name: Annotated[str, BeforeValidator(_blank)] = ""
    role: Annotated[str, BeforeValidator(_blank)] = ""
    channels: Annotated[tuple[str, ...], BeforeValidator(_channels)]
    phones: Annotated[tuple[str, ...], BeforeValidator(_phones)] = ()

    def contact(self) -> Contact:
        return Contact(self.name, self.role, self.channels, self.phones)


class UnitRecord(_Record):
    id: Required
    kind: Annotated[UnitKind, BeforeValidator(_kind)]
    name: Required
    name_hi: Text = None
    parent: Text = None
    lgd: Text = None
    district_lgd: Text = None
    valid_from: Annotated[date, BeforeValidator(_day)]
    valid_to: Annotated[date | None, BeforeValidator(_maybe_day)] = None
    status: Annotated[UnitStatus, BeforeValidator(_status)] = UnitStatus.REPORTED
    localities: Annotated[tuple[str, ...], BeforeValidator(_names)] = ()
    source: Text = None
    notes: Text = None
    extra: Annotated[dict[Any, Any], BeforeValidator(_mapping)] = Field(default_factory=dict)
    contacts: Annotated[
        tuple[ContactRecord, ...], BeforeValidator(_records("contacts (name, role, channels)"))
    ] = ()

    def unit(self) -> RegistryUnit:
        return RegistryUnit(
            id=self.id,
            kind=self.kind,
            name=self.name,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            status=self.status,
            parent=self.parent,
            name_hi=self.name_hi,
            lgd=self.lgd,
            district_lgd=self.district_lgd,
            localities=self.localities,
            source=self.source,
            notes=self.notes,
            extra=self.extra,
            contacts=tuple(c.contact() for c in self.contacts),
        )


# -- escalation policies and routing rules ------------------------------------------------------


class StepRecord(_Record):
    notify: Annotated[tuple[str, ...], _targets(is_step_target, STEP_HINT)]
    wait_seconds: Annotated[int, _whole(0, 86_400)] = 0
    repeat: Annotated[int, _whole(1, 20)] = 1

    def step(self) -> EscalationStep:
        return EscalationStep(self.notify, self.wait_seconds, self.repeat)


def _steps(value: object) -> list[Any]:
    if not isinstance(value, list) or not value:
        _fail("needs a non-empty list of steps (notify, wait_seconds, repeat)")
    return value


class PolicyRecord(_Record):
    id: Required
    name: Text = None
    steps: Annotated[tuple[StepRecord, ...], BeforeValidator(_steps)]

    def policy(self) -> EscalationPolicy:
        return EscalationPolicy(self.id, tuple(s.step() for s in self.steps), self.name or "")


class WhenRecord(_Record):
    """The conditions of a routing rule (docs/registry.md); absent ones always hold."""

    min_level: Annotated[RiskLevel | None, BeforeValidator(_level)] = None
    sources: Annotated[tuple[AlertSource, ...], BeforeValidator(_sources)] = ()
    in_state: Annotated[bool | None, BeforeValidator(_flag)] = None
    districts: Annotated[tuple[str, ...], BeforeValidator(_words)] = ()
    located: Annotated[bool | None, BeforeValidator(_flag)] = None
    hours: Annotated[tuple[int, int] | None, BeforeValidator(_hours)] = None


def _conditions(value: object) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(f"must be a mapping of conditions ({', '.join(CONDITIONS)})")
    return value


class RuleRecord(_Record):
    name: Required
    when: Annotated[WhenRecord, BeforeValidator(_conditions)] = Field(default_factory=WhenRecord)
    notify: Annotated[tuple[str, ...], _targets(is_route_target, ROUTE_HINT)]
    policy: Text = None

    @field_validator("policy", mode="after")
    @classmethod
    def _defined(cls, value: str | None, info: ValidationInfo) -> str | None:
        defined = (info.context or {}).get("policies", ())
        if value not in (None, "default") and value not in defined:
            _fail(f"escalation policy {value!r} is not defined")
        return value

    def rule(self) -> RoutingRule:
        w = self.when
        return RoutingRule(
            name=self.name,
            targets=self.notify,
            policy=self.policy or "default",
            min_level=w.min_level,
            sources=w.sources,
            in_state=w.in_state,
            districts=w.districts,
            located=w.located,
            hours=w.hours,
        )


# -- reading records, and saying what is wrong ------------------------------------------------

#: lists of records inside a record: their items are named "contact 2", "step 1"
_ITEMS = {"contacts": "contact", "steps": "step"}


def _place(loc: Sequence[int | str]) -> list[str]:
    """Where in a record a fault is: ('contacts', 0, 'phones') -> contact 1, field "phones"."""
    out: list[str] = []
    path: list[str] = []
    for key in loc:
        if isinstance(key, int) and path and path[-1] in _ITEMS:
            out.append(f"{_ITEMS[path.pop()]} {key + 1}")
        elif isinstance(key, int):
            path[-1:] = [f"{path[-1] if path else ''}[{key + 1}]"]
        else:
            path.append(key)
    if path:
        out.append(f"field {quoted('.'.join(path))}")
    return out


def _message(error: Any, kind: str) -> str:
    loc = error["loc"]
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        if len(loc) > 1 and loc[-2] == "when":
            return f"unknown condition (known: {', '.join(CONDITIONS)})"
        if len(loc) == 1 and kind == "unit":
            return "unknown field (anything else goes under 'extra:')"
        return "unknown field"
    if error["type"] in ("model_type", "model_attributes_type"):
        return "must be a mapping of fields"
    return str(error["msg"])


def problems_of(error: ValidationError, where: str, kind: str) -> list[str]:
    """One line per fault: `where` (the file and the record), the place, what is wrong."""
    return [": ".join([where, *_place(e["loc"]), _message(e, kind)]) for e in error.errors()]


def _label(kind: str, raw: object, key: str, n: int) -> str:
    """The record as a person finds it in the file: by its id (or name), else its place."""
    try:
        ident = _text(raw.get(key)) if isinstance(raw, dict) else None
    except PydanticCustomError:
        ident = None
    if ident is None:
        return f"{kind} #{n}"
    return unit_label(ident) if kind == "unit" else f"{kind} {quoted(ident)}"


def read_units(rows: Sequence[object], name: str) -> tuple[list[RegistryUnit], list[str]]:
    """The units of a file's rows, and every fault of each (named by file, record, field)."""
    units: list[RegistryUnit] = []
    problems: list[str] = []
    for n, raw in enumerate(rows, start=1):
        where = f"{name}: {_label('unit', raw, 'id', n)}"
        try:
            unit = UnitRecord.model_validate(raw).unit()
        except ValidationError as exc:
            problems += problems_of(exc, where, "unit")
            continue
        problems += [f"{where}: {fault}" for fault in record_faults(unit)]
        units.append(unit)
    return units, problems


def read_dispatch_rules(
    policies: Sequence[object], rules: Sequence[object], name: str
) -> DispatchRules:
    """A file's `escalation_policies` and `routing` (either may be empty: the defaults apply);
    raises RegistryError naming every fault."""
    problems: list[str] = []
    read: list[EscalationPolicy] = []
    for n, raw in enumerate(policies, start=1):
        where = f"{name}: {_label('escalation policy', raw, 'id', n)}"
        try:
            read.append(PolicyRecord.model_validate(raw).policy())
        except ValidationError as exc:
            problems += problems_of(exc, where, "policy")
    ids = [p.id for p in read]
    problems += [
        f"{name}: escalation policy {quoted(i)}: is defined twice"
        for i in sorted(set(ids))
        if ids.count(i) > 1
    ]
    routing: list[RoutingRule] = []
    for n, raw in enumerate(rules, start=1):
        where = f"{name}: {_label('routing rule', raw, 'name', n)}"
        try:
            found = RuleRecord.model_validate(raw, context={"policies": set(ids)})
        except ValidationError as exc:
            problems += problems_of(exc, where, "rule")
            continue
        routing.append(found.rule())
    if problems:
        raise RegistryError(problems)
    return DispatchRules.with_defaults(routing, read)
