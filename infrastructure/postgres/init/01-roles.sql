-- docker-compose: the postgres image runs this once, on an empty data directory.
-- The real file is mounted read-only from ./infrastructure/postgres at /opt/conveyor/postgres.
\i /opt/conveyor/postgres/roles.sql
