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
seconds=10
backend=sqlite
for arg in "$@"; do
  case $arg in
    --postgres) backend=postgres ;;
    [0-9]*) seconds=$arg ;;
    *) echo "usage: $0 [SECONDS] [--postgres]" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/lib.sh"
run="kill9 $backend"
passed=0
load_pid=

cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  stop_server
  pg_drop_database
  [ "$passed" = 0 ] && summary "$run: FAIL (see above)"
  finish_work_dir "$passed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== $run: ${seconds}s of load, kill -9 at 40%, restart, check"
make_work_dir
build_release
if [ "$backend" = postgres ]; then
  pg_create_database
else
  export DATABASE_URL="$work/plaudit.db"
fi
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
python3 "$faults_dir/check.py" --url "http://127.0.0.1:$port" --ack-log "$work/acks.log" \
  --database-url "$DATABASE_URL" --plaudit "$bin" | tee "$work/check.out" || check_ok=0

if [ "$acked_before" -eq 0 ]; then
  echo "FAIL: no vote was acknowledged before the kill, so the kill was not mid-load"
  check_ok=0
fi
figures="load ${seconds}s, $(load_figure sent) requests ($(load_figure rate)/s); kill -9 at ${kill_after}s ($acked_before acknowledged by then); restart ready in ${ready_in}s; $(grep -m1 '^acknowledged' "$work/check.out"); 503 $(load_figure 503), other statuses $(load_figure other_statuses), connection errors $(load_figure connection_errors); verify $(verify_result)"
if [ "$check_ok" = 1 ]; then
  passed=1
  summary "$run: PASS $figures"
else
  summary "$run: FAIL $figures"
  passed=2
  exit 1
fi
