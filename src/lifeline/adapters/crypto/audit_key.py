"""The audit key file: the secret the audit chain and its checkpoints are MACed with.

Kept in its own file, apart from the data key: a copy of the data key (e.g. on a machine that
restores backups) must not let anyone rewrite the audit log. Created on first start with mode
0600, without ever replacing a key another process created at the same moment (hard link of
a finished temporary file: the first one wins, the others read it).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from lifeline.adapters.crypto.key_file import create_key_file, same_file
from lifeline.domain.audit import AuditKey


class AuditKeyError(Exception):
    """The audit key file is missing, malformed, or the same file as the data key."""


def load_or_create_audit_key(path: Path, data_key_file: Path | None) -> tuple[AuditKey, bool]:
    """Read the audit key, or create it (mode 0600). Returns (key, created)."""
    if data_key_file is not None and same_file(path, data_key_file):
        raise AuditKeyError(
            f"LIFELINE_AUDIT_KEY_FILE and LIFELINE_DATA_KEY_FILE are the same file ({path}): "
            "keep the audit key apart from the data key"
        )
    if path.exists():
        return _read(path), False
    secret = create_key_file(path)
    if secret is None:
        return _read(path), False
    return AuditKey(secret), True


def _read(path: Path) -> AuditKey:
    try:
        data = json.loads(path.read_text())
        secret = base64.urlsafe_b64decode(data["key"])
        return AuditKey(secret)
    except (KeyError, ValueError, TypeError) as exc:
        raise AuditKeyError(f"audit key file {path} is malformed: {exc}") from exc
