"""The audit log refuses UPDATE, DELETE and TRUNCATE from any role but its owner (PostgreSQL).

A deployment that runs the app as a role of its own (deploy/postgres/roles.sql) grants that role
only SELECT and INSERT on audit_log; these triggers hold even if a later GRANT gives it more.
The owner (the role that runs migrations) and superusers pass, because they could drop the
trigger anyway, and so that a migration may still rewrite rows it has to: against them the hash
chain and the checkpoints outside the database are the defence. SQLite has no roles: nothing is
created there (file permissions are its boundary).

Revision ID: 0023
Revises: 0016
Create Date: 2026-12-06
"""

from alembic import op

revision = "0023"
down_revision = "0016"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION lifeline_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_has_role(current_user,
                   (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        IF TG_LEVEL = 'ROW' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused for role %', TG_OP, current_user
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION lifeline_audit_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION lifeline_audit_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_rewrite ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS lifeline_audit_append_only()")
