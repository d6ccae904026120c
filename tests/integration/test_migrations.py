"""Migrations run on SQLite and PostgreSQL, go down and up again, and match the tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from lifeline.adapters.db import migrate
from lifeline.adapters.db.tables import metadata
from lifeline.bootstrap import Lifeline


def head(app: Lifeline) -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config(app.engine)).get_current_head()


def test_there_is_one_head_and_every_revision_has_a_docstring(lifeline: Lifeline) -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config(lifeline.engine))
    assert len(scripts.get_heads()) == 1
    assert all(rev.doc for rev in scripts.walk_revisions())


def test_the_migrated_schema_matches_the_table_definitions(lifeline: Lifeline) -> None:
    with lifeline.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrations_go_down_to_nothing_and_up_again(lifeline: Lifeline) -> None:
    migrate.downgrade(lifeline.engine, "base")
    tables = set(inspect(lifeline.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(lifeline.engine)
    assert lifeline.db_revision() == head(lifeline)
    assert set(metadata.tables) <= set(inspect(lifeline.engine).get_table_names())


def test_upgrading_twice_changes_nothing(lifeline: Lifeline) -> None:
    lifeline.upgrade_db()
    assert lifeline.db_revision() == head(lifeline)
