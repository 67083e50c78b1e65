-- docker-compose: applies the schemas to POSTGRES_DB (the database the image creates).
-- The real file is mounted read-only from ./infrastructure/postgres at /opt/conveyor/postgres.
\i /opt/conveyor/postgres/schemas.sql
