"""Checks of what the desk depends on: the registry's contacts, channel URLs, the triage
model, the PDF font."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lifeline.doctor.base import Run, Status
from lifeline.domain.registry import RegistryUnit

if TYPE_CHECKING:
    from lifeline.bootstrap import Lifeline

SMC_UNIT = "up-smc"


def application(run: Run) -> Lifeline | None:
    """The wired application, only when it can be built without creating anything."""
    if not (run.db_ready and run.keys_ready):
        return None
    from lifeline.bootstrap import bootstrap  # noqa: PLC0415

    return bootstrap(run.settings)


def registry_and_channels(run: Run) -> None:
    app = application(run)
    if app is None:
        why = "needs the database at head and the keys (see above)"
        run.add("registry", "warn", f"not checked: {why}", "fix the checks above")
        run.add("channels", "warn", f"not checked: {why}", "fix the checks above")
        return
    from lifeline.services.location.registry import current_registry  # noqa: PLC0415

    try:
        units, version = current_registry(app.ctx)
        today = app.clock.now().date()
        in_force = [u for u in units if u.valid_on(today)]
        registry(run, in_force, version)
        channels(run, app, in_force)
    finally:
        app.dispose()


def registry(run: Run, units: list[RegistryUnit], version: str) -> None:
    notifiable = [u for u in units if u.kind.value in ("police_station", "cell", "control_room")]
    silent = [u.id for u in notifiable if not u.contacts]
    status: Status = "warn" if silent else "ok"
    found = f"registry {version}: {len(units)} units in force"
    if silent:
        found += f"; {len(silent)} of {len(notifiable)} stations, cells and control rooms have no "
        found += f"contacts (e.g. {', '.join(silent[:3])})"
    run.add(
        "registry",
        status,
        found,
        "add contacts with `lifeline registry export`, edit, `lifeline registry import`",
        "registry",
    )
    smc = next((u for u in units if u.id == SMC_UNIT), None)
    if smc is None or not smc.contacts:
        run.add(
            "smc_contacts",
            run.bad,
            f"the {SMC_UNIT} unit has no contacts: the desk-unattended alarm pages nobody",
            f"give {SMC_UNIT} the shift in-charge's contacts in the registry and import it",
            "registry",
        )
    else:
        run.add("smc_contacts", "ok", f"{SMC_UNIT} has {len(smc.contacts)} contact(s)")


def channels(run: Run, app: Lifeline, units: list[RegistryUnit]) -> None:
    problems = []
    count = 0
    channels = app.ctx.channels
    for unit in units:
        for contact in unit.contacts:
            for n, url in enumerate(contact.channels, start=1):
                count += 1
                problem = "no channel adapter" if channels is None else channels.check(url)
                if problem is not None:
                    problems.append(f"{unit.id} / {contact.name} channel {n}: {problem}")
    hooks = [*app.settings.webhook_urls, app.settings.audit_anchor_webhook or ""]
    for hook in (h for h in hooks if h):
        count += 1
        parts = urlsplit(hook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"webhook {parts.scheme or '?'}://…: not an http(s) URL with a host")
    if problems:
        run.add(
            "channels",
            "fail",
            f"{len(problems)} of {count} channel URLs cannot be used: " + "; ".join(problems[:5]),
            "correct the URLs in the registry (or LIFELINE_EVENT_WEBHOOKS, "
            "LIFELINE_AUDIT_ANCHOR_WEBHOOK)",
            "registry",
        )
    else:
        run.add("channels", "ok", f"{count} channel URLs parse")


def triage_model(run: Run) -> None:
    from lifeline.adapters.classifier.lazy import shared_classifier  # noqa: PLC0415

    try:
        model = shared_classifier()
    except Exception as exc:
        run.add(
            "triage_model",
            "fail",
            f"the model file does not load: {exc}",
            "reinstall Lifeline, or rebuild the model with `lifeline model train`",
        )
        return
    run.add("triage_model", "ok", f"model {model.version} loaded")


def pdf_font(run: Run) -> None:
    from lifeline.adapters.reports.fonts import FontMissing, devanagari_font  # noqa: PLC0415

    try:
        font = devanagari_font(run.settings.report_font)
    except FontMissing as exc:
        run.add(
            "pdf_font",
            "warn",
            str(exc),
            "apt-get install fonts-lohit-deva, or set LIFELINE_REPORT_FONT",
            "LIFELINE_REPORT_FONT",
        )
        return
    run.add("pdf_font", "ok", str(font), setting="LIFELINE_REPORT_FONT")
