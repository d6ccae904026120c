"""`lifeline doctor` and the production profile's refusals: one list of checks of a deployment.

Each check says what it found and, when it is not ok, the setting to change and how. With
LIFELINE_ENV=production a failing check stops `serve` and `worker` before they start; in
development the same findings are warnings, so a fresh `make run` passes with warnings.

The checks only read: nothing is created (no key file, no database file, no migration), so
running doctor cannot change what it reports on. It lives beside bootstrap, not in services,
because it inspects adapters (the database, key files, the model file, fonts) and settings.
Heavy modules (alembic, the model, matplotlib, apprise) are imported by the check that needs
them, so the CLI stays quick to start.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from lifeline.domain.registry import RegistryUnit
from lifeline.settings import Settings

if TYPE_CHECKING:
    from lifeline.bootstrap import Lifeline

Status = Literal["ok", "warn", "fail"]

#: secrets seen in documentation, examples and tutorials: never acceptable in production
WELL_KNOWN_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "secret",
        "password",
        "token",
        "test",
        "admin",
        "lifeline",
        "example",
        "default",
        "dev",
        "development",
        "12345678",
        "1234567890",
        "0123456789abcdef",
    }
)
#: the shortest secret token or password accepted in production
MIN_SECRET_LENGTH = 16
#: references of the alerts `lifeline demo seed` creates (src/lifeline/demo.py)
DEMO_REFERENCE = "%-DEMO-%"
DEMO_PARTNER = "Demo Platform"
SMC_UNIT = "up-smc"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")  # noqa: S104 (names, not a bind)


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
class _Run:
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


def run_checks(settings: Settings, *, separate_workers: bool | None = None) -> list[Check]:
    """Every check, in order. `separate_workers`: jobs run in other processes than the API
    (`serve --no-worker`, `lifeline worker`); None: as LIFELINE_WORKERS says."""
    run = _Run(
        settings,
        settings.workers == "separate" if separate_workers is None else separate_workers,
        [],
    )
    run.add("environment", "ok", f"LIFELINE_ENV={settings.env}", setting="LIFELINE_ENV")
    steps: tuple[Callable[[_Run], None], ...] = (
        _public_url,
        _cookies,
        _data_key,
        _audit_key,
        _secrets,
        _var_dir,
        _clock,
        _database,
        _migration_url,
        _workers,
        _demo_data,
        _registry_and_channels,
        _triage_model,
        _pdf_font,
    )
    try:
        for step in steps:
            try:
                step(run)
            except Exception as exc:  # a check that crashes is a failing check, not a traceback
                run.add(step.__name__.strip("_"), "fail", f"the check itself failed: {exc}")
    finally:
        if run.engine is not None:
            run.engine.dispose()
    return run.checks


def failing(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status == "fail"]


# -- settings --------------------------------------------------------------------------------
def _public_url(run: _Run) -> None:
    url = run.settings.public_url
    parts = urlsplit(url)
    setting = "LIFELINE_PUBLIC_URL"
    fix = "set LIFELINE_PUBLIC_URL to the https:// address officers open links at"
    if parts.scheme != "https" or not parts.hostname:
        run.add(
            "public_url",
            run.bad,
            f"{url!r} is not an https URL: links to officers go in clear",
            fix,
            setting,
        )
    elif parts.hostname in LOOPBACK_HOSTS:
        run.add("public_url", run.bad, f"{url!r} points at this machine", fix, setting)
    else:
        run.add("public_url", "ok", url, setting=setting)


def _cookies(run: _Run) -> None:
    if run.settings.console_secure_cookies:
        run.add("secure_cookies", "ok", "console cookies are Secure")
    else:
        run.add(
            "secure_cookies",
            run.bad,
            "console cookies are sent over plain HTTP too",
            "unset LIFELINE_CONSOLE_SECURE_COOKIES (or set it to true)",
            "LIFELINE_CONSOLE_SECURE_COOKIES",
        )


def _private_file(run: _Run, name: str, path: Path, setting: str, created_by: str) -> bool:
    """A key file that exists and is readable by its owner only. True if it can be used."""
    if not path.exists():
        run.add(
            name,
            run.bad,
            f"no key file at {path}",
            f"run `{created_by}` once (it creates the file, mode 0600), or set {setting} to "
            "the key file's path",
            setting,
        )
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        run.add(
            name,
            run.bad,
            f"{path} has mode {mode:04o}: other users of the machine can read it",
            f"chmod 600 {path}",
            setting,
        )
        return True
    run.add(name, "ok", f"{path} (mode {mode:04o})", setting=setting)
    return True


def _data_key(run: _Run) -> None:
    s = run.settings
    if s.data_key is not None:
        from lifeline.adapters.crypto.keyring import Keyring  # noqa: PLC0415 (cryptography)

        index = s.index_key.get_secret_value() if s.index_key else None
        try:
            Keyring.from_env_value(s.data_key.get_secret_value(), index)
        except Exception as exc:
            run.add(
                "data_key",
                "fail",
                f"LIFELINE_DATA_KEY cannot be read: {type(exc).__name__}",
                'set LIFELINE_DATA_KEY to "kid:BASE64KEY" (32 random bytes, base64)',
                "LIFELINE_DATA_KEY",
            )
            return
        run.add("data_key", "ok", "from LIFELINE_DATA_KEY", setting="LIFELINE_DATA_KEY")
        run.keys_ready = True
        return
    run.keys_ready = _private_file(
        run, "data_key", s.data_key_file, "LIFELINE_DATA_KEY_FILE", "lifeline db upgrade"
    )


def _audit_key(run: _Run) -> None:
    s = run.settings
    path = s.audit_key_path
    if s.data_key is None and path.resolve() == s.data_key_file.resolve():
        run.add(
            "audit_key",
            "fail",
            f"the audit key is the data key's file ({path})",
            "set LIFELINE_AUDIT_KEY_FILE to a file of its own",
            "LIFELINE_AUDIT_KEY_FILE",
        )
        run.keys_ready = False
        return
    ready = _private_file(run, "audit_key", path, "LIFELINE_AUDIT_KEY_FILE", "lifeline db upgrade")
    run.keys_ready = run.keys_ready and ready


def _secrets(run: _Run) -> None:
    s = run.settings
    given = {
        "LIFELINE_INDEX_KEY": s.index_key,
        "LIFELINE_SMS_INBOUND_TOKEN": s.sms_inbound_token,
        "LIFELINE_EVENT_WEBHOOK_SECRET": s.event_webhook_secret,
        "LIFELINE_METRICS_TOKEN": s.metrics_token,
        "LIFELINE_IMAP_PASSWORD": s.imap_password,
    }
    weak = []
    for setting, value in given.items():
        if value is None or (setting == "LIFELINE_IMAP_PASSWORD" and not value.get_secret_value()):
            continue
        text = value.get_secret_value().strip()
        if text.lower() in WELL_KNOWN_SECRETS or len(text) < MIN_SECRET_LENGTH:
            weak.append(setting)
    if weak:
        run.add(
            "secrets",
            run.bad,
            f"{', '.join(weak)}: a well-known value or shorter than {MIN_SECRET_LENGTH} characters",
            f"set {', '.join(weak)} to a random value, e.g. `openssl rand -base64 32`",
            weak[0],
        )
        return
    found = ", ".join(k for k, v in given.items() if v is not None) or "none set"
    run.add("secrets", "ok", f"no default or well-known secret ({found})")
    if run.production and s.metrics_token is None:
        run.add(
            "metrics_token",
            "warn",
            "LIFELINE_METRICS_TOKEN is unset: /metrics answers 403 in production",
            "set LIFELINE_METRICS_TOKEN and give Prometheus the same bearer token",
            "LIFELINE_METRICS_TOKEN",
        )


def _var_dir(run: _Run) -> None:
    folder = run.settings.data_key_file.parent
    setting = "LIFELINE_DATA_KEY_FILE"
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        run.add(
            "var_dir",
            "fail",
            f"{existing} is not writable by this user (uid {os.getuid()})",
            f"chown {existing} to the user Lifeline runs as, or point {setting} elsewhere",
            setting,
        )
    elif existing != folder:
        run.add(
            "var_dir",
            run.bad,
            f"{folder} does not exist yet",
            f"mkdir -m 700 {folder} (serve creates it in development)",
            setting,
        )
    else:
        run.add("var_dir", "ok", f"{folder} is writable", setting=setting)


def _clock(run: _Run) -> None:
    from lifeline.bootstrap import SystemClock  # noqa: PLC0415 (the clock the app uses)

    now = SystemClock().now()
    offset = now.utcoffset()
    if offset is None or offset.total_seconds() != 0:
        run.add("clock", "fail", f"the clock gives {now!r}, not timezone-aware UTC", "fix the code")
    elif not 2025 <= now.year < 2100:
        run.add(
            "clock",
            "fail",
            f"the system clock says {now.isoformat()}",
            "set the system time (timedatectl set-ntp true)",
        )
    else:
        run.add("clock", "ok", f"{now.isoformat(timespec='seconds')} (UTC)")


# -- database --------------------------------------------------------------------------------
def _database(run: _Run) -> None:
    from lifeline.adapters.db import migrate  # noqa: PLC0415 (alembic)
    from lifeline.adapters.db.engine import make_engine  # noqa: PLC0415

    url = make_url(run.settings.database_url)
    shown = url.render_as_string(hide_password=True)
    setting = "LIFELINE_DATABASE_URL"
    sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
    # make_engine would create a missing file: doctor creates nothing
    if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).exists():
        run.add(
            "database",
            run.bad,
            f"no database file at {url.database}",
            "run `lifeline db upgrade`",
            setting,
        )
        return
    run.engine = engine = make_engine(run.settings.database_url)
    try:
        current = migrate.current(engine)
    except Exception as exc:
        run.add(
            "database",
            "fail",
            f"cannot reach {shown}: {type(exc).__name__}",
            f"check {setting}, that the server runs and that the role may log in",
            setting,
        )
        return
    head = migrate.head()
    if current != head:
        run.add(
            "database",
            run.bad,
            f"{shown} is at revision {current or 'none'}, not {head}",
            "run `lifeline db upgrade` (in production serve never migrates)",
            setting,
        )
        return
    run.db_ready = True
    run.add("database", "ok", f"{shown} reachable, at revision {head}", setting=setting)


def _migration_url(run: _Run) -> None:
    s = run.settings
    setting = "LIFELINE_MIGRATION_DATABASE_URL"
    sqlite = make_url(s.database_url).get_backend_name() == "sqlite"
    if s.migration_database_url is not None:
        run.add("migration_url", "ok", "`db upgrade` uses LIFELINE_MIGRATION_DATABASE_URL")
    elif run.production and not sqlite:
        run.add(
            "migration_url",
            "warn",
            "`db upgrade` uses LIFELINE_DATABASE_URL: the role serving requests owns the schema",
            f"set {setting} to a role that owns the schema and give the app's role only "
            "SELECT, INSERT, UPDATE, DELETE (docs/operations.md)",
            setting,
        )
    else:
        run.add("migration_url", "ok", "`db upgrade` uses LIFELINE_DATABASE_URL")


def _workers(run: _Run) -> None:
    sqlite = make_url(run.settings.database_url).get_backend_name() == "sqlite"
    if sqlite and run.separate_workers:
        run.add(
            "workers",
            run.bad,
            "SQLite with separate worker processes: writers queue on one file lock",
            "use PostgreSQL (LIFELINE_DATABASE_URL) for separate workers, or on SQLite run "
            "only `lifeline serve` with its embedded worker (LIFELINE_WORKERS=embedded)",
            "LIFELINE_WORKERS",
        )
    else:
        where = "separate processes" if run.separate_workers else "inside `lifeline serve`"
        run.add("workers", "ok", f"jobs run {where}", setting="LIFELINE_WORKERS")


def _demo_data(run: _Run) -> None:
    from lifeline.adapters.db.tables import core  # noqa: PLC0415

    creds = run.settings.data_key_file.parent / "demo-credentials.json"
    found = [f"{creds}"] if creds.exists() else []
    if run.db_ready and run.engine is not None:
        with run.engine.connect() as conn:
            partners = conn.execute(
                select(core.partners.c.key_id).where(core.partners.c.name == DEMO_PARTNER)
            ).all()
            alerts = conn.execute(
                select(core.alerts.c.id).where(core.alerts.c.reference.like(DEMO_REFERENCE))
            ).all()
        if partners:
            found.append(f"partner {DEMO_PARTNER!r} ({partners[0][0]})")
        if alerts:
            found.append(f"{len(alerts)} demo alerts")
    if found:
        run.add(
            "demo_data",
            run.bad,
            "demo data present (`lifeline demo seed`): " + "; ".join(found),
            "use a fresh database and key folder for production, without `demo seed` "
            "(the demo admin's password and partner secret are in the credentials file)",
            "LIFELINE_DATABASE_URL",
        )
    else:
        run.add("demo_data", "ok", "no demo data")


# -- what the desk depends on ----------------------------------------------------------------
def _application(run: _Run) -> Lifeline | None:
    """The wired application, only when it can be built without creating anything."""
    if not (run.db_ready and run.keys_ready):
        return None
    from lifeline.bootstrap import bootstrap  # noqa: PLC0415

    return bootstrap(run.settings)


def _registry_and_channels(run: _Run) -> None:
    app = _application(run)
    if app is None:
        why = "needs the database at head and the keys (see above)"
        run.add("registry", "warn", f"not checked: {why}", "fix the checks above")
        run.add("channels", "warn", f"not checked: {why}", "fix the checks above")
        return
    from lifeline.services.location.registry import current_registry  # noqa: PLC0415

    try:
        units, version = current_registry(app.ctx)
        today = app.clock.now().date()
        in_force = [u for u in units if u.valid_on(today)]
        _registry(run, in_force, version)
        _channels(run, app, in_force)
    finally:
        app.dispose()


def _registry(run: _Run, units: list[RegistryUnit], version: str) -> None:
    notifiable = [u for u in units if u.kind.value in ("police_station", "cell", "control_room")]
    silent = [u.id for u in notifiable if not u.contacts]
    status: Status = "warn" if silent else "ok"
    found = f"registry {version}: {len(units)} units in force"
    if silent:
        found += f"; {len(silent)} of {len(notifiable)} stations, cells and control rooms have no "
        found += f"contacts (e.g. {', '.join(silent[:3])})"
    run.add(
        "registry",
        status,
        found,
        "add contacts with `lifeline registry export`, edit, `lifeline registry import`",
        "registry",
    )
    smc = next((u for u in units if u.id == SMC_UNIT), None)
    if smc is None or not smc.contacts:
        run.add(
            "smc_contacts",
            run.bad,
            f"the {SMC_UNIT} unit has no contacts: the desk-unattended alarm pages nobody",
            f"give {SMC_UNIT} the shift in-charge's contacts in the registry and import it",
            "registry",
        )
    else:
        run.add("smc_contacts", "ok", f"{SMC_UNIT} has {len(smc.contacts)} contact(s)")


def _channels(run: _Run, app: Lifeline, units: list[RegistryUnit]) -> None:
    problems = []
    count = 0
    channels = app.ctx.channels
    for unit in units:
        for contact in unit.contacts:
            for n, url in enumerate(contact.channels, start=1):
                count += 1
                problem = "no channel adapter" if channels is None else channels.check(url)
                if problem is not None:
                    problems.append(f"{unit.id} / {contact.name} channel {n}: {problem}")
    hooks = [*app.settings.webhook_urls, app.settings.audit_anchor_webhook or ""]
    for hook in (h for h in hooks if h):
        count += 1
        parts = urlsplit(hook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"webhook {parts.scheme or '?'}://…: not an http(s) URL with a host")
    if problems:
        run.add(
            "channels",
            "fail",
            f"{len(problems)} of {count} channel URLs cannot be used: " + "; ".join(problems[:5]),
            "correct the URLs in the registry (or LIFELINE_EVENT_WEBHOOKS, "
            "LIFELINE_AUDIT_ANCHOR_WEBHOOK)",
            "registry",
        )
    else:
        run.add("channels", "ok", f"{count} channel URLs parse")


def _triage_model(run: _Run) -> None:
    from lifeline.adapters.classifier.lazy import shared_classifier  # noqa: PLC0415

    try:
        model = shared_classifier()
    except Exception as exc:
        run.add(
            "triage_model",
            "fail",
            f"the model file does not load: {exc}",
            "reinstall Lifeline, or rebuild the model with `lifeline model train`",
        )
        return
    run.add("triage_model", "ok", f"model {model.version} loaded")


def _pdf_font(run: _Run) -> None:
    from lifeline.adapters.reports.fonts import FontMissing, devanagari_font  # noqa: PLC0415

    try:
        font = devanagari_font(run.settings.report_font)
    except FontMissing as exc:
        run.add(
            "pdf_font",
            "warn",
            str(exc),
            "apt-get install fonts-lohit-deva, or set LIFELINE_REPORT_FONT",
            "LIFELINE_REPORT_FONT",
        )
        return
    run.add("pdf_font", "ok", str(font), setting="LIFELINE_REPORT_FONT")
