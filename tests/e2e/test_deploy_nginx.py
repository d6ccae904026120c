"""deploy/nginx/lifeline.conf with the real nginx in front of a real `lifeline serve`: TLS with a
certificate made here, HTTP redirected to HTTPS, one of each security header (the console's own
kept), bodies over LIFELINE_MAX_BODY_BYTES refused, and the client's real address seen by the app
(trusted from the proxy only, a forged X-Forwarded-For ignored)."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from e2e_harness import Deployment

from lifeline.settings import Settings
from lifeline.web.console.common import SECURITY_HEADERS
from support import alert_body, dumps, free_port

#: the proxy does not care which database is behind the app
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "lifeline.conf"
#: the client's own address: another loopback address than nginx's own connection to the app
CLIENT = "127.0.0.2"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("nginx is not installed; .ci/run installs it")
    pytest.skip(
        "nginx is not installed (apt-get install nginx-light): the proxy is not tested", True
    )


def _certificate(home: Path) -> tuple[Path, Path]:
    cert, key = home / "tls.crt", home / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _main_conf(home: Path, site: str) -> Path:
    """nginx.conf around the site file, everything under `home` (no root, no /var/log)."""
    (home / "site.conf").write_text(site)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {home}/{kind};" for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = home / "nginx.conf"
    main.write_text(
        f"{user}pid {home}/nginx.pid;\nerror_log {home}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {home}/body;\n  {temp}\n"
        f"  include {home}/site.conf;\n}}\n"
    )
    return main


def _site(cert: Path, key: Path, *, http: int, https: int, api: int) -> str:
    """The shipped file with this test's ports and certificate, nothing else changed."""
    site = CONF.read_text()
    site = site.replace("/etc/lifeline/tls/lifeline.crt", str(cert))
    site = site.replace("/etc/lifeline/tls/lifeline.key", str(key))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = re.sub(r"\n\s*listen \[::\]:\S+( ssl http2)?;", "", site)
    # the first API process is the test's server, the second one is down (nothing listens)
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{api}")
    return site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{free_port()}")


@dataclass
class Proxy:
    http: str
    https: str
    tls: ssl.SSLContext

    def client(self) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=CLIENT, verify=self.tls)
        return httpx.Client(transport=transport, timeout=30, follow_redirects=False)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text() if log.exists() else "nginx exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx did not listen")


@pytest.fixture
def deployment(migrated_database_url: str, tmp_path: Path) -> Iterator[Deployment]:
    dep = Deployment(migrated_database_url, tmp_path)
    dep.migrate()
    try:
        yield dep
    finally:
        dep.close()


