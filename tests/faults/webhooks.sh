#!/usr/bin/env bash
# Webhooks through a crash: readers vote and leave feedback, every feedback is subscribed to
# by a counting receiver, the service is killed with -9 mid-load and restarted on the same
# database; then every acknowledged feedback must reach the receiver at least once, with a
# valid Standard Webhooks signature. Prints acknowledged / delivered / duplicated / lost.
#
#   tests/faults/webhooks.sh [SECONDS] [--postgres]
#
# SECONDS of load (default 10); the kill comes at 40% of it. SQLite in a temporary directory by
# default; --postgres uses a fresh database on PLAUDIT_FAULTS_PG_URL's server (see lib.sh),
# dropped at the end (the PostgreSQL server itself is never restarted). Ends with one
# `SUMMARY webhooks ...` line; exits 1 on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
parse_args 10 --postgres "$@"
backend=sqlite
[ -z "$flag" ] || backend=postgres
begin_run "webhooks $backend"

receiver_pid=
cleanup_more() {
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
}

echo "== $run: ${seconds}s of feedback, kill -9 at 40%, restart, count the deliveries"
prepare_run
use_database "$backend"
# Deliveries to the local receiver, retried within a second; an attempt cut by the kill is
# leased for 2 * 2 + 5 = 9 s, then made again by the restarted instance.
export PLAUDIT_WEBHOOKS_ALLOW_PRIVATE=true
export PLAUDIT_WEBHOOK_TIMEOUT=2
export PLAUDIT_WEBHOOK_RETRY_BASE_MS=200
export PLAUDIT_WEBHOOK_MAX_ATTEMPTS=50
export PLAUDIT_WEBHOOK_POLL_MS=100

receiver_port=$(free_port)
python3 "$faults_dir/webhooks.py" receive --port "$receiver_port" --log "$work/received.jsonl" &
receiver_pid=$!
touch "$work/received.jsonl" "$work/acks.log"

"$bin" migrate 2>>"$work/server.log"
key=$("$bin" keys create --name faults --scope admin 2>>"$work/server.log")
port=$(free_port)
start_server "$port" "$work/server.log"
secret=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/webhooks" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d "{\"url\": \"http://127.0.0.1:$receiver_port/hook\", \"events\": [\"feedback.created\"]}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')

python3 "$faults_dir/webhooks.py" load --url "http://127.0.0.1:$port" --duration "$seconds" \
  --threads 8 --ack-log "$work/acks.log" >"$work/load.out" 2>&1 &
load_pid=$!
kill_after=$(python3 -c "print(round($seconds * 0.4, 2))")
sleep "$kill_after"
acked_before=$(wc -l <"$work/acks.log")
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
echo "   kill -9 after ${kill_after}s, with $acked_before feedback acknowledged"
restart_at=$(now)
start_server "$port" "$work/server.log"
ready_in=$(elapsed "$restart_at" "$(now)")
echo "   restarted on the same database, ready in ${ready_in}s"
wait "$load_pid"
load_pid=
sed 's/^/   /' "$work/load.out"

echo "== check (waiting up to 60 s for the deliveries)"
check_ok=1
python3 "$faults_dir/webhooks.py" check --ack-log "$work/acks.log" --log "$work/received.jsonl" \
  --secret "$secret" --wait 60 | tee "$work/check.out" || check_ok=0
if [ "$acked_before" -eq 0 ]; then
  echo "FAIL: no feedback was acknowledged before the kill, so the kill was not mid-load"
  check_ok=0
fi
finish_run "$check_ok" "load ${seconds}s; kill -9 at ${kill_after}s ($acked_before acknowledged by then); restart ready in ${ready_in}s; $(head -n 1 "$work/check.out")"
