#!/usr/bin/env bash
# Gives each service role a password, for servers that do not use trust auth (docker-compose).
# Run after roles.sql. Each password comes from CONVEYOR_<SERVICE>_DB_PASSWORD and defaults to
# "<role>_dev", which is only good enough for a development machine.
#
# The values travel as psql variables and are quoted by psql (:'name'), never pasted into SQL,
# so a password containing quotes cannot change the statement.
set -euo pipefail

psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v auth_password="${CONVEYOR_AUTH_DB_PASSWORD:-conveyor_auth_dev}" \
  -v user_password="${CONVEYOR_USER_DB_PASSWORD:-conveyor_user_dev}" \
  -v billing_password="${CONVEYOR_BILLING_DB_PASSWORD:-conveyor_billing_dev}" \
  -v jobs_password="${CONVEYOR_JOBS_DB_PASSWORD:-conveyor_jobs_dev}" \
  -v webhooks_password="${CONVEYOR_WEBHOOK_DELIVERY_DB_PASSWORD:-conveyor_webhooks_dev}" \
  <<'SQL'
ALTER ROLE conveyor_auth PASSWORD :'auth_password';
ALTER ROLE conveyor_user PASSWORD :'user_password';
ALTER ROLE conveyor_billing PASSWORD :'billing_password';
ALTER ROLE conveyor_jobs PASSWORD :'jobs_password';
ALTER ROLE conveyor_webhooks PASSWORD :'webhooks_password';
SQL
