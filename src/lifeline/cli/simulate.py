"""`lifeline simulate`: send realistic alerts to a running server over SMTP and the signed API."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lifeline.cli.common import JsonOpt, app, emit, err, out
from lifeline.services.access.accounts import sign
from lifeline.simulate import Scenario, make_api_alert, make_email, utcnow

if TYPE_CHECKING:
    import smtplib


@app.command()
def simulate(
    count: Annotated[int, typer.Option(help="How many alerts to send.")] = 20,
    rate: Annotated[float, typer.Option(help="Alerts per second (0: as fast as possible).")] = 2.0,
    via: Annotated[str, typer.Option(help="smtp, http or both (alternating).")] = "both",
    smtp: Annotated[str, typer.Option(help="SMTP intake host:port.")] = "127.0.0.1:2525",
    url: Annotated[str, typer.Option(help="API base URL.")] = "http://127.0.0.1:8000",
    key_id: Annotated[str | None, typer.Option(envvar="LIFELINE_PARTNER_KEY")] = None,
    secret: Annotated[str | None, typer.Option(envvar="LIFELINE_PARTNER_SECRET")] = None,
    demo: Annotated[
        bool, typer.Option(help="Use the demo partner from var/demo-credentials.json.")
    ] = False,
    follow_ups: Annotated[float, typer.Option(help="Share of follow-up alerts.")] = 0.2,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same alerts).")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Send realistic platform alerts (Hindi, Hinglish, English; many email formats; places in
    and outside UP; follow-ups) for demos and load tests. With a partner key (or --demo), mail
    is sent with SMTP AUTH as that partner, so it counts as from a verified sender."""
    # heavy to import (httpx; smtplib brings ssl): only this command sends alerts
    import smtplib  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    if demo:
        creds = json.loads(Path("var/demo-credentials.json").read_text())["partner"]
        key_id, secret = creds["key_id"], creds["secret"]
    if via in ("http", "both") and not (key_id and secret):
        err.print("the HTTP API needs --key-id and --secret (or --demo)")
        raise typer.Exit(2)
    host, _, port = smtp.rpartition(":")
    scenario = Scenario(seed=seed, follow_up_share=follow_ups)
    results: list[dict[str, object]] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for i in range(count):
            person, earlier, fmt = scenario.next()
            channel = via if via != "both" else ("smtp" if i % 2 == 0 or earlier else "http")
            started = time.perf_counter()
            if channel == "smtp":
                raw = make_email(person, fmt, utcnow(), follow_up_of=earlier)
                try:
                    with smtplib.SMTP(host, int(port), timeout=30) as conn:
                        _authenticate(conn, key_id, secret)
                        conn.sendmail(_sender(raw), ["smc-alerts@uppolice.example"], raw)
                    status: object = 250
                except smtplib.SMTPException as exc:
                    status = f"{type(exc).__name__}: {exc}"
            else:
                body = json.dumps(make_api_alert(person, utcnow()), ensure_ascii=False).encode()
                ts = str(int(time.time()))
                response = client.post(
                    "/api/v1/alerts",
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Lifeline-Key": str(key_id),
                        "X-Lifeline-Timestamp": ts,
                        "X-Lifeline-Signature": sign(str(secret), ts, body),
                    },
                )
                status = response.status_code
            results.append(
                {
                    "channel": channel,
                    "format": fmt if channel == "smtp" else "api",
                    "follow_up": earlier is not None,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
            if not as_json:
                out.print(
                    f"{i + 1:>4} {channel:<4} {results[-1]['format']:<16} "
                    f"{'follow-up ' if earlier else ''}{person.platform} → {status}"
                )
            if rate > 0:
                time.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))
    failed = [r for r in results if r["status"] not in (202, 250)]
    if as_json:
        emit({"sent": len(results), "failed": len(failed), "results": results})
    if failed:
        raise typer.Exit(1)


def _authenticate(conn: smtplib.SMTP, key_id: str | None, secret: str | None) -> None:
    """Sign in as the partner (SMTP AUTH with its key id and secret), as a platform's mail
    server would, so the intake can trust the sender; over TLS when the server offers it (it
    takes AUTH in clear on loopback only). Without a key, mail goes unauthenticated and the
    intake marks it *sender not verified*."""
    if not (key_id and secret):
        return
    conn.ehlo()
    if conn.has_extn("starttls"):
        conn.starttls()
        conn.ehlo()
    if conn.has_extn("auth"):
        conn.login(key_id, secret)


def _sender(raw: bytes) -> str:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"from:"):
            value = line.split(b":", 1)[1].decode(errors="replace").strip()
            return value.rpartition("<")[2].rstrip(">").strip()
    return ""
