#!/usr/bin/env bash
# The benchmark harness: baselines and Plaudit under the same load tool (wrk), on PostgreSQL
# and SQLite, in one go; prints a table of ratios. See bench/README.md.
#   bench/run.sh            full: 10 s per run, median of 3 runs per case
#   bench/run.sh --smoke    CI: 3 s, one run; asserts the harness completes and that the votes
#                           in the database are exactly the ones the load tool saw acknowledged
#   BENCH_CASES="reads cold_start"   only these cases (the functions below)
#   PLAUDIT_BENCH_BIN=path           load that binary, e.g. an older build, for A/B runs
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
[ "${1:-}" = --smoke ] && smoke=true
seconds=${BENCH_SECONDS:-10}
runs=${BENCH_RUNS:-3}
if $smoke; then seconds=3; runs=1; fi
conns=64
pg_admin=${PLAUDIT_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-contrib >/dev/null; }
cargo build --release -q
cargo build --release -q --example bare_json
bin=${PLAUDIT_BENCH_BIN:-target/release/plaudit}
out=target/bench
mkdir -p "$out"
work=$(mktemp -d -p "$out")
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Databases are listed in a file, since fresh_pg runs in a subshell.
  while read -r db; do
    psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true
  done <"$work/databases" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fresh_pg() { # -> URL of a new, migrated database
  local db
  db=plaudit_bench_$$_$(date +%s%N)
  psql -q "$pg_admin" -c "CREATE DATABASE $db"
  echo "$db" >>"$work/databases"
  DATABASE_URL="${pg_admin%/*}/$db" PLAUDIT_LOG=warn "$bin" migrate
  echo "${pg_admin%/*}/$db"
}

start() { # database_url port [VAR=value ...]: starts Plaudit, waits until ready; its logs go
  # to the terminal, or to the file LOG_TO names (as an operator keeps them)
  local url=$1 port=$2
  shift 2
  env DATABASE_URL="$url" PLAUDIT_BIND="127.0.0.1:$port" PLAUDIT_LOG=warn PLAUDIT_RATE_LIMIT_ENABLED=false \
    PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=0 "$@" "$bin" >>"${LOG_TO:-/dev/stderr}" 2>&1 &
  server=$!
  servers+=("$server")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "Plaudit did not start on $url" >&2
  exit 1
}

