-- Per database: one schema per service, owned by the service's role. Safe to run repeatedly.
-- Run roles.sql first. Run it as a superuser connected to the target database.
--
-- Owning its schema lets a service run its own migrations there; nobody else gets USAGE, so
-- one service cannot read or write another's tables (services share data through events).

-- Before Postgres 15 everyone could create objects in public; close that for every version.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

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
    EXECUTE format(
      'CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I',
      service.schema_name, service.role_name
    );
    -- A schema left over from an earlier, hand-made setup is handed to its service as well.
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', service.schema_name, service.role_name);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', service.schema_name);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), service.role_name);
  END LOOP;
END
$$;
