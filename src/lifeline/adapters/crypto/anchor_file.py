"""The audit anchor file: signed checkpoints of the audit chain, one JSON line each, appended
outside the database (created 0600, opened O_APPEND, each line fsynced before the checkpoint
is recorded as written). Mark it append-only on the host (`chattr +a`) and ship it off-host."""

from __future__ import annotations

import os
from pathlib import Path


class AnchorFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def append(self, line: str) -> None:
        if "\n" in line:
            raise ValueError("a checkpoint is one line")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot append a checkpoint to {self.path}: {exc.strerror}"
            ) from exc

    def lines(self) -> list[str]:
        """Every line (an absent file has none); bytes that are not UTF-8 are kept visible."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return raw.decode("utf-8", errors="replace").split("\n")
