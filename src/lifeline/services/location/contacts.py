"""Registry contacts from a spreadsheet: `lifeline registry contacts import FILE.csv` and the
console's contacts page, without writing YAML (issue 16).

The file has the header ``unit_id,name,role,channel`` and one row per channel; rows with the
same unit and name give one contact its channels in the order they appear. An import replaces
the contacts of the units the file names, and only theirs, in one transaction; a file with any
fault changes nothing, and each fault names its line, the field and why. A channel URL is
never repeated in a fault (it may hold a token or a personal number): only its scheme.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from lifeline.domain.access import Permission
from lifeline.domain.dispatch import Contact
from lifeline.domain.model import Actor
from lifeline.domain.registry import RegistryError, RegistryUnit, quoted, registry_version
from lifeline.domain.routing import DispatchRules
from lifeline.services.access.authorisation import require
from lifeline.services.context import Context
from lifeline.services.location.registry import registry_units_in_force

HEADER = ("unit_id", "name", "role", "channel")
MAX_ROWS = 20_000
MAX_CHANNEL = 2_000
MAX_NAME = 120
MAX_ROLE = 40


@dataclass(frozen=True)
class ContactsImport:
    """What an import did (or, dry run, would do): counts only, never names or numbers."""

    units: int
    contacts: int
    channels: int
    version: str | None
    dry_run: bool


@dataclass
class _Draft:
    line: int
    name: str
    role: str
    channels: list[str]
    lines: list[int]


def _scheme(url: str) -> str:
    head = url.split("://", 1)[0] if "://" in url else url.split(":", 1)[0]
    return head[:20]


def parse_contacts_csv(
    text: str, known_units: set[str], check_channel: Callable[[str], str | None]
) -> tuple[dict[str, list[Contact]], list[str]]:
    """The contacts per unit (in file order) and every fault, as
    ``line N, field "f": why``. `check_channel` says why a channel URL cannot be used (None:
    usable); a UTF-8 byte-order mark (Excel's "CSV UTF-8") is ignored."""
    text = text.removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    try:
        header = next(rows, None)
    except csv.Error as exc:
        return {}, [f"line 1: not CSV ({exc})"]
    found = tuple(h.strip().casefold() for h in header or ())
    if found != HEADER:
        shown = ",".join(found)[:100] or "nothing"
        return {}, [f"line 1: the header must be {','.join(HEADER)} (found {shown!r})"]
    drafts: dict[tuple[str, str], _Draft] = {}
    order: dict[str, list[tuple[str, str]]] = {}
    count = 0
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > MAX_ROWS:
                problems.append(f"line {line}: more than {MAX_ROWS} rows; split the file")
                break
            problems += _row(line, row, known_units, check_channel, drafts, order)
    except csv.Error as exc:
        problems.append(f"line {rows.line_num}: not CSV ({exc})")
    if not drafts and not problems:
        problems.append("the file has a header but no contacts")
    contacts = {
        unit: [Contact(drafts[k].name, drafts[k].role, tuple(drafts[k].channels)) for k in keys]
        for unit, keys in order.items()
    }
    return contacts, problems


def _row(
    line: int,
    row: list[str],
    known_units: set[str],
    check_channel: Callable[[str], str | None],
    drafts: dict[tuple[str, str], _Draft],
    order: dict[str, list[tuple[str, str]]],
) -> list[str]:
    where = f"line {line}"
    if len(row) != len(HEADER):
        return [f"{where}: {len(row)} fields; expected 4 ({','.join(HEADER)})"]
    unit, name, role = (" ".join(cell.split()) for cell in row[:3])
    channel = row[3].strip()
    faults: list[str] = []
    if not unit:
        faults.append('field "unit_id": must not be empty')
    elif unit not in known_units:
        faults.append(f'field "unit_id": unit {quoted(unit[:80])} is not in the registry in force')
    if not name:
        faults.append('field "name": must not be empty')
    elif len(name) > MAX_NAME:
        faults.append(f'field "name": longer than {MAX_NAME} characters')
    if len(role) > MAX_ROLE:
        faults.append(f'field "role": longer than {MAX_ROLE} characters')
    if not channel:
        faults.append('field "channel": must not be empty')
    elif len(channel) > MAX_CHANNEL:
        faults.append(f'field "channel": longer than {MAX_CHANNEL} characters')
    elif "://" not in channel:
        faults.append(
            f'field "channel": {_scheme(channel)!r}... is not a channel URL (scheme://...)'
        )
    elif (why := check_channel(channel)) is not None:
        faults.append(f'field "channel": {why}')
    key = (unit, name.casefold())
    draft = drafts.get(key)
    if draft is None and not role and name:
        faults.append('field "role": must not be empty on a contact\'s first row')
    if draft is not None:
        if role and role.casefold() != draft.role.casefold():
            faults.append(
                f'field "role": {quoted(role)} differs from {quoted(draft.role)} given for '
                f"this contact on line {draft.line}"
            )
        if channel and channel in draft.channels:
            first = draft.lines[draft.channels.index(channel)]
            faults.append(f'field "channel": duplicate channel (already on line {first})')
    if faults:
        return [f"{where}, {fault}" for fault in faults]
    if draft is None:
        drafts[key] = _Draft(line, name, role, [channel], [line])
        order.setdefault(unit, []).append(key)
    else:
        draft.channels.append(channel)
        draft.lines.append(line)
    return []


def _version(units: Sequence[RegistryUnit], rules: DispatchRules | None) -> str:
    """As `import_registry` versions a registry: its records, and its rules if it has any."""
    version = registry_version(units)
    if rules is None:
        return version
    digest = hashlib.sha256(json.dumps(rules.as_dict(), sort_keys=True).encode()).hexdigest()
    return hashlib.sha256((version + digest).encode()).hexdigest()[:16]


def _check_channel(ctx: Context) -> Callable[[str], str | None]:
    channels = ctx.channels
    if channels is None:
        return lambda _url: None
    return channels.check


def import_contacts(
    ctx: Context, actor: Actor, text: str, *, source: str, dry_run: bool = False
) -> ContactsImport:
    """Replace the contacts of the units the CSV names (every record of each unit id), all
    or nothing; other units keep theirs. Raises `RegistryError` listing every fault."""
    require(actor, Permission.REGISTRY_MANAGE)
    # parsed and checked before the write transaction: checking a channel URL may first load
    # apprise (half a second), and intake must not wait behind that
    with ctx.uow(readonly=True) as uow:
        known = {u.id for u in registry_units_in_force(ctx, uow)}
    parsed, problems = parse_contacts_csv(text, known, _check_channel(ctx))
    if problems:
        raise RegistryError(problems)
    contacts = sum(len(c) for c in parsed.values())
    channels = sum(len(c.channels) for cs in parsed.values() for c in cs)
    if dry_run:
        return ContactsImport(len(parsed), contacts, channels, None, True)
    with ctx.uow() as uow:
        # one writer at a time: the import reads the registry in force and writes it back whole
        uow.lock_keys(["registry:contacts"])
        units = registry_units_in_force(ctx, uow)
        gone = sorted(set(parsed) - {u.id for u in units})
        if gone:  # a registry import in between removed them
            raise RegistryError([f"unit {quoted(g)} is no longer in the registry" for g in gone])
        updated = [replace(u, contacts=tuple(parsed[u.id])) if u.id in parsed else u for u in units]
        rules = uow.locations.dispatch_rules()
        version = _version(updated, rules)
        now = ctx.clock.now()
        uow.locations.replace_registry(
            updated, version=version, at=now, source=source, actor=str(actor), rules=rules
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="registry.contacts_imported",
            case_id=None,
            details={
                "source": source[:200],
                "version": version,
                "units": len(parsed),
                "contacts": contacts,
                "channels": channels,
            },
        )
        uow.commit()
    return ContactsImport(len(parsed), contacts, channels, version, False)


# -- reading them back (the console's contacts page) ------------------------------------------


@dataclass(frozen=True)
class ShownContact:
    index: int
    name: str
    role: str
    #: each channel as "scheme://host" with any phone number partly hidden
    channels: tuple[str, ...]


@dataclass(frozen=True)
class UnitContacts:
    unit_id: str
    name: str
    kind: str
    contacts: tuple[ShownContact, ...]


def mask_number(number: str) -> str:
    """ "+919811111111" -> "+91••••••1111": enough to tell two officers apart, not to call."""
    digits = number.lstrip("+")
    if len(digits) <= 6:
        return "•" * len(number)
    return f"{number[:3]}{'•' * (len(number) - 7)}{number[-4:]}"


def masked_channel(ctx: Context, url: str) -> str:
    shown = ctx.channels.describe(url) if ctx.channels is not None else f"{_scheme(url)}://…"
    numbers = ctx.phones.of_channel(url) if ctx.phones is not None else ()
    if numbers:
        shown += " → " + ", ".join(mask_number(n) for n in numbers)
    return shown


def list_contacts(ctx: Context, actor: Actor) -> tuple[list[UnitContacts], int]:
    """The units in force (today's records) that have contacts, and how many have none."""
    require(actor, Permission.REGISTRY_MANAGE)
    today = ctx.clock.now().date()
    with ctx.uow(readonly=True) as uow:
        units = [u for u in registry_units_in_force(ctx, uow) if u.valid_on(today)]
    listed = [
        UnitContacts(
            u.id,
            u.name,
            str(u.kind),
            tuple(
                ShownContact(
                    i, c.name, c.role, tuple(masked_channel(ctx, url) for url in c.channels)
                )
                for i, c in enumerate(u.contacts)
            ),
        )
        for u in sorted(units, key=lambda u: (str(u.kind), u.id))
        if u.contacts
    ]
    return listed, sum(1 for u in units if not u.contacts)
