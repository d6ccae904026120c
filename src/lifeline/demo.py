"""Demo data for `make run`: a partner, an admin and sample cases in Hindi, Hinglish and English;
in demo mode (LIFELINE_DEMO=true, set by `make run`) also a registry overlay giving every
notifiable unit without contacts a contact on the demo inbox (`demo://inbox/<unit id>`), so a
newcomer sees each message arrive at /console/demo-inbox and can acknowledge it there.

Seeding happens once; the credentials are kept in var/demo-credentials.json (mode 0600) so
later runs can print how to sign in and post an alert again.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Role
from lifeline.domain.alert import Alert, AlertSource, Caller, LocationHint, Post, PostKind, Subject
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.location.contacts import import_contacts
from lifeline.services.location.registry import current_registry

SAMPLES: list[dict[str, Any]] = [
    {
        "platform": "facebook",
        "reference": "FB-DEMO-0001",
        "subject": {"name": "Demo User One", "handle": "demo.user.one"},
        "post": {"text": "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी", "kind": "text"},
        "location": {"text": "Madeyganj, Lucknow", "pin": "226020", "ip_city": "Lucknow"},
    },
    {
        "platform": "instagram",
        "reference": "IG-DEMO-0002",
        "subject": {"handle": "@demo_two"},
        "post": {"text": "ab aur nahi hota yaar, sab khatam kar dunga aaj raat", "kind": "text"},
        "location": {"text": "Chinhat, Lucknow", "ip_city": "Lucknow"},
    },
    {
        "platform": "facebook",
        "reference": "FB-DEMO-0003",
        "subject": {"name": "Demo User Three", "profile_url": "https://facebook.com/demo.three"},
        "post": {"text": "Going live. This is goodbye, I am sorry to everyone.", "kind": "live"},
        "location": {"lat": 25.3176, "lon": 82.9739, "ip_city": "Varanasi"},
    },
    # a follow-up about the first subject: merges into its case
    {
        "platform": "facebook",
        "reference": "FB-DEMO-0004",
        "subject": {"handle": "demo.user.one"},
        "post": {"text": "kisi ko fark nahi padta, main ja raha hu", "kind": "text"},
    },
]


#: who a demo unit's contact is, by kind (every other notifiable kind: a duty officer)
DEMO_ROLES = {
    "police_station": ("SHO (demo)", "sho"),
    "control_room": ("Shift in-charge (demo)", "shift-in-charge"),
    "cell": ("Cell in-charge (demo)", "in-charge"),
}
NOTIFIABLE = (
    "police_station", "circle", "dcp_zone", "district", "commissionerate", "cell",
    "control_room", "agency", "nodal_unit", "helpline",
)  # fmt: skip


def seed_demo_contacts(app: Lifeline) -> int:
    """Give each notifiable unit that has no contacts one on the demo inbox (demo mode only;
    again and again harmless: units with contacts are left alone). Returns how many units."""
    if not app.settings.demo:
        return 0
    units, _ = current_registry(app.ctx)
    today = app.clock.now().date()
    rows = ["unit_id,name,role,channel"]
    for unit in units:
        if unit.contacts or str(unit.kind) not in NOTIFIABLE or not unit.valid_on(today):
            continue
        name, role = DEMO_ROLES.get(str(unit.kind), ("Duty officer (demo)", "duty"))
        rows.append(f"{unit.id},{name},{role},demo://inbox/{unit.id}")
    if len(rows) == 1:
        return 0
    done = import_contacts(
        app.ctx, Actor("cli", "demo-seed", Role.ADMIN), "\n".join(rows), source="demo overlay"
    )
    return done.units


def _credentials_path(app: Lifeline) -> Path:
    return app.settings.data_key_file.parent / "demo-credentials.json"


def seed_demo(app: Lifeline) -> dict[str, Any]:
    path = _credentials_path(app)
    overlaid = seed_demo_contacts(app)
    if path.exists():
        creds = json.loads(path.read_text())
    else:
        partner = access.create_partner(app.ctx, "Demo Platform")
        for domain in ("facebook.com", "instagram.com", "x.com", "youtube.com"):
            access.add_partner_sender(app.ctx, partner.key_id, domain)
        admin = access.create_user(app.ctx, "admin", Role.ADMIN)
        creds = {
            "partner": {"key_id": partner.key_id, "secret": partner.secret},
            "admin": {
                "username": admin.username,
                "password": admin.password,
                "totp_secret": admin.totp_secret,
                "enrolment_code": admin.enrolment_code,
            },
        }
        now = app.clock.now()
        for i, sample in enumerate(SAMPLES):
            raw = json.dumps(sample, ensure_ascii=False).encode()
            loc = sample.get("location", {})
            alert = Alert(
                source=AlertSource.PLATFORM_API,
                received_at=now - timedelta(minutes=3 * (len(SAMPLES) - i)),
                raw_payload=raw,
                raw_content_type="application/json",
                platform=sample["platform"],
                reference=sample["reference"],
                subject=Subject(**sample["subject"]),
                post=Post(sample["post"]["text"], None, None, PostKind(sample["post"]["kind"])),
                location=LocationHint(**loc),
                partner_id=partner.partner.id,
                received_via="platform_api",
            )
            receive_alert(app.ctx, ReceiveAlert(alert, Actor("partner", str(partner.partner.id))))
        call = Alert(
            source=AlertSource.PHONE_CALL,
            received_at=now - timedelta(minutes=1),
            raw_payload=b'{"note": "phone call, demo"}',
            raw_content_type="application/json",
            platform="facebook",
            reference="FB-DEMO-CALL",
            subject=Subject(name="Demo Caller Subject", phone="+919800000000"),
            post=Post("Caller read out the post: 'bas ab bahut ho gaya'", None, None),
            caller=Caller(
                "Trust & Safety desk",
                "Demo Platform",
                "+10000000000",
                now - timedelta(minutes=1),
                "Called about a live post",
            ),
            received_via="phone_call",
        )
        receive_alert(app.ctx, ReceiveAlert(call, Actor("cli", "demo-seed", Role.ADMIN)))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(creds, fh, indent=2)
    p, a = creds["partner"], creds["admin"]
    base = app.settings.public_url.rstrip("/")
    message = (
        f"Demo ready (credentials in {path}).\n"
        f"  Console:      {base}/console  (sign in as the admin below with a TOTP code)\n"
        f"  API docs:     {base}/docs\n"
        f"  Admin:        {a['username']} / {a['password']}  (TOTP secret {a['totp_secret']})\n"
        f"  Enrolment:    code {a.get('enrolment_code', '-')} shows the QR code once at "
        f"{base}/console/enrol (or type the TOTP secret into an authenticator app)\n"
        f"  Partner key:  {p['key_id']}\n  Secret:       {p['secret']}\n"
        "  Post a signed alert:\n"
        f"    .venv/bin/lifeline alerts post examples/alert.json --key-id {p['key_id']} "
        f"--secret {p['secret']}\n"
        "  See it:       .venv/bin/lifeline cases list ; .venv/bin/lifeline cases show 1"
    )
    if app.settings.demo:
        message += (
            f"\n  Demo inbox:   {base}/console/demo-inbox  (the messages officers would get; "
            f"{overlaid} units given demo contacts now)\n"
            "  Drill:        .venv/bin/lifeline drill --unit up-lko-ps-madeyganj"
        )
    return {"credentials_file": str(path), "partner": p, "admin": a, "message": message}
