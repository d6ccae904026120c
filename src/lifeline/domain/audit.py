"""The audit chain: each record's MAC covers its content and the previous record's MAC, so an
edit or deletion made directly in the database breaks the chain at that row.

Since issue #14 the chain is keyed: HMAC-SHA256 under the audit key (kept in its own file, apart
from the data key), so whoever can write the database but not read the key cannot recompute
the chain after an edit. Rows written before the key existed ("legacy" rows, `key_id` None) are
plain SHA-256; they can only form the start of the chain, and the first keyed row after them is
the switch record (`audit.chain_keyed`), whose MAC binds the legacy head.

Deleting rows from the end leaves a shorter chain that is still intact; signed checkpoints
kept outside the database (`Checkpoint`, one JSON line each) record how many rows there were
and the head at that moment, and `verify_log` compares them with the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

GENESIS = "0" * 64

#: the action of the first keyed record after legacy (plain SHA-256) records
CHAIN_KEYED = "audit.chain_keyed"


@dataclass(frozen=True)
class AuditKey:
    """The secret the chain and the checkpoints are MACed with."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise ValueError("an audit key must be at least 32 bytes")

    @cached_property
    def key_id(self) -> str:
        """Names the key in each row without revealing it (a MAC, not a hash of the key)."""
        return self.mac(b"lifeline audit key id")[:16]

    def mac(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    details: dict[str, Any]
    prev_hash: str
    hash: str
    #: the audit key's id for keyed rows; None for legacy (plain SHA-256) rows
    key_id: str | None = None


def _body(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    details: dict[str, Any],
) -> bytes:
    body = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "case_id": case_id,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return (prev_hash + body).encode()


def chain_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    details: dict[str, Any],
) -> str:
    """The legacy, unkeyed link (rows written before the audit key existed)."""
    return hashlib.sha256(_body(prev_hash, seq, at, actor, action, case_id, details)).hexdigest()


