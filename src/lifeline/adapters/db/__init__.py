"""SQLAlchemy storage: tables, unit of work, repositories, job queue, audit chain, migrations."""
