"""Key files beside the data key (the audit key, the backup key): a JSON file of one random
32-byte secret, created atomically with mode 0600, and a check that two settings do not name
the same file (a key kept "apart" must really be another file)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, a hard link, a bind mount)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False  # one of them does not exist yet


def create_key_file(path: Path, *, dir_mode: int = 0o777) -> bytes | None:
    """Write a new random secret to `path` (0600, fsynced, never half-written); None if another
    process created the file first (read that one instead)."""
    path.parent.mkdir(mode=dir_mode, parents=True, exist_ok=True)
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
            return None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return secret
