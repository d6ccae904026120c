"""Rotating the data key re-encrypts everything and keeps it readable."""

from __future__ import annotations

from sqlalchemy import select
from test_storage import make_alert

from lifeline.adapters.db.tables import ENCRYPTED
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from support import FakeClock

OP = Actor("cli", "tester", "admin")


def key_ids(app: Lifeline) -> set[str]:
    found: set[str] = set()
    with app.engine.connect() as conn:
        for table, columns in ENCRYPTED.items():
            for row in conn.execute(select(*(table.c[c] for c in columns))):
                found |= {app.keyring.key_id_of(v) for v in row if v is not None}
    return found


def test_rotation_moves_every_value_to_the_new_key_and_data_stays_readable(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    partner = access.create_partner(lifeline.ctx, "Meta")
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    old = lifeline.keyring.primary
    assert key_ids(lifeline) == {old}
    new, counts = lifeline.rotate_key()
    assert key_ids(lifeline) == {new} and new != old
    assert counts["alerts"] == 1 and counts["partners"] == 1
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.subject is not None and detail.subject.name == "Ravi Kumar"
    with lifeline.ctx.uow(readonly=True) as uow:
        stored = uow.partners.by_key_id(partner.key_id)
    assert stored is not None and stored.secret == partner.secret
    assert lifeline.reencrypt()["alerts"] == 0  # nothing left under the old key
