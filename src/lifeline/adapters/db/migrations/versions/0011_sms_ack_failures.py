"""Refused SMS acknowledgements, remembered so that every API process throttles the same
sender: a keyed hash of the number (never the number), whether it is a registry contact's, and
when (issue 14: acknowledgement codes that cannot be guessed or spoofed).

Also takes acknowledgers' and contacts' names and numbers out of what earlier versions wrote
in clear: timeline summaries and actors of deliveries, escalation steps and acknowledgements,
and dispatches' `acknowledged_by` now name a contact by unit only (the audit log, being
hash-chained, is left as it was). Not undone by the downgrade.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-06
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sms_ack_failures",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("contact", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_ack_failures"),
    )
    op.create_index("ix_sms_ack_failures_at", "sms_ack_failures", ["at"])
    op.create_index("ix_sms_ack_failures_sender_hash_at", "sms_ack_failures", ["sender_hash", "at"])
    _scrub()


_UNIT = r"\(([A-Za-z0-9_.\-]+)\)"
_MESSAGE = re.compile(r"^(Delivered to|Sending to|Could not reach) .+? " + _UNIT)
_STEP = re.compile(r"^(Escalation step \d+/\d+ \(round \d+\) for .*?: )(.*)$", re.S)
_NAMED = re.compile(r"(?:^|(?<=, ))[^,]+? " + _UNIT)
_REFUSED_BY = re.compile(r" by (?:(?! by ).)+? \((sms|link)\) at ")
_CONTACT_ACTOR = re.compile(r"^contact:.*@([^@]+)$")


def _summary(kind, text):
    if kind in ("notification_delivered", "notification_retry", "notification_failed"):
        return _MESSAGE.sub(r"\1 a contact (\2)", text, count=1)
    if kind == "escalation_step":
        step = _STEP.match(text)
        if step and step.group(2) != "nobody to notify":
            return step.group(1) + _NAMED.sub(r"a contact (\1)", step.group(2))
    if kind == "acknowledge_refused":
        return _REFUSED_BY.sub(r" by a contact (\1) at ", text)
    return text


def _scrub() -> None:
    conn = op.get_bind()
    timeline = sa.table(
        "timeline", sa.column("id"), sa.column("kind"), sa.column("actor"), sa.column("summary")
    )
    rows = conn.execute(
        sa.select(timeline.c.id, timeline.c.kind, timeline.c.actor, timeline.c.summary).where(
            sa.or_(
                timeline.c.kind.in_(
                    (
                        "notification_delivered",
                        "notification_retry",
                        "notification_failed",
                        "escalation_step",
                        "acknowledge_refused",
                    )
                ),
                timeline.c.actor.like("contact:%"),
            )
        )
    ).all()
    changed = []
    for row in rows:
        summary = _summary(row.kind, row.summary)
        actor = _CONTACT_ACTOR.sub(r"contact:contact@\1", row.actor)
        if (summary, actor) != (row.summary, row.actor):
            changed.append({"b_id": row.id, "summary": summary, "actor": actor})
    if changed:
        conn.execute(
            timeline.update().where(timeline.c.id == sa.bindparam("b_id")),
            changed,
        )
    dispatches = sa.table("dispatches", sa.column("unit_name"), sa.column("acknowledged_by"))
    for via, how in (("sms", "SMS"), ("link", "link")):
        conn.execute(
            dispatches.update()
            .where(dispatches.c.acknowledged_by.like(f"% ({via})"))
            .values(
                acknowledged_by=sa.func.substr("a contact of " + dispatches.c.unit_name, 1, 110)
                + f" ({how})"
            )
        )


def downgrade() -> None:
    op.drop_index("ix_sms_ack_failures_sender_hash_at", table_name="sms_ack_failures")
    op.drop_index("ix_sms_ack_failures_at", table_name="sms_ack_failures")
    op.drop_table("sms_ack_failures")
