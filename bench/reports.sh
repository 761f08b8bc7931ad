#!/usr/bin/env bash
# Times editors' reports over 100,000 votes on 10,000 articles, on SQLite and on PostgreSQL.
# Usage: bench/reports.sh [runs]   (PostgreSQL at $PLAUDIT_BENCH_PG, default the local server)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
pg_admin=${PLAUDIT_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build --release -q
bin=target/release/plaudit
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

seed_sqlite() {
  sqlite3 "$1" <<'SQL'
PRAGMA foreign_keys = ON;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
INSERT INTO articles (article_id, created_at, title, section)
SELECT 'a' || i, 0, 'Article ' || i, 'section-' || (i % 12) FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision)
SELECT 'a' || (i % 10000), randomblob(32), 1 + abs(random()) % 5,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000 - (i % 30) * 86400000,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000 - (i % 30) * 86400000,
       'r' || (i % 3)
FROM n;
SQL
}

seed_postgres() {
  psql -q "$1" <<'SQL'
INSERT INTO articles (article_id, created_at, title, section)
SELECT 'a' || i, 0, 'Article ' || i, 'section-' || (i % 12) FROM generate_series(0, 9999) AS i;
INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision)
SELECT 'a' || (i % 10000), decode(md5(i::text) || md5((-i)::text), 'hex'), 1 + floor(random() * 5)::int,
       (extract(epoch FROM now()) * 1000)::bigint - (i % 30)::bigint * 86400000,
       (extract(epoch FROM now()) * 1000)::bigint - (i % 30)::bigint * 86400000,
       'r' || (i % 3)
FROM generate_series(0, 99999) AS i;
ANALYZE;
SQL
}

# Keeps the kept aggregates equal to a recount, as the service would have left them.
recount_sql="UPDATE articles SET
  vote_count = (SELECT COUNT(*) FROM votes v WHERE v.article_id = articles.article_id),
  star_sum = (SELECT COALESCE(SUM(stars), 0) FROM votes v WHERE v.article_id = articles.article_id);"

median_ms() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_report() { # url key [accept]
  for _ in $(seq "$runs"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $2" -H "Accept: ${3:-application/json}" "$1"
  done | awk '{printf "%.1f\n", $1 * 1000}' | median_ms
}

bench() { # name database_url
  local name=$1 url=$2 port=18777
  DATABASE_URL=$url PLAUDIT_LOG=warn $bin migrate
  if [ "$name" = sqlite ]; then seed_sqlite "$url"; sqlite3 "$url" "$recount_sql"; else seed_postgres "$url"; psql -q "$url" -c "$recount_sql"; fi
  local key
  key=$(DATABASE_URL=$url PLAUDIT_LOG=warn $bin keys create --name bench 2>/dev/null)
  DATABASE_URL=$url PLAUDIT_BIND=127.0.0.1:$port PLAUDIT_LOG=warn $bin & server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  local base=http://127.0.0.1:$port/v1/reports
  printf '%-9s %-52s %8s ms\n' "$name" "articles?limit=500 (sorted by bayesian_average)" "$(time_report "$base/articles?limit=500" "$key")"
  printf '%-9s %-52s %8s ms\n' "$name" "articles, all 10,000 rows as CSV" "$(time_report "$base/articles" "$key" text/csv)"
  local week_ago
  week_ago=$(date -u -d '7 days ago' +%Y-%m-%d)
  printf '%-9s %-52s %8s ms\n' "$name" "articles?from=(7 days ago) (a window: index scan)" "$(time_report "$base/articles?from=$week_ago" "$key")"
  printf '%-9s %-52s %8s ms\n' "$name" "summary" "$(time_report "$base/summary" "$key")"
  printf '%-9s %-52s %8s ms\n' "$name" "articles/a42 (daily series, revisions)" "$(time_report "$base/articles/a42" "$key")"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

echo "median of $runs runs, 100,000 votes on 10,000 articles, release build, $(nproc) cores"
bench sqlite "$work/plaudit.db"
db=plaudit_bench_$$
psql -q "$pg_admin" -c "CREATE DATABASE $db"
bench postgres "${pg_admin%/*}/$db"
psql -q "$pg_admin" -c "DROP DATABASE $db WITH (FORCE)"
