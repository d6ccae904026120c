"""`lifeline locate` and `lifeline registry import|export|validate`."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lifeline.cli import jsonl
from lifeline.cli.common import JsonOpt, app, cli_actor, emit, err, fail, load_app, out
from lifeline.domain.errors import DomainError
from lifeline.domain.place import LocationQuery
from lifeline.domain.registry import RegistryError
from lifeline.services.location import registry
from lifeline.services.location import resolution as location
from lifeline.services.location.ports import Locator

if TYPE_CHECKING:
    from lifeline.bootstrap import Lifeline

registry_app = typer.Typer(
    help="The jurisdiction registry: districts, commissionerates, zones, police stations.",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")


def _locator(lifeline: Lifeline) -> Locator:
    """The resolver with the registry in force; the shipped registry if the database is not
    reachable or not migrated yet (locate works before `lifeline db upgrade`)."""
    try:
        return location.prepared_locator(lifeline.ctx)
    except DomainError:
        raise
    except Exception as exc:  # no database yet: still answer, from the shipped registry
        err.print(
            f"[yellow]registry: database not available ({type(exc).__name__}); "
            "using the shipped registry[/yellow]"
        )
        locator = lifeline.ctx.locator
        assert locator is not None
        locator.use_registry(None, "shipped")
        return locator


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError(f"a coordinate is a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a coordinate must be a finite number, not {value!r}")
    return number


def _query(data: dict[str, Any]) -> LocationQuery:
    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return LocationQuery(
        text=text("text"),
        lat=_float(data.get("lat")),
        lon=_float(data.get("lon")),
        pin=text("pin"),
        phone=text("phone"),
        ip_city=text("ip_city"),
        post_text=text("post_text"),
        approximate=text("approximate"),
    )


@app.command("locate")
def locate(
    text: Annotated[str | None, typer.Argument(help="Address or location field.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude.")] = None,
    pin: Annotated[str | None, typer.Option(help="PIN code.")] = None,
    phone: Annotated[
        str | None, typer.Option(help="Phone number (landlines give an area).")
    ] = None,
    ip_city: Annotated[str | None, typer.Option(help="City from the platform's IP lookup.")] = None,
    approximate: Annotated[
        str | None,
        typer.Option(help='A place the sender gives as approximate ("near …", "last known").'),
    ] = None,
    post: Annotated[
        str | None,
        typer.Option(help="The post's text (its places count only as corroboration)."),
    ] = None,
    as_json: JsonOpt = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read lines {"id", "text", "lat", "lon", "pin", "phone"} on stdin; write one '
            "result per line with the same id.",
        ),
    ] = False,
) -> None:
    """Resolve a location to state, district, commissionerate, zone and police station."""
    lifeline = load_app()
    locator = _locator(lifeline)
    today = lifeline.clock.now().date()
    if jsonl:
        _jsonl(locator, today)
        return
    query = LocationQuery(
        text=text,
        lat=lat,
        lon=lon,
        pin=pin,
        phone=phone,
        ip_city=ip_city,
        post_text=post,
        approximate=approximate,
    )
    result = locator.resolve(query, on=today).as_dict()
    if as_json:
        emit(result)
        return
    _print(result)


def _jsonl(locator: Locator, today: Any) -> None:
    for number, raw in jsonl.lines():
        data, problem = jsonl.parse(raw, number)
        if data is None:
            assert problem is not None
            # locate's one error code for a line it cannot read; the message says why
            problem["error"] = {
                "code": "bad_line",
                "message": f"line {number}: {problem['error']['message']}",
            }
            jsonl.write(problem)
            sys.stdout.flush()
            continue
        ident = data.get("id")
        try:
            result: dict[str, Any] = {
                "id": ident,
                **locator.resolve(_query(data), on=today).as_dict(),
            }
        except (ValueError, TypeError) as exc:
            message = f"line {number}: {exc}"
            result = {
                "id": ident,
                "line": number,
                "error": {"code": "bad_line", "message": message},
            }
        jsonl.write(result)
        sys.stdout.flush()


def _print(result: dict[str, Any]) -> None:
    place = ", ".join(
        str(result[k])
        for k in ("police_station", "zone", "commissionerate", "district", "state")
        if result[k]
    )
    flag = "[red]needs review[/red]" if result["needs_review"] else "[green]confident[/green]"
    out.print(f"{place or 'unknown'}  (confidence {result['confidence']:.2f}, {flag})")
    table = Table("district", "state", "LGD", "confidence", "police station", "sources")
    for c in result["candidates"]:
        table.add_row(
            c["district"] or "",
            c["state"] or "",
            c["district_lgd"] or "",
            f"{c['confidence']:.2f}",
            c["police_station"] or "",
            ", ".join(c["sources"]),
        )
    out.print(table)
    for e in result["evidence"]:
        out.print(escape(f"  [{e['source']}] {e['finding']}"))


# -- the registry ---------------------------------------------------------------------------
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError([f"{path}: cannot read ({exc})"]) from None


@registry_app.command("validate")
def registry_validate(
    file: Annotated[Path | None, typer.Argument(help="Registry file (YAML or CSV).")] = None,
    replace: Annotated[
        bool,
        typer.Option(help="Check FILE as a complete registry, not merged over the one in force."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check a registry file as `registry import` would (or the registry in force)."""
    lifeline = load_app()
    ctx = lifeline.ctx
    try:
        if file is None:
            units, _ = registry.current_registry(ctx)
            merged, problems = units, registry.check_registry(ctx, units)
        else:
            text = _read(file)
            parsed = registry.read_registry(ctx, text, file.name)
            merged, problems = registry.check_import(ctx, parsed, replace=replace)
            rules = registry.read_dispatch_rules(ctx, text, file.name)
            if rules is not None:
                problems += registry.check_dispatch_rules(rules, merged)
    except RegistryError as exc:
        merged, problems = [], exc.problems
    report = {"valid": not problems, "units": len(merged), "problems": problems}
    if as_json:
        emit(report)
    elif problems:
        err.print(f"[red]{len(problems)} problem(s):[/red]")
        for p in problems:
            err.print(escape(f"  - {p}"))
    else:
        out.print(f"registry valid: {len(merged)} records")
    if problems:
        raise typer.Exit(1)


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="Registry file (YAML or CSV).")],
    replace: Annotated[
        bool, typer.Option(help="Replace the registry in force instead of merging into it.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load a registry file (all or nothing: a file with any problem changes nothing)."""
    lifeline = load_app()
    try:
        text = _read(file)
        units = registry.read_registry(lifeline.ctx, text, file.name)
        rules = registry.read_dispatch_rules(lifeline.ctx, text, file.name)
        version, count = registry.import_registry(
            lifeline.ctx, cli_actor(), units, source=str(file), replace=replace, rules=rules
        )
    except RegistryError as exc:
        if not as_json:
            for p in exc.problems:
                err.print(escape(f"  - {p}"))
        raise fail(exc, as_json) from None
    if as_json:
        emit({"version": version, "units": count})
    else:
        out.print(f"registry {version} in force: {count} records")


@registry_app.command("export")
def registry_export(
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml, csv or json.")] = "yaml",
    as_json: JsonOpt = False,
) -> None:
    """Write out the registry in force (the shipped one until something is imported)."""
    lifeline = load_app()
    units, version = registry.current_registry(lifeline.ctx)
    fmt = "json" if as_json and output is None else fmt
    if fmt == "json":
        text = json.dumps(
            [json.loads(json.dumps(u.__dict__, default=str)) for u in units],
            ensure_ascii=False,
            indent=2,
        )
    elif fmt in ("yaml", "csv"):
        rules = registry.current_dispatch_rules(lifeline.ctx) if fmt == "yaml" else None
        text = registry.write_registry(lifeline.ctx, units, fmt, rules)
    else:
        raise fail(ValueError(f"unknown format {fmt!r}: use yaml, csv or json"), as_json)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    if as_json:
        emit({"output": str(output), "units": len(units), "version": version})
    else:
        out.print(f"wrote {len(units)} records ({version}) to {output}")
