"""A real IMAP server for tests: Debian's dovecot, run as a private instance on a free port
(.ci/run installs the dovecot-imapd package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from support import free_port

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/home/%u/Maildir
log_path = {root}/dovecot.log
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    port: int
    user: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.append(folder, raw)
        finally:
            client.logout()


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """Start a private dovecot; its files live in a world-traversable temporary directory
    because dovecot's auth process runs as the `dovecot` user."""
    binary = dovecot_binary()
    assert binary is not None
    root = Path(tempfile.mkdtemp(prefix="lifeline-dovecot-"))
    root.chmod(0o755)
    unprivileged = 65534  # dovecot refuses to give mail to uid 0; "nobody" owns the mailboxes
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(root / "home", unprivileged, unprivileged)
    uid = unprivileged if os.geteuid() == 0 else os.geteuid()
    gid = unprivileged if os.geteuid() == 0 else os.getegid()
    server = ImapServer(free_port(), "alerts", "imap-test-password")
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=server.port, uid=uid, gid=gid))
    # dovecot daemonises: its children must not hold our pipes open, or run() waits for them
    subprocess.run(
        [binary, "-c", str(config)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                server.client().logout()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server
    finally:
        subprocess.run(
            [binary, "-c", str(config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
        shutil.rmtree(root, ignore_errors=True)
