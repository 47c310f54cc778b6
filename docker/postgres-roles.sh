#!/bin/sh
# The two roles the app runs with (see README, "Database roles"): an owner that migrations run
# as, and the application's role, which owns nothing (migration mentorship 0003 grants it row
# access, and only INSERT/SELECT on the audit table). Run by the postgres image on a new data
# volume; safe to run again (roles are made if missing), and on an existing volume it also hands
# the tables made before the roles existed to the owner:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-roles.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="${DATABASE_OWNER_ROLE:-mentorship_owner}" \
    -v owner_password="$DATABASE_OWNER_PASSWORD" \
    -v app="${DATABASE_APP_ROLE:-mentorship_app}" \
    -v app_password="$DATABASE_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'owner')
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', :'app')
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password') \gexec
-- The owner of the database owns its public schema (PostgreSQL 15+), so it may create tables.
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SELECT format('ALTER TABLE %s OWNER TO %I', c.oid::regclass, :'owner')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
    AND pg_get_userbyid(c.relowner) <> :'owner' \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner' \gexec
SQL
