-- One login role per service, cluster-wide. Safe to run any number of times.
--
-- CREATE ROLE is not race-free even behind the NOT EXISTS check (two sessions can both see the
-- role missing), so callers that may run concurrently hold an advisory lock around this file
-- (setup.mjs does). Attributes are re-applied on every run so an existing role converges too.
-- NOINHERIT: a service role never picks up privileges through role membership by accident.
-- No passwords here: local servers use trust auth; docker sets them in passwords.sh.
DO $$
DECLARE
  service record;
BEGIN
  FOR service IN
    SELECT * FROM (VALUES
      ('conveyor_auth', 'auth'),
      ('conveyor_user', 'users'),
      ('conveyor_billing', 'billing'),
      ('conveyor_jobs', 'jobs'),
      ('conveyor_webhooks', 'webhooks')
    ) AS t(role_name, schema_name)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service.role_name) THEN
      EXECUTE format('CREATE ROLE %I', service.role_name);
    END IF;
    EXECUTE format(
      'ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT',
      service.role_name
    );
    -- Unqualified names resolve to the service's own schema only (public is not on the path).
    EXECUTE format('ALTER ROLE %I SET search_path = %I', service.role_name, service.schema_name);
  END LOOP;
END
$$;
