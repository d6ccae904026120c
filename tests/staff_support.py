"""Bearer tokens for tests: a token names a real person and their token generation, and the
role comes from the database, so the person is made (or given the role) first."""

from __future__ import annotations

from datetime import datetime

from lifeline.bootstrap import Lifeline
from lifeline.web.deps import issue_token


def staff_token(app: Lifeline, username: str, role: str, jurisdiction: str | None = None) -> str:
    """A valid bearer token for `username` with `role` (the person is created if missing)."""
    with app.ctx.uow() as uow:
        user = uow.users.by_username(username)
        if user is None:
            user = uow.users.add(
                username=username,
                password_hash=app.ctx.passwords.hash("not used in this test"),
                totp_secret="JBSWY3DPEHPK3PXP",
                role=role,
                jurisdiction=jurisdiction,
                at=datetime.now().astimezone(),
            )
        elif user.role != role or (jurisdiction and user.jurisdiction != jurisdiction):
            uow.users.set_role(user.id, role, jurisdiction or user.jurisdiction)
        uow.commit()
        generation = user.token_generation
    return issue_token(app, username, generation)
