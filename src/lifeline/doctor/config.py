"""Checks of the settings and the host: public URL, cookies, keys, secrets, var/, clock."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

from lifeline.doctor.base import Run

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
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")  # noqa: S104 (names, not a bind)


def public_url(run: Run) -> None:
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


def cookies(run: Run) -> None:
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


def private_file(run: Run, name: str, path: Path, setting: str, created_by: str) -> bool:
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


def data_key(run: Run) -> None:
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
    run.keys_ready = private_file(
        run, "data_key", s.data_key_file, "LIFELINE_DATA_KEY_FILE", "lifeline db upgrade"
    )


def audit_key(run: Run) -> None:
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
    ready = private_file(run, "audit_key", path, "LIFELINE_AUDIT_KEY_FILE", "lifeline db upgrade")
    run.keys_ready = run.keys_ready and ready


def secrets(run: Run) -> None:
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


def var_dir(run: Run) -> None:
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


def clock(run: Run) -> None:
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
