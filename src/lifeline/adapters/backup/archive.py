"""The backup archive: a tar stream (manifest first, then the members) sealed in AES-256-GCM
chunks under the backup key, written and read as a stream (a dump of gigabytes never sits
in memory).

File layout: `MAGIC` (16 bytes), a random 16-byte salt, a 16-byte key tag (an HMAC of the
two under the backup key: a wrong key is told from an altered file), then chunks, each a
4-byte big-endian length and the chunk's ciphertext with its tag. The chunk key is
HKDF(backup key, salt); chunk i's nonce is i (96 bits), and its associated data is the header,
i and whether it is the last chunk. So a reordered, dropped, edited or appended chunk fails
authentication, and a file cut short (a disk that filled up) lacks its authenticated last
chunk: nothing of a bad archive is taken as good.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import secrets
import struct
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lifeline.adapters.crypto.key_file import create_key_file, same_file

MAGIC = b"LIFELINE-BACKUP1"
CHUNK = 1 << 20
#: a chunk's ciphertext is at most this long (CHUNK + the 16-byte tag)
_MAX_SEALED = CHUNK + 16
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup that cannot be written, read or trusted; the message says which and why."""


# -- the backup key ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupKey:
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise BackupError("a backup key must be 32 bytes")

    @property
    def key_id(self) -> str:
        """Names the key in the manifest without revealing it."""
        return hashlib.sha256(b"lifeline backup key id" + self.secret).hexdigest()[:16]


def load_or_create_backup_key(path: Path, others: list[Path]) -> tuple[BackupKey, bool]:
    """Read the backup key file, or create it (0600, never replacing one made at the same
    moment). Refused if it is the data or audit key's file. Returns (key, created)."""
    for other in others:
        if same_file(path, other):
            raise BackupError(
                f"LIFELINE_BACKUP_KEY_FILE is the same file as {other}: keep the backup key "
                "apart from the data and audit keys"
            )
    if path.exists():
        return read_backup_key(path), False
    secret = create_key_file(path, dir_mode=0o700)
    if secret is None:
        return read_backup_key(path), False
    return BackupKey(secret), True


def read_backup_key(path: Path) -> BackupKey:
    try:
        data = json.loads(path.read_text())
        return BackupKey(base64.urlsafe_b64decode(data["key"]))
    except FileNotFoundError:
        raise BackupError(
            f"no backup key at {path} (LIFELINE_BACKUP_KEY_FILE): copy in the key the backup "
            "was made with"
        ) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise BackupError(f"backup key file {path} is malformed: {exc}") from None


# -- sealing -------------------------------------------------------------------------------------
def _key_tag(key: BackupKey, start: bytes) -> bytes:
    check = HKDF(SHA256(), 32, salt=None, info=b"lifeline backup key tag v1").derive(key.secret)
    return hmac.new(check, start, hashlib.sha256).digest()[:16]


def _chunk_cipher(key: BackupKey, salt: bytes) -> AESGCM:
    derived = HKDF(SHA256(), 32, salt=salt, info=b"lifeline backup archive v1").derive(key.secret)
    return AESGCM(derived)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def _nonce(index: int) -> bytes:
    return struct.pack(">IQ", 0, index)


class _SealingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given in chunks onto `out`."""

    def __init__(self, out: IO[bytes] | io.RawIOBase, key: BackupKey) -> None:
        super().__init__()
        salt = secrets.token_bytes(16)
        self.header = MAGIC + salt + _key_tag(key, MAGIC + salt)
        self.aead = _chunk_cipher(key, salt)
        self.out = out
        self.buffer = bytearray()
        self.index = 0
        out.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        while len(self.buffer) > CHUNK:  # keep one back: the last chunk is sealed as last
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def finish(self) -> None:
        self._seal(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.index), plain, _aad(self.header, self.index, last))
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.index += 1


class _OpeningReader(io.RawIOBase):
    """A read-only stream of the plain bytes of a sealed archive; raises BackupError at the
    first chunk that fails, and at the end of a file without its last chunk."""

    def __init__(self, source: IO[bytes], key: BackupKey) -> None:
        super().__init__()
        self.source = source
        self.digest = hashlib.sha256()
        header = self._take(len(MAGIC) + 32)
        start, tag = header[:-16], header[-16:]
        if header[: len(MAGIC)] != MAGIC:
            raise BackupError("not a Lifeline backup (wrong header)")
        if not hmac.compare_digest(_key_tag(key, start), tag):
            raise BackupError(
                "the backup was not made with this backup key (LIFELINE_BACKUP_KEY_FILE), or "
                "its header was altered"
            )
        self.header = header
        self.aead = _chunk_cipher(key, start[len(MAGIC) :])
        self.pending = b""
        self.offset = 0
        self.index = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def _take(self, n: int) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        if len(data) != n:
            raise BackupError(
                "the backup is cut short (partly written, or copied incompletely): "
                "it has no authenticated end"
            )
        return data

    def _next_chunk(self) -> None:
        (length,) = struct.unpack(">I", self._take(4))
        if length > _MAX_SEALED or length < 16:
            raise BackupError(f"chunk {self.index} of the backup is damaged (length {length})")
        sealed = self._take(length)
        # which of the two it is shows in the associated data: try "more follow" first
        for last in (False, True):
            try:
                plain = self.aead.decrypt(
                    _nonce(self.index), sealed, _aad(self.header, self.index, last)
                )
            except InvalidTag:
                continue
            self.index += 1
            self.pending, self.offset = plain, 0
            if last:
                self.done = True
                if self.source.read(1):
                    raise BackupError("the backup has bytes after its authenticated end")
            return
        raise BackupError(f"chunk {self.index} of the backup fails authentication (altered)")

    def readinto(self, b: Any) -> int:
        while self.offset == len(self.pending) and not self.done:
            self._next_chunk()
        n = min(len(b), len(self.pending) - self.offset)
        b[:n] = self.pending[self.offset : self.offset + n]
        self.offset += n
        return n


# -- the archive ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    name: str
    path: Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def write_archive(
    target: Path, key: BackupKey, manifest: dict[str, Any], members: list[Member]
) -> str:
    """Write the archive to `target` (0600): to a temporary file beside it, fsynced, then
    renamed, so a failure (disk full) leaves no file under the name. Returns the sha256 of the
    archive file. The manifest gets each member's size and sha256."""
    manifest = {
        **manifest,
        "members": {
            m.name: {"size": m.path.stat().st_size, "sha256": sha256_file(m.path)} for m in members
        },
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            hashing = _HashingFile(raw)
            sealer = _SealingWriter(hashing, key)
            with tarfile.open(fileobj=sealer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))
                for m in members:
                    with m.path.open("rb") as fh:
                        tar.addfile(_info(m.name, m.path.stat().st_size), fh)
            sealer.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself, on the directory
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return hashing.digest.hexdigest()


