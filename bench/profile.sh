#!/usr/bin/env bash
# One quick load on one binary, optionally under perf: for A/B comparisons between builds and
# for profiles. Prints wrk's requests/s and p99, and the service's peak RSS. Not part of
# run.sh; BENCHMARKS.md quotes runs of it.
#
#   bench/profile.sh BIN reads      votes for 2 s on a fresh PostgreSQL database, then reads
#   bench/profile.sh BIN votes      votes on a fresh SQLite file
#   bench/profile.sh bare           the bare actix-web handler (bench/bare_json.rs), reads
#   WARM_SECONDS=N                  reads for N s before the measured reads (a warm cache)
#   SECONDS_OF_LOAD=N (default 5)   PERF=1 records /tmp/perf.data (perf record -e cpu-clock,
#                                   since VMs often lack hardware counters; build with
#                                   CARGO_PROFILE_RELEASE_DEBUG=line-tables-only for symbols)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
mode=${2:-reads}
seconds=${SECONDS_OF_LOAD:-5}
pg_admin=${PLAUDIT_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
port=18900
work=$(mktemp -d)
db=
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "$db" ] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$bin" = bare ]; then
  body='{"article_id":"a4242","average":3.0,"count":1,"distribution":{"1":0,"2":0,"3":1,"4":0,"5":0}}'
  BODY=$body BIND=127.0.0.1:$port target/release/examples/bare_json &
  server=$!
  sleep 0.5
  PATH_ONLY=/rating wrk -t2 -c64 -d"${seconds}s" -s bench/read.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|P99"
  exit
fi

if [ "$mode" = votes ]; then
  url=$work/plaudit.db
else
  db=plaudit_profile_$$
  psql -q "$pg_admin" -c "CREATE DATABASE $db"
  url=${pg_admin%/*}/$db
fi
export DATABASE_URL=$url PLAUDIT_BIND=127.0.0.1:$port PLAUDIT_LOG=warn PLAUDIT_RATE_LIMIT_ENABLED=false \
  PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=0 PLAUDIT_SHUTDOWN_DRAIN_MS=0
if [ -n "${PERF:-}" ]; then
  perf record -e cpu-clock -F 499 --call-graph dwarf,8192 -o /tmp/perf.data -- "$bin" >"$work/server.log" 2>&1 &
else
  "$bin" >"$work/server.log" 2>&1 &
fi
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
if [ "$mode" = reads ]; then
  wrk -t2 -c64 -d2s -s bench/vote.lua "http://127.0.0.1:$port" >/dev/null
  # WARM_SECONDS=N: read for N s first, so that the measured run starts with a full cache.
  [ -n "${WARM_SECONDS:-}" ] && wrk -t2 -c64 -d"${WARM_SECONDS}s" -s bench/read.lua "http://127.0.0.1:$port" >/dev/null
  wrk -t2 -c64 -d"${seconds}s" -s bench/read.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|P99"
else
  wrk -t2 -c64 -d"${seconds}s" -s bench/vote.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|P99"
fi
# Under perf, the service is perf's child; stopping it makes perf write its file and exit.
service=$server
[ -n "${PERF:-}" ] && service=$(pgrep -P "$server" | head -n 1)
echo "RSS_PEAK_KB $(awk '/^VmHWM/ {print $2}' "/proc/$service/status")"
kill -TERM "$service"
wait "$server" 2>/dev/null || true
server=
