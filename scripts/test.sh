#!/usr/bin/env bash
# The whole suite, once on SQLite and once on PostgreSQL. `make test` and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
pg_url=$(bash scripts/postgres.sh)
export LOKET_CHROMIUM=${LOKET_CHROMIUM:-/usr/bin/chromium}

echo "== Test suite on SQLite"
.venv/bin/pytest -q -p no:cacheprovider

echo "== Test suite on PostgreSQL"
LOKET_TEST_DATABASE_URL="$pg_url" .venv/bin/pytest -q -p no:cacheprovider
