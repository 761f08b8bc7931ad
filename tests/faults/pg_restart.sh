#!/usr/bin/env bash
# Database outage mid-load (PostgreSQL only): start the release binary on a fresh database,
# load it with votes, stop PostgreSQL, wait, start it again while the load goes on, and check
# that
#   - after the fault the service answered 2xx or 503 only (no 500, no other status, no
#     connection error), every 503 with Retry-After, and no request took longer than
#     PLAUDIT_DB_TIMEOUT (2 s here) + 1 s (PLAUDIT_FAULTS_MAX_LATENCY=S changes that bound),
#   - it recovered (a 2xx after the 503s), and how long that took (first 503 to first 2xx),
#   - no acknowledged vote was lost and every rating equals a recount (`plaudit verify`).
#
#   tests/faults/pg_restart.sh [SECONDS] [--restart]
#
# SECONDS of load (default 15); the fault comes at 25% of it. By default PostgreSQL is stopped
# (fast mode: sessions are ended), left down 3 s, and started; --restart uses
# `pg_ctlcluster ... restart` instead (a shorter outage).
#
# Other people's tests may use the same PostgreSQL: before stopping it the script waits (10
# minutes at most, PLAUDIT_FAULTS_QUIET_WAIT=S changes that) until no schemathesis run and no
# `cargo test` API binary is running, and whatever happens it starts PostgreSQL again before
# it exits.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
parse_args 15 --restart "$@"
mode=stop-start
[ -z "$flag" ] || mode=restart
begin_run "pg_restart postgres ($mode)"
use_outage_timeouts
cluster_version=$(ls /etc/postgresql | head -n 1)

pg_ctl() { pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main "$@"; }
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }

# PostgreSQL must be running when this script exits, whatever happened.
ensure_postgres() {
  if ! pg_up; then
    echo "   starting PostgreSQL again"
    pg_ctl start || true
    local _
    for _ in $(seq 60); do pg_up && return 0; sleep 1; done
    echo "WARNING: PostgreSQL is not answering; start it with: pg_ctlcluster --skip-systemctl-redirect $cluster_version main start" >&2
  fi
}

# PostgreSQL must be running when this script exits, whatever happened: first.
trap 'ensure_postgres; end_run' EXIT

# Someone else's tests on PostgreSQL: schemathesis runs and `cargo test` API binaries, as
# "pid elapsed command" lines. This script's own ancestors are left out, since a caller's
# command line may name either (a CI wrapper, an editor's shell).
others_testing() {
  local ancestors=" " pid=$$
  while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
    ancestors+="$pid "
    pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
  done
  local found
  for found in $(pgrep -f 'schemathesis|target/debug/deps/api-' || true); do
    case $ancestors in *" $found "*) continue ;; esac
    # It may have ended since pgrep saw it; that is not a failure.
    ps -o pid=,etime=,args= -p "$found" | cut -c1-200 || true
  done
  return 0
}

# Waits until nobody else's tests use PostgreSQL, PLAUDIT_FAULTS_QUIET_WAIT seconds at most
# (default 600), then goes ahead anyway: a fault test that never runs proves nothing, and a
# process that matched for that long is more likely stuck than testing.
wait_for_quiet() {
  local waited=0 limit=${PLAUDIT_FAULTS_QUIET_WAIT:-600} others
  while others=$(others_testing) && [ -n "$others" ]; do
    if [ "$waited" -ge "$limit" ]; then
      echo "WARNING: these still run after ${limit}s; restarting PostgreSQL under them:" >&2
      sed 's/^/     /' <<<"$others" >&2
      return 0
    fi
    if [ "$waited" = 0 ]; then
      echo "   waiting (${limit}s at most) for other tests on PostgreSQL to finish:"
      sed 's/^/     /' <<<"$others"
    fi
    sleep 5
    waited=$((waited + 5))
  done
}

echo "== $run: ${seconds}s of load, PostgreSQL $mode at 25%, check"
prepare_run
pg_up || { echo "FAIL: PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; }
wait_for_quiet
pg_create_database
port=$(free_port)
start_server "$port" "$work/server.log"

start_load "$seconds"
fault_after=$(python3 -c "print(round($seconds * 0.25, 2))")
sleep "$fault_after"
others=$(others_testing)
if [ -n "$others" ]; then
  echo "WARNING: other tests started on PostgreSQL during the load; they will see the outage:" >&2
  sed 's/^/     /' <<<"$others" >&2
fi
fault_at=$(now)
if [ "$mode" = restart ]; then
  pg_ctl restart
  back_at=$(now)
  echo "   PostgreSQL restarted after ${fault_after}s; the restart took $(elapsed "$fault_at" "$back_at")s"
else
  pg_ctl stop
  stopped_at=$(now)
  sleep 3
  pg_ctl start
  back_at=$(now)
  echo "   PostgreSQL stopped after ${fault_after}s (in $(elapsed "$fault_at" "$stopped_at")s), down 3s, started again (in $(elapsed "$stopped_at" "$back_at" 2)s after the stop)"
fi
outage=$(elapsed "$fault_at" "$back_at")

finish_load
ok=1
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAIL: the service exited during the outage" >&2
  ok=0
fi
check_outage "$fault_at" || ok=0

echo "== check"
check_votes "$DATABASE_URL" || ok=0

finish_run "$ok" "$(load_figures); PostgreSQL $mode at ${fault_after}s (pg_ctlcluster took ${outage}s); after it: ${after:-?}; recovery ${recovery}s (first 503 to first 2xx); $(outcome_figures)"