@pytest.fixture
def proxy(deployment: Deployment, tmp_path: Path) -> Iterator[Proxy]:
    nginx = _nginx()
    server = deployment.start("--no-worker", "--no-mail", forwarded_allow_ips="127.0.0.1")
    home = tmp_path / "nginx"
    home.mkdir()
    cert, key = _certificate(home)
    http, https = free_port(), free_port()
    main = _main_conf(home, _site(cert, key, http=http, https=https, api=server.port))
    checked = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(home)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(
        [nginx, "-c", str(main), "-p", str(home), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(https, proc, home / "error.log")
        yield Proxy(
            f"http://127.0.0.1:{http}",
            f"https://127.0.0.1:{https}",
            ssl.create_default_context(cafile=str(cert)),
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_shipped_file_passes_nginx_t_as_it_is(tmp_path: Path) -> None:
    """Only the certificate paths changed: the listen lines, upstream and headers as shipped."""
    nginx = _nginx()
    cert, key = _certificate(tmp_path)
    site = CONF.read_text().replace("/etc/lifeline/tls/lifeline.crt", str(cert))
    main = _main_conf(tmp_path, site.replace("/etc/lifeline/tls/lifeline.key", str(key)))
    checked = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


@sqlite_only
def test_plain_http_is_redirected_to_https(proxy: Proxy) -> None:
    with proxy.client() as client:
        response = client.get(proxy.http + "/console/sign-in?next=%2Fconsole")
    assert response.status_code == 301
    assert response.headers["location"].startswith("https://127.0.0.1")
    assert response.headers["location"].endswith("/console/sign-in?next=%2Fconsole")


def _one(response: httpx.Response, name: str) -> str:
    values = response.headers.get_list(name)
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


@sqlite_only
def test_the_proxy_adds_the_security_headers_and_keeps_the_consoles_own(proxy: Proxy) -> None:
    with proxy.client() as client:
        health = client.get(proxy.https + "/healthz")
        console = client.get(proxy.https + "/console/sign-in")
    # degraded (503) here: no worker runs beside this server; the headers are there all the same
    assert health.status_code == 503
    assert health.json()["status"] != "ok"
    assert console.status_code == 200
    for response in (health, console):
        assert _one(response, "strict-transport-security").startswith("max-age=63072000")
        assert _one(response, "x-content-type-options") == "nosniff"
        assert _one(response, "x-frame-options") == "DENY"
        assert "server" not in response.headers or "nginx/" not in response.headers["server"]
    # JSON: the proxy's defaults; the console: the app's own policy, not replaced or doubled
    assert "frame-ancestors 'none'" in _one(health, "content-security-policy")
    assert _one(health, "referrer-policy") == "no-referrer"
    assert _one(console, "content-security-policy") == SECURITY_HEADERS["Content-Security-Policy"]
    assert _one(console, "referrer-policy") == SECURITY_HEADERS["Referrer-Policy"]


@sqlite_only
def test_a_body_over_the_apps_limit_is_refused_by_the_proxy(proxy: Proxy) -> None:
    limit = Settings(_env_file=None).max_body_bytes
    site = CONF.read_text()
    assert "client_max_body_size 1m;" in site and limit == 1024 * 1024
    with proxy.client() as client:
        response = client.post(
            proxy.https + "/api/v1/alerts",
            content=b"x" * (limit + 1),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413


def _failed_sign_in_addresses(dep: Deployment) -> set[str]:
    app = dep.open_app()
    try:
        with app.ctx.uow(readonly=True) as uow:
            return {
                r.details["address"]
                for r in uow.audit.records()
                if r.action == "user.sign_in_failed"
            }
    finally:
        app.dispose()


@sqlite_only
def test_the_app_sees_the_clients_address_not_the_proxys_or_a_forged_one(
    proxy: Proxy, deployment: Deployment
) -> None:
    with proxy.client() as client:
        for n, forged in enumerate([None, "198.51.100.7", "198.51.100.8, 10.0.0.1"]):
            response = client.post(
                proxy.https + "/api/v1/auth/token",
                json={"username": f"nobody{n}", "password": "wrong", "totp": "000000"},
                headers={"X-Forwarded-For": forged} if forged else {},
            )
            assert response.status_code == 401, response.text
    app = deployment.open_app()
    try:
        expected = {app.address_key(CLIENT)}
        assert app.address_key("127.0.0.1") not in expected
    finally:
        app.dispose()
    assert _failed_sign_in_addresses(deployment) == expected


@sqlite_only
def test_alerts_through_the_proxy_are_taken_once_each_with_an_api_process_down(
    proxy: Proxy, deployment: Deployment
) -> None:
    """Round robin sends some requests to the process that is down first: nginx moves them to
    the live one (a refused connection: nothing was sent), and none is taken twice."""
    with proxy.client() as client:
        for n in range(4):
            body = dumps(alert_body(reference=f"FB-PROXY-{n}", subject={"handle": f"p.{n}"}))
            response = client.post(
                proxy.https + "/api/v1/alerts",
                content=body,
                headers=deployment.partner.headers(body),
            )
            assert response.status_code == 202, response.text
    cases = deployment.cases()
    assert len(cases) == 4


@sqlite_only
def test_the_monitoring_stream_has_its_own_body_limit_at_the_proxy(proxy: Proxy) -> None:
    """Over LIFELINE_MAX_BODY_BYTES but under LIFELINE_MONITORING_MAX_BODY_BYTES: passed on to
    the app on the monitoring path only (which refuses it unsigned, 401); over the monitoring
    limit: refused by the proxy too."""
    settings = Settings(_env_file=None)
    assert "client_max_body_size 8m;" in CONF.read_text()
    assert settings.monitoring_max_body_bytes == 8 * 1024 * 1024
    body = b" " * (2 * settings.max_body_bytes)
    headers = {"Content-Type": "application/json"}
    with proxy.client() as client:
        taken = client.post(proxy.https + "/api/v1/monitoring/posts", content=body, headers=headers)
        alert = client.post(proxy.https + "/api/v1/alerts", content=body, headers=headers)
        huge = client.post(
            proxy.https + "/api/v1/monitoring/posts",
            content=b" " * (settings.monitoring_max_body_bytes + 1),
            headers=headers,
        )
    assert taken.status_code == 401 and taken.json()["error"]["code"] == "authentication_failed"
    assert alert.status_code == 413
    assert huge.status_code == 413
