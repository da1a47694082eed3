#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and make an empty test database; print its URL on stdout.
# The role may create databases: each pytest-xdist worker makes its own beside this one (tests/conftest.py).
# Uses LOKET_TEST_DATABASE_URL unchanged when it is already set (a server of your own; give its role CREATEDB).
set -euo pipefail
if [ -n "${LOKET_TEST_DATABASE_URL:-}" ]; then
  echo "$LOKET_TEST_DATABASE_URL"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Starting PostgreSQL needs root; or set LOKET_TEST_DATABASE_URL=postgresql://user:pass@host/db" >&2
  exit 1
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start >&2
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
su postgres -c "PGOPTIONS=--client-min-messages=warning psql -q -p $port -v ON_ERROR_STOP=1" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loket') THEN
    CREATE ROLE loket LOGIN CREATEDB PASSWORD 'loket';
  END IF;
  ALTER ROLE loket CREATEDB;
END \$\$;
DROP DATABASE IF EXISTS loket_test;
CREATE DATABASE loket_test OWNER loket;
SQL
echo "postgresql+psycopg://loket:loket@127.0.0.1:$port/loket_test"
