#!/usr/bin/env bash
# Network partition mid-load (PostgreSQL only): the service reaches its fresh database through
# tcp_proxy.py, which goes silent for a while (packets lost, nothing refused) and then heals.
# Checks, as pg_restart.sh does, that
#   - after the fault the service answered 2xx or 503 (with Retry-After) only, and no request
#     took longer than PLAUDIT_DB_TIMEOUT (2 s here) + 1 s (PLAUDIT_FAULTS_MAX_LATENCY=S
#     changes that bound),
#   - it recovered, and how long that took (first 503 to first 2xx),
#   - no acknowledged vote was lost and every rating equals a recount (`plaudit verify`).
#
#   tests/faults/pg_partition.sh [SECONDS] [PARTITION_SECONDS]
#
# SECONDS of load (default 15); the partition starts at 20% of it and lasts PARTITION_SECONDS
# (default 5). Only this script's own connections go through the proxy: PostgreSQL itself is
# never touched, so other tests on it are unaffected.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-15}
partition_seconds=${2:-5}
begin_run "pg_partition postgres"
use_outage_timeouts
proxy_pid=
cleanup_more() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
}

echo "== $run: ${seconds}s of load, ${partition_seconds}s partition at 20%, check"
prepare_run
pg_create_database
direct_url=$DATABASE_URL
pg_target=$(python3 -c 'import sys, urllib.parse; u = urllib.parse.urlsplit(sys.argv[1]); print(f"{u.hostname}:{u.port or 5432}")' "$direct_url")
proxy_port=$(free_port)
python3 "$faults_dir/tcp_proxy.py" --listen "$proxy_port" --target "$pg_target" >"$work/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 50); do grep -q '^proxy' "$work/proxy.log" && break; sleep 0.1; done
# The service goes through the proxy; check.py's verify goes straight to the database.
export DATABASE_URL=$(python3 -c 'import sys, urllib.parse; u = urllib.parse.urlsplit(sys.argv[1]); print(u._replace(netloc=f"{u.username}@127.0.0.1:{sys.argv[2]}" if u.username else f"127.0.0.1:{sys.argv[2]}").geturl())' "$direct_url" "$proxy_port")
port=$(free_port)
start_server "$port" "$work/server.log"

start_load "$seconds"
fault_after=$(python3 -c "print(round($seconds * 0.2, 2))")
sleep "$fault_after"
fault_at=$(now)
kill -USR1 "$proxy_pid"
sleep "$partition_seconds"
kill -USR2 "$proxy_pid"
echo "   partition from ${fault_after}s for ${partition_seconds}s"

finish_load
ok=1
check_outage "$fault_at" || ok=0

echo "== check"
check_votes "$direct_url" || ok=0

finish_run "$ok" "$(load_figures); partition at ${fault_after}s for ${partition_seconds}s; after it: ${after:-?}; recovery ${recovery}s (first 503 to first 2xx); $(outcome_figures)"
