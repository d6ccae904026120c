"""A dataclass's fields as a dict, without `dataclasses.asdict`'s deep copy of every value
(which cost more than the rest of storing a job payload, a place or a brief on the hot path)."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def field_values(obj: DataclassInstance, *, own_containers: bool = False) -> dict[str, Any]:
    """`asdict` for a flat dataclass (no dataclass inside it). With `own_containers`, lists and
    dicts (nested ones too) are copied, so the dict shares no mutable value with `obj`."""
    if not own_containers:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}
    return {f.name: _own(getattr(obj, f.name)) for f in fields(obj)}


def _own(value: Any) -> Any:
    if isinstance(value, list):
        return [_own(v) for v in value]
    if isinstance(value, dict):
        return {k: _own(v) for k, v in value.items()}
    return value
