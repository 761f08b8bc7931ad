#!/usr/bin/env bash
# Editors' reports at newsroom scale (issue 13): seeds a fresh database with `plaudit seed`,
# then times each report request on the release binary over repeated runs (median and p95),
# with the service's peak RSS. See bench/README.md.
#   bench/reports.sh                  PostgreSQL, 1,000,000 articles, 5,000,000 votes, 365 days
#   BACKEND=sqlite bench/reports.sh   SQLite, 100,000 articles, 500,000 votes
#   SMOKE=1 bench/reports.sh          2,000 articles, 10,000 votes, 2 runs: the rig works (CI)
# Knobs: ARTICLES, VOTES, DAYS, RUNS (default 5), BACKEND (postgres or sqlite), SEED,
# KEEP=1 (keep the database and print its URL), REUSE=<URL> (time a database seeded before:
# no seed, nothing dropped), PLAUDIT_BENCH_PG (server, default the local one).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${BACKEND:-postgres}
if [ "${SMOKE:-0}" = 1 ]; then
  size=(2000 10000 2)
elif [ "$backend" = sqlite ]; then
  size=(100000 500000 5)
else
  size=(1000000 5000000 5)
fi
articles=${ARTICLES:-${size[0]}}
votes=${VOTES:-${size[1]}}
runs=${RUNS:-${size[2]}}
days=${DAYS:-365}
pg_admin=${PLAUDIT_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
port=${PORT:-18790}
started=$(date +%s)

command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
cargo build --release -q
bin=target/release/plaudit
out=target/bench
mkdir -p "$out"
work=$(mktemp -d -p "$out")
server=
db=
url=
cleanup() {
  # Waited for: its shutdown drains for a second, keeping the port that a next run takes.
  if [ -n "$server" ]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; fi
  if [ -z "${REUSE:-}" ] && [ "${KEEP:-0}" != 1 ]; then
    if [ -n "$db" ]; then psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; fi
    if [ "$backend" = sqlite ]; then rm -f "$url" "$url-wal" "$url-shm"; fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export PLAUDIT_LOG=warn

ms() { awk '{printf "%.0f", $1 * 1000}'; }
# Median and p95 (nearest rank: the largest of fewer than 20 runs) of seconds, in ms.
stats() { sort -g | awk '{a[NR] = $1} END {p = int(NR * 0.95 + 0.999); printf "%.0f %.0f", a[int((NR + 1) / 2)] * 1000, a[p] * 1000}'; }
peak_rss() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$server/status"; }

if [ -n "${REUSE:-}" ]; then
  url=$REUSE
  seeded="reused $url"
else
  if [ "$backend" = sqlite ]; then
    url=$PWD/$out/reports_$$.db
  else
    db=plaudit_bench_reports_$$
    psql -q "$pg_admin" -c "CREATE DATABASE $db"
    url=${pg_admin%/*}/$db
  fi
  seed_start=$(date +%s.%N)
  DATABASE_URL=$url "$bin" seed --articles "$articles" --votes "$votes" --days "$days" \
    --seed "${SEED:-1}" >"$work/seed.out"
  seed_end=$(date +%s.%N)
  seeded="$(cat "$work/seed.out") [wall clock $(awk -v a="$seed_start" -v b="$seed_end" 'BEGIN {printf "%.1f", b - a}') s]"
  verify_start=$(date +%s.%N)
  DATABASE_URL=$url "$bin" verify
  echo "verify: every aggregate equals a recount ($(awk -v a="$verify_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s)"
fi
# The most voted article, for the heaviest one-article report: as the seed named it, or
# (reusing a PostgreSQL database) as the database says.
if [ -s "$work/seed.out" ]; then
  top=$(sed -n 's/.*most votes: \([^ ]*\) .*/\1/p' "$work/seed.out")
elif [ "$backend" = postgres ]; then
  top=$(psql -Atq "$url" -c "SELECT article_id FROM articles ORDER BY vote_count DESC LIMIT 1")
fi
top=${top:-a1}

key=$(DATABASE_URL=$url "$bin" keys create --name bench-reports --scope read 2>/dev/null)
DATABASE_URL=$url PLAUDIT_BIND=127.0.0.1:$port PLAUDIT_RATE_LIMIT_ENABLED=false "$bin" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

rows=()
measure() { # label path [csv]
  local label=$1 accept=application/json
  [ "${3:-}" = csv ] && accept=text/csv
  local request=(curl -s --max-time 1800 -H "Authorization: Bearer $key" -H "Accept: $accept"
    -o "$work/body" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n'
    "http://127.0.0.1:$port$2")
  "${request[@]}" >/dev/null # unmeasured: the first request also warms the database's caches
  : >"$work/times"
  for _ in $(seq "$runs"); do "${request[@]}" >>"$work/times"; done
  if awk '$1 != 200 {bad = 1} END {exit !bad}' "$work/times"; then
    echo "FAIL: $2 answered $(awk '{print $1}' "$work/times" | sort -u | tr '\n' ' ')" >&2
    head -c 500 "$work/body" >&2
    exit 1
  fi
  local total first size
  total=$(awk '{print $3}' "$work/times" | stats)
  first=$(awk '{print $2}' "$work/times" | stats)
  size=$(awk 'END {printf "%.0f kB", $4 / 1e3}' "$work/times")
  [ "${3:-}" = csv ] && size="$size, $(wc -l <"$work/body") lines"
  rows+=("| $label | ${total% *} | ${total#* } | ${first% *} | ${first#* } | $size | $(peak_rss) |")
  echo "   $label: median ${total% *} ms, p95 ${total#* } ms" >&2
}

ago() { date -u -d "$1 days ago" +%Y-%m-%dT%H:%M:%SZ; }
base=/v1/reports
measure "ranking, all time" "$base/articles?limit=50"
measure "ranking by wilson_lower_bound asc, min_votes=10" \
  "$base/articles?sort=wilson_lower_bound&order=asc&min_votes=10&limit=50"
measure "ranking, section=sport" "$base/articles?section=sport&limit=50"
measure "ranking, last 7 days" "$base/articles?from=$(ago 7)&limit=50"
measure "ranking, last 30 days" "$base/articles?from=$(ago 30)&limit=50"
measure "ranking, last 365 days" "$base/articles?from=$(ago 365)&limit=50"
measure "summary" "$base/summary"
measure "one article's report ($top)" "$base/articles/$top"
measure "CSV of the whole ranking" "$base/articles" csv

{
  echo "$backend, $articles articles, $votes votes over $days days; median and p95 of $runs runs after one unmeasured; release build, $(nproc) cores"
  echo "seed: $seeded"
  echo
  echo "| request | median ms | p95 ms | first byte median ms | first byte p95 ms | body | service peak RSS so far |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out/reports.md"
[ "${KEEP:-0}" = 1 ] && echo "kept: DATABASE_URL=$url (REUSE=$url bench/reports.sh times it again)"
echo "reports bench: completed in $(($(date +%s) - started)) s"
