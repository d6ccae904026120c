"""The review queue (`/console/monitoring`): cases the SMC's own monitoring found, the highest
level first, then the newest post; each with the post (the model's cues highlighted), whose risk
it is, the score band, the author's other recent posts, and two forms: *Escalate* (level, about
the author or someone else) and *Dismiss* (reason, note). Plain CSRF-checked forms: it works
without JavaScript. The use cases (services/cases/review.py) check role and audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from lifeline.domain.access import Permission
from lifeline.domain.review import DismissReason
from lifeline.domain.risk import LEVELS, Cue
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.cases import review
from lifeline.services.cases.ports import ReviewPost
from lifeline.services.console.desk import Segment, highlight
from lifeline.web.console.common import PREFIX, ConsoleRoute, check_csrf, redirect, render, requires
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix=PREFIX + "/monitoring", route_class=ConsoleRoute, include_in_schema=False)
Reviewing = Annotated[ConsoleSession, requires(Permission.CASE_MANAGE)]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Csrf = Annotated[str, Form(max_length=100)]
Note = Annotated[SafeText, Form(max_length=2000)]


def segments(post: ReviewPost) -> tuple[Segment, ...]:
    """The post's text in runs, the model's cues marked."""
    return highlight(post.text, tuple(Cue(*c) for c in post.cues))


@router.get("", response_class=HTMLResponse)
async def review_page(request: Request, app: App, session: Reviewing) -> HTMLResponse:
    found = await run_in_threadpool(review.review_queue, app.ctx, session.actor)
    done = request.query_params.get("done", "")
    case = request.query_params.get("case", "")
    context = {
        "queue": found,
        "now": app.clock.now(),
        "levels": [level.value for level in LEVELS],
        "reasons": [r.value for r in DismissReason],
        "segments": segments,
        "done": done if done in ("escalated", "dismissed") else "",
        "done_case": int(case) if case.isascii() and case.isdigit() and len(case) < 19 else None,
    }
    return render(request, "review.html", context)


@router.post("/{case_id}/escalate")
def escalate(
    case_id: CaseId, app: App, session: Reviewing, csrf: Csrf,
    level: Annotated[SafeLine, Form(max_length=20)] = "",
    subject: Annotated[SafeLine, Form(max_length=10)] = "self",
    note: Note = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    review.escalate(app.ctx, case_id, session.actor, level or None, note or None, subject=subject)
    return redirect(f"{PREFIX}/monitoring?done=escalated&case={case_id}")


@router.post("/{case_id}/dismiss")
def dismiss(
    case_id: CaseId, app: App, session: Reviewing, csrf: Csrf,
    reason: Annotated[SafeLine, Form(max_length=40)],
    note: Note = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    review.dismiss(app.ctx, case_id, session.actor, reason, note or None)
    return redirect(f"{PREFIX}/monitoring?done=dismissed&case={case_id}")