class _HashingFile(io.RawIOBase):
    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self.out = out
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return self.out.write(data)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    return info


@dataclass(frozen=True)
class OpenedArchive:
    manifest: dict[str, Any]
    #: sha256 of the archive file
    sha256: str
    #: member name -> extracted file (only when extracting)
    files: dict[str, Path]


def read_archive(source: Path, key: BackupKey, extract_to: Path | None = None) -> OpenedArchive:
    """Decrypt the whole archive and check every member against the manifest (and that the
    manifest names no member that is missing); with `extract_to`, write the members there
    (0600). BackupError on anything wrong: nothing is returned for a bad archive."""
    try:
        fh = source.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from None
    with fh:
        reader = _OpeningReader(fh, key)
        stream = io.BufferedReader(reader, CHUNK)
        manifest: dict[str, Any] | None = None
        files: dict[str, Path] = {}
        seen: set[str] = set()
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for info in tar:
                    manifest, files = _read_member(tar, info, manifest, files, seen, extract_to)
            # the tar end may come before the last chunk's end: read to the sealed end
            while stream.read(CHUNK):
                pass
        except tarfile.TarError as exc:
            raise BackupError(f"the backup's contents are not a valid archive: {exc}") from None
        if not reader.done:
            raise BackupError("the backup is cut short: it has no authenticated end")
    if manifest is None:
        raise BackupError("the backup has no manifest")
    missing = sorted(set(manifest.get("members", {})) - seen)
    if missing:
        raise BackupError(f"the backup lacks members its manifest lists: {', '.join(missing)}")
    return OpenedArchive(manifest, reader.digest.hexdigest(), files)


def _read_member(
    tar: tarfile.TarFile,
    info: tarfile.TarInfo,
    manifest: dict[str, Any] | None,
    files: dict[str, Path],
    seen: set[str],
    extract_to: Path | None,
) -> tuple[dict[str, Any] | None, dict[str, Path]]:
    if not info.isfile():
        raise BackupError(f"the backup holds {info.name!r}, which is not a plain file")
    data = tar.extractfile(info)
    if data is None:  # pragma: no cover (isfile above)
        raise BackupError(f"cannot read {info.name!r}")
    if manifest is None:
        if info.name != MANIFEST:
            raise BackupError("the backup does not start with its manifest")
        try:
            found = json.loads(data.read(16 << 20))
        except ValueError as exc:
            raise BackupError(f"the backup's manifest is not JSON: {exc}") from None
        if not isinstance(found, dict) or found.get("format") != FORMAT_VERSION:
            raise BackupError(
                f"the backup's manifest is not format {FORMAT_VERSION} (made by a newer "
                "version of Lifeline?)"
            )
        return found, files
    expected = manifest.get("members", {}).get(info.name)
    if expected is None or info.name in seen:
        raise BackupError(f"the backup holds {info.name!r}, which its manifest does not list")
    seen.add(info.name)
    digest = hashlib.sha256()
    out: IO[bytes] | None = None
    if extract_to is not None:
        # our own file name: never a path from the archive
        path = extract_to / f"member-{len(files)}"
        out = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        files[info.name] = path
    try:
        while block := data.read(CHUNK):
            digest.update(block)
            if out is not None:
                out.write(block)
    finally:
        if out is not None:
            out.close()
    if digest.hexdigest() != expected.get("sha256"):
        raise BackupError(
            f"{info.name} in the backup does not match the sha256 its manifest records"
        )
    return manifest, files
