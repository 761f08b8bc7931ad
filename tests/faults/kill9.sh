#!/usr/bin/env bash
# Crash mid-load: start the release binary, load it with votes, kill -9 it, restart it on the
# same database while the load goes on, then check that every acknowledged vote is stored and
# that every article's rating equals a recount of its votes (`plaudit verify`).
#
#   tests/faults/kill9.sh [SECONDS] [--postgres]
#
# SECONDS of load (default 10); the kill comes at 40% of it. SQLite in a temporary directory by
# default; --postgres uses a fresh database on PLAUDIT_FAULTS_PG_URL's server (see lib.sh),
# dropped at the end. Ends with one `SUMMARY kill9 ...` line; exits 1 on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
parse_args 10 --postgres "$@"
backend=sqlite
[ -z "$flag" ] || backend=postgres
begin_run "kill9 $backend"

echo "== $run: ${seconds}s of load, kill -9 at 40%, restart, check"
prepare_run
use_database "$backend"
port=$(free_port)
start_server "$port" "$work/server.log"

start_load "$seconds"
kill_after=$(python3 -c "print(round($seconds * 0.4, 2))")
sleep "$kill_after"
acked_before=$(cat "$work/acks.log" 2>/dev/null | wc -l)
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
echo "   kill -9 after ${kill_after}s, with $acked_before votes acknowledged"

restart_at=$(now)
start_server "$port" "$work/server.log"
ready_in=$(elapsed "$restart_at" "$(now)")
echo "   restarted on the same database, ready in ${ready_in}s"

finish_load

echo "== check"
check_ok=1
check_votes "$DATABASE_URL" || check_ok=0

if [ "$acked_before" -eq 0 ]; then
  echo "FAIL: no vote was acknowledged before the kill, so the kill was not mid-load"
  check_ok=0
fi
finish_run "$check_ok" "$(load_figures); kill -9 at ${kill_after}s ($acked_before acknowledged by then); restart ready in ${ready_in}s; $(outcome_figures)"
