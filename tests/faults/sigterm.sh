#!/usr/bin/env bash
# Graceful shutdown mid-load: start the release binary, load it with votes, send SIGTERM, and
# check that
#   - /readyz answers 503 during the drain that follows the signal (PLAUDIT_SHUTDOWN_DRAIN_MS),
#   - every request whose bytes were sent before the signal succeeded (no 5xx, no reset or
#     close after sending; refused connections after the signal are what a stopped server does),
#   - the server exited within its shutdown timeout (PLAUDIT_SHUTDOWN_TIMEOUT, default 20 s),
#   - no acknowledged vote was lost (restart on the same database, read every vote back, and
#     `plaudit verify`).
#
#   tests/faults/sigterm.sh [SECONDS] [--postgres]
#
# SECONDS of load (default 10); the signal comes at half of it, and the server is restarted on
# the same port as soon as the old one has exited, as in a rolling restart. Ends with one
# `SUMMARY sigterm ...` line; exits 1 on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
parse_args 10 --postgres "$@"
backend=sqlite
[ -z "$flag" ] || backend=postgres
begin_run "sigterm $backend"
shutdown_timeout=${PLAUDIT_SHUTDOWN_TIMEOUT:-20}
export PLAUDIT_SHUTDOWN_TIMEOUT=$shutdown_timeout

echo "== $run: ${seconds}s of load, SIGTERM at 50%, restart, check"
prepare_run
use_database "$backend"
port=$(free_port)
start_server "$port" "$work/server.log"

start_load "$seconds"
signal_after=$(python3 -c "print(round($seconds * 0.5, 2))")
sleep "$signal_after"
old_pid=$server_pid
signal_at=$(now)
kill -TERM "$old_pid"
ok=1
# The drain starts when the signal is handled, a moment after it is sent.
readiness=none
for _ in $(seq 50); do
  readiness=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/readyz" || true)
  [ "$readiness" = 503 ] && break
  sleep 0.01
done
if [ "$readiness" = 503 ]; then
  echo "   /readyz answered 503 while draining"
else
  echo "FAIL: /readyz answered $readiness after SIGTERM, not 503"
  ok=0
fi
if wait_exit "$old_pid" "$shutdown_timeout"; then
  shutdown_in=$(elapsed "$signal_at" "$(now)")
  echo "   SIGTERM after ${signal_after}s (at $signal_at); the server exited ${shutdown_in}s later (timeout ${shutdown_timeout}s)"
else
  shutdown_in=">$shutdown_timeout"
  echo "FAIL: the server was still running ${shutdown_timeout}s after SIGTERM; killing it"
  kill -KILL "$old_pid" 2>/dev/null || true
  wait "$old_pid" 2>/dev/null || true
  ok=0
fi

restart_at=$(now)
start_server "$port" "$work/server.log"
echo "   restarted on the same database, ready in $(elapsed "$restart_at" "$(now)")s"

finish_load

echo "== requests sent before the signal"
python3 "$faults_dir/analyze.py" sigterm --trace "$work/trace.tsv" --signal-at "$signal_at" \
  | tee "$work/analyze.out" || ok=0

echo "== check"
check_votes "$DATABASE_URL" || ok=0

before=$(grep -m1 -o '[0-9]* requests sent before the signal, [0-9]* of them still in flight at it; [0-9]* succeeded, [0-9]* failed' "$work/analyze.out" || echo "no analysis")
error_counts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connection_error_counts"] or "")' "$work/load.json" | tr -d ' ' || true)
finish_run "$ok" "$(load_figures); SIGTERM at ${signal_after}s, /readyz $readiness: $before; exited in ${shutdown_in}s (timeout ${shutdown_timeout}s); $(outcome_figures "$error_counts")"
