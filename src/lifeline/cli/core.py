"""Core commands: serve, worker, db, partners, users, cases, audit, keys, jobs, alerts, demo."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from lifeline.cli.common import (
    JsonOpt,
    alerts_app,
    app,
    audit_app,
    cases_app,
    cli_actor,
    db_app,
    demo_app,
    emit,
    err,
    fail,
    ist,
    jobs_app,
    keys_app,
    load_app,
    out,
    partners_app,
    users_app,
)
from lifeline.cli.doctor import refuse_unsafe_start
from lifeline.domain.access import Role
from lifeline.domain.dispatch import shown_state
from lifeline.domain.errors import DomainError
from lifeline.services.access import accounts as access
from lifeline.services.access import audit
from lifeline.services.cases import service as cases
from lifeline.services.retention.erasure import case_retention


# -- serving ----------------------------------------------------------------------------------
def _stopped_cleanly(*_: Any) -> None:
    """SIGTERM re-raised by uvicorn after its graceful shutdown: nothing is left to do."""


def proxy_options(forwarded_allow_ips: str) -> dict[str, Any]:
    """uvicorn's proxy settings from LIFELINE_FORWARDED_ALLOW_IPS. Left to itself uvicorn
    believes X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS), so a local client could
    pick any address for the sign-in throttles; with the setting empty, no header is believed."""
    trusted = [part.strip() for part in forwarded_allow_ips.split(",") if part.strip()]
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or []}


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (LIFELINE_HTTP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (LIFELINE_HTTP_PORT).")] = None,
    smtp_port: Annotated[int | None, typer.Option(help="SMTP intake port.")] = None,
    worker: Annotated[bool, typer.Option(help="Run the job worker in this process.")] = True,
    mail: Annotated[
        bool, typer.Option(help="Run the SMTP intake (and IMAP poller, if configured).")
    ] = True,
    migrate: Annotated[
        bool | None,
        typer.Option(
            help="Upgrade the database schema first (default: yes in development; production "
            "never migrates here: run `lifeline db upgrade`)."
        ),
    ] = None,
) -> None:
    """Serve the API, the SMTP intake and the worker (each can be turned off). SIGTERM stops
    taking work, finishes what is in flight, and exits. With LIFELINE_ENV=production it refuses
    to start on a failing `lifeline doctor` check and never migrates."""
    # the web stack (FastAPI, uvicorn, Jinja) only for `serve`: other commands start faster
    import uvicorn  # noqa: PLC0415

    from lifeline.process import import_server_adapters  # noqa: PLC0415 (see load_app)
    from lifeline.settings import load_settings  # noqa: PLC0415 (see load_app)
    from lifeline.web.app import create_app  # noqa: PLC0415

    settings = load_settings()
    production = settings.env == "production"
    if production and migrate:
        err.print(
            "[red]error:[/red] with LIFELINE_ENV=production serve never migrates: run "
            "`lifeline db upgrade` (LIFELINE_MIGRATION_DATABASE_URL), then serve without --migrate"
        )
        raise typer.Exit(2)
    # checked before anything is built: in production a missing key is refused, not created
    refuse_unsafe_start(
        settings,
        separate_workers=not worker or settings.workers == "separate",
        command="serve",
    )
    lifeline = load_app()
    import_server_adapters()
    if migrate or (migrate is None and not production):
        lifeline.upgrade_db()
    settings = lifeline.settings
    if smtp_port is not None:
        settings.smtp_port = smtp_port
    api = create_app(lifeline, embedded_worker=worker, embedded_mail=mail, long_running=True)
    # uvicorn drains on SIGTERM and, once shut down, re-raises the signal under the handler
    # that was installed before it started; the default one then killed the process after a
    # clean shutdown (exit status 143). A no-op handler lets serve return and exit 0.
    signal.signal(signal.SIGTERM, _stopped_cleanly)
    uvicorn.run(
        api,
        host=host or settings.http_host,
        port=port or settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
        **proxy_options(settings.forwarded_allow_ips),
    )


@app.command("worker")
def run_worker() -> None:
    """Run a job worker until SIGTERM or SIGINT (several may run against PostgreSQL)."""
    from lifeline.settings import load_settings  # noqa: PLC0415 (see load_app)
    from lifeline.worker import Worker  # noqa: PLC0415 (imports the application, see load_app)

    refuse_unsafe_start(load_settings(), separate_workers=True, command="worker")
    lifeline = load_app()
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()
        lifeline.jobs_ready.wake()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Worker(lifeline, long_running=True).run(stop)


@db_app.command("upgrade")
def db_upgrade(as_json: JsonOpt = False) -> None:
    """Apply all migrations, as LIFELINE_MIGRATION_DATABASE_URL's role when it is set (the
    schema's owner; the app's own role then needs no right to change the schema)."""
    lifeline = load_app()
    rev = lifeline.upgrade_db_as_owner()
    if lifeline.db_revision() == rev:  # the app's own URL sees the schema (else: a worker's start)
        lifeline.schedule_retention()
    emit({"revision": rev}) if as_json else out.print(f"database at revision {rev}")


# -- partners and users ----------------------------------------------------------------------
@partners_app.command("create")
def partners_create(name: str, as_json: JsonOpt = False) -> None:
    """Create a partner; prints its key id and secret once (the secret is stored encrypted)."""
    try:
        new = access.create_partner(load_app().ctx, name)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit({"key_id": new.key_id, "secret": new.secret})
    else:
        out.print(
            f"partner {name!r} created\n  key id: {new.key_id}\n  secret: {new.secret}\n"
            "The secret is shown only now."
        )


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="One of: " + ", ".join(Role))],
    jurisdiction: Annotated[str | None, typer.Option(help="District name or LGD code.")] = None,
    password: Annotated[str | None, typer.Option(help="Generated if not given.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a person who signs in; prints the password, the two-factor secret and a one-time
    enrolment code."""
    try:
        new = access.create_user(
            load_app().ctx, username, role, jurisdiction=jurisdiction, password=password
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(
            {
                "username": new.username,
                "password": new.password,
                "totp_secret": new.totp_secret,
                "enrolment_code": new.enrolment_code,
            }
        )
    else:
        out.print(
            f"user {new.username} ({role}) created\n  password: {new.password}\n"
            f"  TOTP secret: {new.totp_secret} (add to an authenticator app)\n"
            f"  enrolment code: {new.enrolment_code} (with the password, shows the QR code at "
            "/console/enrol once; expires in 72 h)"
        )


# -- cases -----------------------------------------------------------------------------------
@cases_app.command("list")
def cases_list(
    status: Annotated[list[str] | None, typer.Option(help="Filter by status.")] = None,
    limit: int = 100,
    as_json: JsonOpt = False,
) -> None:
    """Cases, newest first."""
    from lifeline.services.cases.read_models import CaseSummaryRead  # noqa: PLC0415 (Pydantic, only to print one)

    try:
        rows = cases.list_cases(load_app().ctx, cli_actor(), statuses=status, limit=limit)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit([CaseSummaryRead.model_validate(r).plain() for r in rows])
        return
    table = Table("id", "status", "platform", "risk", "opened", "alerts", "outcome")
    for r in rows:
        table.add_row(
            str(r.id),
            r.status,
            r.platform,
            r.risk_level or "-",
            ist(r.opened_at),
            str(r.alert_count),
            r.outcome or "-",
        )
    out.print(table)


@cases_app.command("show")
def cases_show(case_id: int, as_json: JsonOpt = False) -> None:
    """One case with its alerts, timeline and outcome (the read is audited)."""
    from lifeline.services.cases.read_models import CaseRead  # noqa: PLC0415 (Pydantic, only to print one)

    try:
        ctx = load_app().ctx
        detail = cases.show_case(ctx, cli_actor(), case_id, purpose="cli")
        # the hold and purge stages are printed only (the JSON is the API's case read)
        kept = None if as_json else case_retention(ctx, case_id)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    view = CaseRead.of(detail)
    if kept is None:
        emit(view.plain())  # what GET /api/v1/cases/{id} sends SMC staff
        return
    if kept.hold is not None:
        held = kept.hold
        out.print(f"[bold]LEGAL HOLD[/bold] since {ist(held.at)} by {held.by}: {held.reason}")
    for stage, at in kept.erased.items():
        out.print(f"  personal data erased ({stage.value}) at {ist(at)}")
    out.print(
        f"[bold]Case {view.id}[/bold]  {view.status.value}  ({view.platform}, "
        f"{view.alert_count} alert(s))"
    )
    for alert in view.alerts:
        out.print(
            f"  alert {alert.id} {alert.source.value} ref={alert.reference}: "
            f"{(alert.post.text or '')[:100]}"
        )
    for sent in view.dispatches:
        shown = shown_state(sent.state, sent.reach).replace("_", " ")
        out.print(f"  sent to {sent.unit_name} ({sent.unit_id}): {shown}")
    for entry in view.timeline:
        out.print(f"  {ist(entry.at)}  {entry.summary}  [{entry.actor}]")


@cases_app.command("outcome")
def cases_outcome(
    case_id: int,
    outcome: str,
    reason: Annotated[str | None, typer.Option(help="Needed for some outcomes.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the outcome of a case."""
    try:
        case = cases.record_outcome(load_app().ctx, cli_actor(), case_id, outcome, reason)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    emit({"id": case.id, "status": case.status.value}) if as_json else out.print(
        f"case {case.id}: {case.status.value}"
    )


@cases_app.command("close")
def cases_close(case_id: int, as_json: JsonOpt = False) -> None:
    """Close a case that has an outcome."""
    try:
        case = cases.close_case(load_app().ctx, cli_actor(), case_id)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    emit({"id": case.id, "status": case.status.value}) if as_json else out.print(
        f"case {case.id}: {case.status.value}"
    )


# -- audit, keys, jobs, demo -----------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the keyed chain and every checkpoint in the anchor file; name the first bad row
    and checkpoint. Exit 1 on any problem."""
    report = audit.verify_audit(load_app().ctx)
    log, broken = report.log, report.broken
    if as_json:
        last = log.last_checkpoint
        emit(
            {
                "ok": report.ok,
                "verified": report.verified,
                "rows": log.rows,
                "legacy_rows": log.legacy,
                "keyed_rows": log.keyed,
                "head": log.head,
                "anchor_file": report.anchor,
                "checkpoints": log.checkpoints,
                "last_checkpoint": None
                if last is None
                else {"at": last.at, "rows": last.rows, "head": last.head},
                "first_broken": None
                if broken is None
                else {"seq": broken.seq, "problem": broken.problem},
                "checkpoint_problems": [
                    {"line": p.line, "problem": p.problem} for p in log.checkpoint_problems
                ],
                "restores": [
                    {"line": n, "at": r.at, "rows": r.rows, "restored_from": r.restored_from}
                    for n, r in log.restores
                ],
                "problems": report.problems,
                "warnings": report.warnings,
            }
        )
    elif report.ok:
        last = log.last_checkpoint
        anchored = (
            f"; {log.checkpoints} checkpoints match (newest at {ist(last.at)}, {last.rows} rows)"
            if last is not None
            else ""
        )
        out.print(f"audit log intact: {report.verified} records verified{anchored}")
        for note in report.warnings:
            err.print(f"[yellow]note:[/yellow] {note}")
    else:
        for problem in report.problems:
            err.print(f"[red]{problem}[/red]", soft_wrap=True)
        if broken is not None:
            err.print(f"({report.verified} records before record {broken.seq} verified)")
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(as_json: JsonOpt = False) -> None:
    """Append a signed checkpoint (rows and head of the chain) to the anchor file now."""
    lifeline = load_app()
    try:
        result = audit.write_checkpoint(lifeline.ctx, force=True)
    except OSError as exc:  # the anchor file cannot be written
        raise fail(exc, as_json) from None
    cp = result.written
    if cp is None:
        problem = RuntimeError(
            "another process is writing a checkpoint right now; try again"
            if result.skipped == "busy"
            else "no audit key is configured"
        )
        raise fail(problem, as_json)
    anchor = lifeline.settings.audit_anchor_path
    if as_json:
        emit({"at": cp.at, "rows": cp.rows, "head": cp.head, "mac": cp.mac})
    else:
        out.print(f"checkpoint at {ist(cp.at)}: {cp.rows} rows, head {cp.head[:16]}… -> {anchor}")


@keys_app.command("rotate")
def keys_rotate(as_json: JsonOpt = False) -> None:
    """Make a new data key (key-file mode) and re-encrypt every stored value with it."""
    try:
        kid, counts = load_app().rotate_key()
    except Exception as exc:
        raise fail(exc, as_json) from None
    emit({"primary": kid, "reencrypted": counts}) if as_json else out.print(
        f"new primary key {kid}; re-encrypted rows: {counts}"
    )


@keys_app.command("reencrypt")
def keys_reencrypt(as_json: JsonOpt = False) -> None:
    """Re-encrypt values still under an older key (after changing LIFELINE_DATA_KEY)."""
    counts = load_app().reencrypt()
    emit({"reencrypted": counts}) if as_json else out.print(f"re-encrypted rows: {counts}")


@jobs_app.command("list")
def jobs_list(
    status: Annotated[str | None, typer.Option(help="pending, running, done, failed")] = None,
    limit: int = 50,
    as_json: JsonOpt = False,
) -> None:
    """Jobs, newest first (use --status failed to see what needs attention)."""
    lifeline = load_app()
    with lifeline.ctx.uow(readonly=True) as uow:
        rows = uow.jobs.recent(status, limit)
    if as_json:
        emit(rows)
        return
    table = Table("id", "kind", "status", "case", "attempts", "run at", "last error")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["kind"],
            r["status"],
            str(r["case_id"] or "-"),
            f"{r['attempts']}/{r['max_attempts']}",
            ist(r["run_at"]),
            (r["last_error"] or "")[:60],
        )
    out.print(table)


@jobs_app.command("retry")
def jobs_retry(job_id: int, as_json: JsonOpt = False) -> None:
    """Put a failed job back in the queue."""
    lifeline = load_app()
    with lifeline.ctx.uow() as uow:
        ok = uow.jobs.retry(job_id, lifeline.clock.now())
        uow.commit()
    if as_json:
        emit({"id": job_id, "requeued": ok})
    else:
        out.print(f"job {job_id} requeued" if ok else f"job {job_id} is not a failed job")
    if not ok:
        raise typer.Exit(1)


@alerts_app.command("post")
def alerts_post(
    file: Annotated[typer.FileBinaryRead, typer.Argument(help="JSON alert file, - for stdin.")],
    key_id: Annotated[str, typer.Option(envvar="LIFELINE_PARTNER_KEY", help="Partner key id.")],
    secret: Annotated[str, typer.Option(envvar="LIFELINE_PARTNER_SECRET", help="Partner secret.")],
    url: Annotated[str, typer.Option(help="Server base URL.")] = "http://127.0.0.1:8000",
    idempotency_key: Annotated[str | None, typer.Option(help="Makes retries safe.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign an alert file with a partner's secret and POST it, as a platform would."""
    import httpx  # noqa: PLC0415 (heavy to import; only this command sends HTTP)

    body = file.read()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Lifeline-Key": key_id,
        "X-Lifeline-Timestamp": timestamp,
        "X-Lifeline-Signature": access.sign(secret, timestamp, body),
    }
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    response = httpx.post(
        url.rstrip("/") + "/api/v1/alerts", content=body, headers=headers, timeout=30
    )
    data = response.json()
    if as_json:
        emit({"status": response.status_code, **data})
    else:
        out.print(f"{response.status_code}: {json.dumps(data, ensure_ascii=False)}")
    if response.status_code != 202:
        raise typer.Exit(1)


@demo_app.command("seed")
def demo_seed(as_json: JsonOpt = False) -> None:
    """Create a demo partner, admin user and sample cases (once; later runs change nothing)."""
    from lifeline.demo import seed_demo  # noqa: PLC0415 (imports the application, see load_app)

    lifeline = load_app()
    lifeline.upgrade_db()
    info = seed_demo(lifeline)
    if as_json:
        emit(info)
        return
    sys.stdout.write(info["message"] + "\n")  # unwrapped: the commands in it are copied