stop() { kill "$server"; wait "$server" 2>/dev/null || true; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# wrk: script url [VAR=value ...] -> sets rps, p50, p99, acked
load() {
  local script=$1 url=$2
  shift 2
  local report
  report=$(env "$@" wrk -t2 -c"$conns" -d"${seconds}s" -s "bench/$script" --latency "$url")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$report")
  p50=$(awk '/^P50_MS/ {print $2}' <<<"$report")
  p99=$(awk '/^P99_MS/ {print $2}' <<<"$report")
  acked=$(awk '/^ACKED/ {print $2}' <<<"$report")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$report")
  [ -z "$errors" ] || echo "   wrk: $errors" >&2
}

rows=()
row() { # case baseline plaudit p50 p99 rss
  local ratio
  ratio=$(awk -v a="$3" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
  rows+=("| $1 | $2 | $3 | $ratio | $4 | $5 | $6 |")
  echo "   $1: baseline $2, Plaudit $3 ($ratio), p50 $4 ms, p99 $5 ms, RSS $6"
}

# Every request is a new voter, so the database must hold every acknowledged vote, plus at most
# one per connection: requests still in flight when wrk stopped reading, committed unseen.
check_votes() { # database_url acknowledged
  local stored
  if [[ $1 == postgres* ]]; then stored=$(psql -Atq "$1" -c "SELECT COUNT(*) FROM votes"); else stored=$(sqlite3 "$1" "SELECT COUNT(*) FROM votes"); fi
  echo "   votes acknowledged $2, stored $stored (at most $conns in flight at the cut-off)"
  if [ "$stored" -lt "$2" ] || [ "$stored" -gt $(($2 + conns)) ]; then
    echo "FAIL: the database holds $stored votes, the load tool saw $2 acknowledged" >&2
    exit 1
  fi
  DATABASE_URL=$1 PLAUDIT_LOG=warn "$bin" verify
}

rss_mb() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status"; }

votes_on_postgres() { # name hot
  local name=$1 hot=$2 base=() ours=() p50s=() p99s=() total=0 url rss
  for _ in $(seq "$runs"); do
    url=$(fresh_pg)
    base+=("$(pgbench -n -c "$conns" -j 2 -T "$seconds" -D hot="$hot" -f bench/naive_vote.sql "$url" 2>/dev/null \
      | awk '/^tps/ {print $3}')")
    url=$(fresh_pg)
    start "$url" 18801
    load vote.lua http://127.0.0.1:18801 HOT="$hot"
    rss=$(rss_mb "$server")
    stop
    ours+=("$rps"); p50s+=("$p50"); p99s+=("$p99")
    check_votes "$url" "$acked"
  done
  row "$name" "$(printf '%s\n' "${base[@]}" | median)" "$(printf '%s\n' "${ours[@]}" | median)" \
    "$(printf '%s\n' "${p50s[@]}" | median)" "$(printf '%s\n' "${p99s[@]}" | median)" "$rss"
}

votes_on_sqlite() {
  local base=() ours=() p50s=() p99s=() file rss
  command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
  for i in $(seq "$runs"); do
    base+=("$(python3 bench/naive_sqlite.py "$work/naive-$i.db" "$seconds")")
    file="$work/plaudit-$i.db"
    start "$file" 18802
    load vote.lua http://127.0.0.1:18802
    rss=$(rss_mb "$server")
    stop
    ours+=("$rps"); p50s+=("$p50"); p99s+=("$p99")
    check_votes "$file" "$acked"
  done
  row "votes/s, SQLite (synchronous=FULL), 64 conns" "$(printf '%s\n' "${base[@]}" | median)" \
    "$(printf '%s\n' "${ours[@]}" | median)" "$(printf '%s\n' "${p50s[@]}" | median)" \
    "$(printf '%s\n' "${p99s[@]}" | median)" "$rss"
}

reads() { # over a PostgreSQL database with votes on 10,000 articles
  local url base=() ours=() p50s=() p99s=() body rss
  url=$(fresh_pg)
  start "$url" 18803
  seconds=2 load vote.lua http://127.0.0.1:18803
  body=$(curl -s http://127.0.0.1:18803/v1/articles/a42/rating)
  BODY=$body BIND=127.0.0.1:18804 target/release/examples/bare_json &
  local bare=$!
  servers+=("$bare")
  sleep 0.5
  for _ in $(seq "$runs"); do
    load read.lua http://127.0.0.1:18804 PATH_ONLY=/rating
    base+=("$rps")
    # Reads first, unmeasured, right before each run: cached ratings expire 5 s after their
    # read, so after the baseline's run the cache is empty again, and the run would measure
    # the first read of each of the 10,000 ratings (the cold_start case's business), not the
    # steady state.
    seconds=3 load read.lua http://127.0.0.1:18803
    load read.lua http://127.0.0.1:18803
    ours+=("$rps"); p50s+=("$p50"); p99s+=("$p99")
  done
  rss=$(rss_mb "$server")
  kill "$bare"
  row "GET rating, 10,000 articles, 64 conns (baseline: bare actix-web)" "$(printf '%s\n' "${base[@]}" | median)" \
    "$(printf '%s\n' "${ours[@]}" | median)" "$(printf '%s\n' "${p50s[@]}" | median)" \
    "$(printf '%s\n' "${p99s[@]}" | median)" "$rss"
  reads_max=$(printf '%s\n' "${ours[@]}" | median)

  # Rate limiting on, every request from its own address through a trusted proxy, against
  # the same with limiting off: what the limiter costs.
  local off=() on=()
  for _ in $(seq "$runs"); do
    load read.lua http://127.0.0.1:18803 FORWARDED=1
    off+=("$rps")
  done
  stop
  start "$url" 18805 PLAUDIT_RATE_LIMIT_ENABLED=true PLAUDIT_TRUSTED_PROXIES=127.0.0.1/32 \
    PLAUDIT_RATE_LIMIT_READS_PER_MINUTE=1000000 PLAUDIT_RATE_LIMIT_READS_BURST=1000000
  for _ in $(seq "$runs"); do
    load read.lua http://127.0.0.1:18805 FORWARDED=1
    on+=("$rps")
  done
  row "GET rating with rate limiting on, distinct addresses (baseline: limiting off)" \
    "$(printf '%s\n' "${off[@]}" | median)" "$(printf '%s\n' "${on[@]}" | median)" "$p50" "$p99" "$(rss_mb "$server")"
  stop

  # p99 at half of the maximum throughput: each connection paced to that rate. The server is
  # fresh, so a first, unmeasured load at the same pace fills its cache: the steady state is
  # what is measured, not the first read of each of the 10,000 ratings.
  local pace
  pace=$(awk -v r="$reads_max" -v c="$conns" 'BEGIN {printf "%d", c * 1000 / (r / 2)}')
  start "$url" 18806
  seconds=$(( seconds < 5 ? seconds : 5 )) load read.lua http://127.0.0.1:18806 DELAY_MS="$pace"
  load read.lua http://127.0.0.1:18806 DELAY_MS="$pace"
  row "GET rating at half the maximum rate" "-" "$rps" "$p50" "$p99" "$(rss_mb "$server")"
  stop
}

votes_latency_at_half_rate() {
  local url
  url=$(fresh_pg)
  start "$url" 18807
  load vote.lua http://127.0.0.1:18807
  local max=$rps
  load vote.lua http://127.0.0.1:18807 DELAY_MS="$(awk -v r="$max" -v c="$conns" 'BEGIN {printf "%d", c * 1000 / (r / 2)}')"
  row "votes on PostgreSQL at half the maximum rate" "-" "$rps" "$p50" "$p99" "$(rss_mb "$server")"
  stop
}

metric() { # port series -> its value on /metrics (0 while it has none)
  curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s {v = $2} END {print v + 0}'
}

# Issue 14's cases: the viral article, a cold start, and the access log at its default.
viral_article() { # one article read by 32 connections, alone, then while others vote on it:
  # at a set pace (issue 14's target: at least 1,000 votes/s), then as fast as 8 connections go
  local url alone
  url=$(fresh_pg)
  start "$url" 18808
  seconds=1 load vote.lua http://127.0.0.1:18808 HOT=1
  conns=32 load read.lua http://127.0.0.1:18808 PATH_ONLY=/v1/articles/hot/rating
  alone=$rps
  # 64 connections each waiting 48 ms on average after an answer (at random, so that one
  # commit's voters do not come back together): at most 1,333 votes/s, about 1,100 with the
  # votes' own latency (many slow connections, as readers are, rather than a few fast ones:
  # the rate then hardly depends on the votes' latency).
  hot_reads_while_voting 64 "${HOT_VOTE_DELAY_MS:-48}" "paced"
  hot_reads_while_voting 8 0 "flat out"
  stop
}

hot_reads_while_voting() { # vote_conns delay_ms label: one row, reads of "hot" meanwhile
  local votes misses batches
  misses=$(metric 18808 'plaudit_rating_cache_lookups_total{result="miss"}')
  batches=$(metric 18808 plaudit_vote_batch_size_count)
  HOT=1 DELAY_MS=$2 JITTER=1 wrk -t1 -c"$1" -d"${seconds}s" -s bench/vote.lua http://127.0.0.1:18808 >"$work/hot-votes" 2>&1 &
  local voting=$!
  conns=32 load read.lua http://127.0.0.1:18808 PATH_ONLY=/v1/articles/hot/rating
  wait "$voting"
  votes=$(awk '/^Requests\/sec/ {print $2}' "$work/hot-votes")
  misses=$(( $(metric 18808 'plaudit_rating_cache_lookups_total{result="miss"}') - misses ))
  batches=$(( $(metric 18808 plaudit_vote_batch_size_count) - batches ))
  echo "   hot article, votes $3: $votes votes/s in $batches batches; $misses cache misses ($(awk -v m="$misses" -v b="$batches" 'BEGIN { if (b > 0) printf "%.2f", m / b; else print "-" }') per batch)"
  row "GET hot article while $1 conns vote on it $3, $votes votes/s, $misses misses in $batches batches (baseline: reads alone)" \
    "$alone" "$rps" "$p50" "$p99" "$(rss_mb "$server")"
}

cold_start() { # reads over 10,000 voted articles from a fresh process, then the same warm
  local url cold cold_p99
  url=$(fresh_pg)
  start "$url" 18809
  seconds=2 load vote.lua http://127.0.0.1:18809
  stop
  start "$url" 18809
  load read.lua http://127.0.0.1:18809
  cold=$rps cold_p99=$p99
  load read.lua http://127.0.0.1:18809
  row "GET rating from a cold start, p99 cold $cold_p99 ms (baseline: the same server warm)" \
    "$rps" "$cold" "$p50" "$p99" "$(rss_mb "$server")"
  stop
}

access_log() { # reads with the default log settings, to a file, against PLAUDIT_LOG=warn
  local url quiet
  url=$(fresh_pg)
  start "$url" 18810
  seconds=2 load vote.lua http://127.0.0.1:18810
  load read.lua http://127.0.0.1:18810
  quiet=$rps
  stop
  LOG_TO="$work/access.log" start "$url" 18810 PLAUDIT_LOG=info,sqlx::postgres::notice=warn
  load read.lua http://127.0.0.1:18810
  row "GET rating with the default access log, to a file of $(wc -l <"$work/access.log") lines (baseline: PLAUDIT_LOG=warn)" \
    "$quiet" "$rps" "$p50" "$p99" "$(rss_mb "$server")"
  stop
}

echo "== bench: ${seconds}s per run, median of $runs, $conns connections, $(nproc) cores"
votes_spread() { votes_on_postgres "votes/s, PostgreSQL, 10,000 articles, 64 conns (baseline: pgbench naive)" 0; }
votes_hot() { votes_on_postgres "votes/s, PostgreSQL, one hot article, 64 conns (baseline: pgbench naive)" 1; }
for case in ${BENCH_CASES:-votes_spread votes_hot votes_on_sqlite reads votes_latency_at_half_rate \
  viral_article cold_start access_log}; do
  "$case"
done

{
  echo "| case | baseline | Plaudit | ratio | p50 ms | p99 ms | RSS (peak) |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out/results.md"
$smoke && echo "bench smoke: completed; every acknowledged vote is stored and every aggregate matches a recount"
exit 0