def chain_mac(
    key: AuditKey,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    details: dict[str, Any],
) -> str:
    """The keyed link: HMAC-SHA256 under the audit key over the same bytes as `chain_hash`."""
    return key.mac(_body(prev_hash, seq, at, actor, action, case_id, details))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(
    records: Iterable[AuditRecord], key: AuditKey | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk records in sequence order; return how many verified and the first break, if any.
    Without a key, keyed rows cannot be checked and are reported as the break."""
    walk = ChainWalk(key)
    for rec in records:
        walk.step(rec)
    return walk.verified, walk.broken


class ChainWalk:
    """Checks one record at a time (the log may hold millions: nothing is kept but the state)."""

    def __init__(self, key: AuditKey | None) -> None:
        self.key = key
        self.prev = GENESIS
        self.expected_seq = 1
        self.verified = self.legacy = self.keyed = 0
        #: seq of the first keyed row, once seen
        self.keyed_from: int | None = None
        self.broken: ChainBreak | None = None

    def step(self, rec: AuditRecord) -> None:
        if self.broken is None:
            problem = self._problem(rec)
            if problem is not None:
                self.broken = ChainBreak(min(rec.seq, self.expected_seq), problem)
                return
            self.verified += 1
            if rec.key_id is None:
                self.legacy += 1
            else:
                self.keyed += 1
                if self.keyed_from is None:
                    self.keyed_from = rec.seq
            self.prev = rec.hash
            self.expected_seq += 1

    def _problem(self, rec: AuditRecord) -> str | None:
        if rec.seq != self.expected_seq:
            return f"record {self.expected_seq} is missing (next present is {rec.seq})"
        if rec.prev_hash != self.prev:
            return "previous-hash link does not match the record before"
        fields = (rec.prev_hash, rec.seq, rec.at, rec.actor, rec.action, rec.case_id, rec.details)
        if rec.key_id is None:
            if self.keyed_from is not None:
                return (
                    f"record has no MAC although the chain is keyed from record {self.keyed_from} "
                    "(rewritten without the audit key)"
                )
            if chain_hash(*fields) != rec.hash:
                return "content does not match its hash (row was edited)"
            return None
        if self.key is None:
            return "record is keyed but no audit key is loaded"
        if rec.key_id != self.key.key_id:
            return (
                f"record names audit key {rec.key_id}, the loaded key is {self.key.key_id} "
                "(another LIFELINE_AUDIT_KEY_FILE, or rewritten with another key)"
            )
        if not hmac.compare_digest(chain_mac(self.key, *fields), rec.hash):
            return (
                "content does not match its MAC (row was edited, or the chain recomputed "
                "without the audit key)"
            )
        return None


# -- checkpoints -------------------------------------------------------------------------------
def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Checkpoint:
    """The chain's length and head at a moment, MACed under the audit key: one JSON line
    `{"at", "head", "mac", "rows"}`, the MAC over the canonical JSON of the other three.

    A restore checkpoint (`lifeline backup restore`) also carries `restored_from`, naming the
    backup, under the MAC: the chain was restored with `rows` rows, so rows after them that
    earlier checkpoints recorded were lost to the restore, not cut by hand."""

    at: str
    rows: int
    head: str
    mac: str
    restored_from: str | None = None

    @classmethod
    def sign(
        cls,
        key: AuditKey,
        at: datetime,
        rows: int,
        head: str,
        *,
        restored_from: str | None = None,
    ) -> Checkpoint:
        text = at.isoformat(timespec="microseconds")
        mac = checkpoint_mac(key, text, rows, head, restored_from)
        return cls(text, rows, head, mac, restored_from)

    def line(self) -> str:
        data: dict[str, Any] = {"at": self.at, "rows": self.rows, "head": self.head}
        if self.restored_from is not None:
            data["restored_from"] = self.restored_from
        return _canonical({**data, "mac": self.mac}).decode()

    def mac_ok(self, key: AuditKey) -> bool:
        expected = checkpoint_mac(key, self.at, self.rows, self.head, self.restored_from)
        return hmac.compare_digest(expected, self.mac)

    @property
    def at_time(self) -> datetime:
        return datetime.fromisoformat(self.at)


def checkpoint_mac(
    key: AuditKey, at: str, rows: int, head: str, restored_from: str | None = None
) -> str:
    data: dict[str, Any] = {"at": at, "rows": rows, "head": head}
    if restored_from is not None:
        data["restored_from"] = restored_from
    return key.mac(_canonical(data))


class CheckpointFormatError(ValueError):
    """A line of the anchor file that is not a checkpoint."""


def parse_checkpoint(line: str) -> Checkpoint:
    """One anchor-file line -> Checkpoint; CheckpointFormatError names what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise CheckpointFormatError(f"not JSON ({exc})") from None
    except RecursionError:  # "[[[[…": nested deeper than the parser goes
        raise CheckpointFormatError("not JSON (nested too deep)") from None
    keys = {"at", "rows", "head", "mac"}
    if not isinstance(data, dict) or set(data) - {"restored_from"} != keys:
        # (a restore checkpoint also has "restored_from")
        raise CheckpointFormatError('not an object with exactly "at", "rows", "head", "mac"')
    at, rows, head, mac = data["at"], data["rows"], data["head"], data["mac"]
    restored_from = data.get("restored_from")
    if restored_from is not None and not isinstance(restored_from, str):
        raise CheckpointFormatError('"restored_from" must be a string')
    if not isinstance(at, str) or not isinstance(head, str) or not isinstance(mac, str):
        raise CheckpointFormatError('"at", "head" and "mac" must be strings')
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise CheckpointFormatError('"rows" must be a whole number, 0 or more')
    try:
        stamp = datetime.fromisoformat(at)
    except ValueError:
        raise CheckpointFormatError(f'"at" is not an ISO 8601 time: {at[:40]!r}') from None
    if stamp.tzinfo is None:
        raise CheckpointFormatError('"at" has no UTC offset')
    return Checkpoint(at, rows, head, mac, restored_from)
