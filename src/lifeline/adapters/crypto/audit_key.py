"""The audit key file: the secret the audit chain and its checkpoints are MACed with.

Kept in its own file, apart from the data key: a copy of the data key (e.g. on a machine that
restores backups) must not let anyone rewrite the audit log. Created on first start with mode
0600, without ever replacing a key another process created at the same moment (hard link of
a finished temporary file: the first one wins, the others read it).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from lifeline.domain.audit import AuditKey


class AuditKeyError(Exception):
    """The audit key file is missing, malformed, or the same file as the data key."""


def load_or_create_audit_key(path: Path, data_key_file: Path | None) -> tuple[AuditKey, bool]:
    """Read the audit key, or create it (mode 0600). Returns (key, created)."""
    if data_key_file is not None and _same_file(path, data_key_file):
        raise AuditKeyError(
            f"LIFELINE_AUDIT_KEY_FILE and LIFELINE_DATA_KEY_FILE are the same file ({path}): "
            "keep the audit key apart from the data key"
        )
    if path.exists():
        return _read(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    data = {
        "version": 1,
        "key": base64.urlsafe_b64encode(secret).decode(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the key first
        except FileExistsError:
            return _read(path), False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return AuditKey(secret), True


def _read(path: Path) -> AuditKey:
    try:
        data = json.loads(path.read_text())
        secret = base64.urlsafe_b64decode(data["key"])
        return AuditKey(secret)
    except (KeyError, ValueError, TypeError) as exc:
        raise AuditKeyError(f"audit key file {path} is malformed: {exc}") from exc


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:
        return False  # one of them does not exist yet
