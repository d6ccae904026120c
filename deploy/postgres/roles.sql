-- Lifeline: an owner role that runs the migrations and an app role with least privilege.
--
-- Run as a superuser (postgres), once before the first `lifeline db upgrade`, and again after
-- any upgrade (it is idempotent):
--
--   psql -v ON_ERROR_STOP=1 -v db=lifeline -v owner=lifeline_owner -v app=lifeline_app \
--        -d lifeline -f deploy/postgres/roles.sql
--
-- then give each role a password (psql: \password lifeline_owner, \password lifeline_app) and
--   LIFELINE_MIGRATION_DATABASE_URL=postgresql://lifeline_owner:...@db-host/lifeline
--   LIFELINE_DATABASE_URL=postgresql://lifeline_app:...@db-host/lifeline
--
-- The app role can read and write rows, and nothing more: no CREATE, ALTER, DROP or TRUNCATE
-- (only a table's owner may do those), and on audit_log only SELECT and INSERT. Migration 0023
-- adds triggers refusing UPDATE, DELETE and TRUNCATE on audit_log to every role but the owner.

SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec

-- Neither role may create roles or databases, or bypass row security.
ALTER ROLE :"owner" NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER ROLE :"app" NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;

-- The owner owns the database and its schema: it alone creates and changes tables.
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
REVOKE CREATE ON SCHEMA public FROM :"app";

-- Tables and sequences the owner creates from now on (future migrations)...
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- ...and those that exist already (a re-run after `lifeline db upgrade`).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM :"app";

-- The audit log is append-only for the app. The default privileges above gave UPDATE and
-- DELETE to the app when migration 0001 created the table: taken back here, so run this file
-- again after the first `lifeline db upgrade`.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', :'app')
 WHERE to_regclass('public.audit_log') IS NOT NULL \gexec
-- The schema's revision is the migrations' to write; the app only reads it (doctor, startup).
SELECT format('REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM %I', :'app')
 WHERE to_regclass('public.alembic_version') IS NOT NULL \gexec
