"""Table definitions (SQLAlchemy Core). Columns ending in `_enc` hold AES-GCM ciphertext; columns
ending in `_hash` hold keyed HMAC digests for lookups. The migrations in migrations/versions are
written by hand and tests/integration/test_migrations.py checks they match these tables.

One module per feature; importing this package defines every table in `metadata` and every
encrypted column in `ENCRYPTED` (key rotation and the migration check rely on that)."""

from __future__ import annotations

from lifeline.adapters.db.tables._base import (
    Id as Id,
)
from lifeline.adapters.db.tables._base import (
    Ts as Ts,
)
from lifeline.adapters.db.tables._base import (
    UtcDateTime as UtcDateTime,
)
from lifeline.adapters.db.tables._base import (
    aad as aad,
)
from lifeline.adapters.db.tables._base import (
    ids_in as ids_in,
)
from lifeline.adapters.db.tables._base import (
    insert_or_skip as insert_or_skip,
)
from lifeline.adapters.db.tables._base import (
    metadata as metadata,
)
from lifeline.adapters.db.tables._base import (
    new_id as new_id,
)
from lifeline.adapters.db.tables._base import (
    upsert_statement as upsert_statement,
)
from lifeline.adapters.db.tables.aftercare import (
    case_links as case_links,
)
from lifeline.adapters.db.tables.aftercare import (
    follow_up_check_ins as follow_up_check_ins,
)
from lifeline.adapters.db.tables.aftercare import (
    follow_up_plans as follow_up_plans,
)
from lifeline.adapters.db.tables.audit import (
    audit_checkpoints as audit_checkpoints,
)
from lifeline.adapters.db.tables.console import (
    case_districts as case_districts,
)
from lifeline.adapters.db.tables.console import (
    console_profiles as console_profiles,
)
from lifeline.adapters.db.tables.console import (
    console_sessions as console_sessions,
)
from lifeline.adapters.db.tables.console import (
    console_sign_ins as console_sign_ins,
)
from lifeline.adapters.db.tables.core import (
    ENCRYPTED as ENCRYPTED,
)
from lifeline.adapters.db.tables.core import (
    MILESTONE_COLUMNS as MILESTONE_COLUMNS,
)
from lifeline.adapters.db.tables.core import (
    alerts as alerts,
)
from lifeline.adapters.db.tables.core import (
    audit_log as audit_log,
)
from lifeline.adapters.db.tables.core import (
    case_keys as case_keys,
)
from lifeline.adapters.db.tables.core import (
    cases as cases,
)
from lifeline.adapters.db.tables.core import (
    idempotency_keys as idempotency_keys,
)
from lifeline.adapters.db.tables.core import (
    jobs as jobs,
)
from lifeline.adapters.db.tables.core import (
    partners as partners,
)
from lifeline.adapters.db.tables.core import (
    seen_signatures as seen_signatures,
)
from lifeline.adapters.db.tables.core import (
    subjects as subjects,
)
from lifeline.adapters.db.tables.core import (
    timeline as timeline,
)
from lifeline.adapters.db.tables.core import (
    users as users,
)
from lifeline.adapters.db.tables.core import (
    worker_heartbeats as worker_heartbeats,
)
from lifeline.adapters.db.tables.dispatch import (
    dispatches as dispatches,
)
from lifeline.adapters.db.tables.dispatch import (
    notifications as notifications,
)
from lifeline.adapters.db.tables.dispatch import (
    smc_alarms as smc_alarms,
)
from lifeline.adapters.db.tables.dispatch import (
    sms_ack_failures as sms_ack_failures,
)
from lifeline.adapters.db.tables.intake import (
    alert_attachments as alert_attachments,
)
from lifeline.adapters.db.tables.intake import (
    email_quarantine as email_quarantine,
)
from lifeline.adapters.db.tables.intake import (
    imap_seen as imap_seen,
)
from lifeline.adapters.db.tables.intake import (
    intake_receipts as intake_receipts,
)
from lifeline.adapters.db.tables.intake import (
    partner_dkim_keys as partner_dkim_keys,
)
from lifeline.adapters.db.tables.intake import (
    partner_senders as partner_senders,
)
from lifeline.adapters.db.tables.location import (
    location_resolutions as location_resolutions,
)
from lifeline.adapters.db.tables.location import (
    registry_imports as registry_imports,
)
from lifeline.adapters.db.tables.location import (
    registry_units as registry_units,
)
from lifeline.adapters.db.tables.monitoring import (
    monitoring_seen as monitoring_seen,
)
from lifeline.adapters.db.tables.monitoring import (
    monitoring_window as monitoring_window,
)
from lifeline.adapters.db.tables.retention import (
    retention_runs as retention_runs,
)
from lifeline.adapters.db.tables.triage import (
    risk_assessments as risk_assessments,
)
