#!/usr/bin/env bash
# CPU time per vote, the service's and PostgreSQL's (user + system ticks from /proc of the
# service and of the database's backends), over paced votes on one hot article: what the
# votes take from the readers on the same cores. Not part of run.sh; BENCHMARKS.md quotes it.
#
#   bench/vote_cpu.sh BIN [VAR=value ...]   the VARs go to the service's environment
#   SECS=N (default 10)                     length of the measured load
#   CAP=1                                   the network cap at its default (20 voters per
#                                           network a day), each vote from a random address
#                                           (X-Forwarded-For through a trusted proxy), as
#                                           readers vote; otherwise the cap is off
# Prints votes/s, votes per batch and the time a batch's commit took, CPU seconds (the
# service's among them) and CPU per vote.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bin=$1
shift
secs=${SECS:-10}
pg_admin=${PLAUDIT_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
port=18877
db=vote_cpu_$$
url="${pg_admin%/*}/$db"
psql -q "$pg_admin" -c "CREATE DATABASE $db"
cap=(PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=0)
[ "${CAP:-0}" = 1 ] && cap=(PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=20 PLAUDIT_TRUSTED_PROXIES=127.0.0.1/32)
DATABASE_URL=$url PLAUDIT_LOG=warn "$bin" migrate >/dev/null
env DATABASE_URL="$url" PLAUDIT_BIND="127.0.0.1:$port" PLAUDIT_RATE_LIMIT_ENABLED=false \
  "${cap[@]}" "$@" "$bin" >/dev/null 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
forwarded=${CAP:-0}
HOT=1 FORWARDED=$forwarded wrk -t1 -c8 -d1s -s bench/vote.lua "http://127.0.0.1:$port" >/dev/null
ticks() { # the service's, then everyone's (service and this database's backends)
  local all=0 pid
  for pid in $server $(pgrep -f "postgres: .* $db " || true); do
    all=$((all + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$(awk '{print $14 + $15}' "/proc/$server/stat") $all"
}
batches() { # batches committed, and the seconds their commits took
  curl -s "http://127.0.0.1:$port/metrics" |
    awk '/^plaudit_vote_batch_size_count/ {b = $2} /^plaudit_vote_commit_seconds_sum/ {s = $2} END {print b + 0, s + 0}'
}
read -r service0 all0 < <(ticks)
read -r batches0 committing0 < <(batches)
HOT=1 DELAY_MS=48 JITTER=1 FORWARDED=$forwarded wrk -t1 -c64 -d"${secs}s" -s bench/vote.lua \
  "http://127.0.0.1:$port" >"/tmp/vote_cpu_$$.out"
read -r service1 all1 < <(ticks)
read -r batches1 committing1 < <(batches)
rate=$(awk '/^Requests\/sec/ {print $2}' "/tmp/vote_cpu_$$.out")
rm -f "/tmp/vote_cpu_$$.out"
awk -v r="$rate" -v s=$((service1 - service0)) -v a=$((all1 - all0)) -v b=$((batches1 - batches0)) \
  -v c="$committing1" -v c0="$committing0" -v secs="$secs" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    votes = r * secs
    printf "%.0f votes/s, %.1f votes per batch, %.2f ms per commit; CPU %.2f s (service %.2f s): %.0f us per vote (service %.0f, PostgreSQL %.0f)\n",
      r, votes / b, (c - c0) / b * 1000, a / hz, s / hz, a / hz / votes * 1e6, s / hz / votes * 1e6, (a - s) / hz / votes * 1e6
  }'
