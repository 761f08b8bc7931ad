#!/usr/bin/env bash
# The fault-injection runs, short, for CI: kill -9 and SIGTERM on SQLite and on PostgreSQL, a
# full disk under SQLite, a PostgreSQL outage, and webhooks through a kill -9 on both
# databases, each with a few seconds of load
# (about a minute and a half in all once the release binary is built). Prints one SUMMARY line
# per run and `N passed, M failed`; exits 1 if any run failed, showing that run's whole output.
#
#   tests/faults/ci.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (PLAUDIT_FAULTS_PG_URL, see lib.sh), as .ci/run starts
# it; the PostgreSQL runs fail without it. PLAUDIT_FAULTS_SECONDS=N changes the load per run
# (default 6; the outage run gets twice that, so the service is seen to recover).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${PLAUDIT_FAULTS_SECONDS:-6}
outage_seconds=$((seconds * 2))
# CI runs its steps one after another, so a test that still uses PostgreSQL when the outage
# run starts is nobody's in this run (a CI run once waited 10 minutes on one and failed): a
# minute's wait, then the outage goes ahead.
export PLAUDIT_FAULTS_QUIET_WAIT=${PLAUDIT_FAULTS_QUIET_WAIT:-60}
logs=$(mktemp -d "${TMPDIR:-/tmp}/plaudit-faults-ci.XXXXXX")
work=$logs
trap 'rm -rf "$logs"' EXIT

echo "== cargo build --release"
build_release
export PLAUDIT_BIN=$bin

passed=0
failed=0
summaries=()
run() {
  local name=$1
  shift
  echo "== $name: $*"
  local log="$logs/$name.log" started
  started=$(now)
  if bash "$faults_dir/$1" "${@:2}" >"$log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "-- output of $name:"
    cat "$log"
  fi
  local line
  line=$(grep '^SUMMARY ' "$log" | head -n 1)
  [ -n "$line" ] || line="SUMMARY $name: FAIL (no summary; see output above)"
  echo "$line (run took $(elapsed "$started" "$(now)" 0)s)"
  summaries+=("$line")
}

run kill9-sqlite kill9.sh "$seconds"
run kill9-postgres kill9.sh "$seconds" --postgres
run sigterm-sqlite sigterm.sh "$seconds"
run sigterm-postgres sigterm.sh "$seconds" --postgres
run disk-full disk_full.sh
run pg-restart pg_restart.sh "$outage_seconds"
run webhooks-sqlite webhooks.sh "$seconds"
run webhooks-postgres webhooks.sh "$seconds" --postgres

echo
echo "== fault-injection summary"
printf '%s\n' "${summaries[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
