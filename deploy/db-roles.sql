-- One PostgreSQL role per process (issue 14): a Rasa server can read and write conversations only,
-- an action server can write alerts and callback requests only, and neither can read the staff
-- accounts, the console's sessions or the audit log. The console (and the daily purge) has the
-- project's tables, and reads and deletes conversations without writing them.
--
--   role               process                          may
--   assistant (owner)  migrations: python -m bot db-upgrade --rasa-events   everything (owns the tables)
--   assistant_rasa     Rasa servers (tracker store)     events: SELECT, INSERT
--   assistant_actions  action servers                   alerts, callback_requests: SELECT, INSERT
--   assistant_console  console, retention (CronJob)     project tables: SELECT, INSERT, UPDATE, DELETE;
--                                                       events: SELECT, DELETE; alembic_version: SELECT
--
-- Run as the owner of the database (it needs CREATEROLE), after the migrations, and again after
-- each migration that adds a table (the script is idempotent):
--
--   DATABASE_URL=postgresql://assistant:…@host/assistant python -m bot db-upgrade --rasa-events
--   psql "postgresql://assistant:…@host/assistant" -v ON_ERROR_STOP=1 -f deploy/db-roles.sql
--   psql … -c "ALTER ROLE assistant_rasa PASSWORD '…'"     (likewise for the two other roles)
--
-- tests/console/test_db_roles.py runs this file on a fresh database and tries each role.

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['assistant_rasa', 'assistant_actions', 'assistant_console'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    END IF;
  END LOOP;
END
$$;

-- Nobody but these roles and the owner in the schema (PostgreSQL < 15 let every role create tables).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO assistant_rasa, assistant_actions, assistant_console;

-- Start from nothing, so that running the script again also takes back what is no longer granted.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, assistant_rasa, assistant_actions, assistant_console;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, assistant_rasa, assistant_actions, assistant_console;

-- Rasa servers: Rasa's own table of conversation events, nothing else.
GRANT SELECT, INSERT ON events TO assistant_rasa;
GRANT USAGE ON SEQUENCE events_id_seq TO assistant_rasa;

-- Action servers: alerts and callback requests (read too: per-conversation limits).
GRANT SELECT, INSERT ON alerts, callback_requests TO assistant_actions;
GRANT USAGE ON SEQUENCE alerts_id_seq, callback_requests_id_seq TO assistant_actions;

-- Console and purge: every project table; conversations are read and deleted, never written.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO assistant_console;
REVOKE INSERT, UPDATE ON events FROM assistant_console;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM assistant_console;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO assistant_console;
