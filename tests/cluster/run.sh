#!/usr/bin/env bash
# The multi-instance rig (issue 18): a real load balancer (nginx, from Debian's packages) in
# front of three Plaudit instances, on a PostgreSQL primary with a streaming replica and a
# Redis, all of them private to this run (own clusters made with pg_createcluster and
# pg_basebackup, own redis-server, own ports): the machine's shared PostgreSQL and Redis are
# never touched. It prints, with figures:
#   1. quota     one client address gets the single quota through the balancer, not three
#   2. load      votes from many addresses at full load: every acknowledged vote stored, every
#                aggregate equal to a recount
#   3. kill      kill -9 of one instance mid-load: errors clients saw, votes lost
#   4. redis     Redis stopped mid-load: errors clients saw, limits local during, shared after
#   5. reports   vote p99 under a heavy report loop on the replica against the same loop on
#                the primary (and with no reports at all)
#
#   bash tests/cluster/run.sh            the long form, for a person (about 4 minutes of load)
#   bash tests/cluster/run.sh --short    CI's short form (about 1 minute of load)
#
# Environment: PLAUDIT_BIN=path tests that binary instead of building target/release/plaudit;
# CLUSTER_PORT_BASE=N (default 18400) moves the private ports (N+1 ... N+20);
# CLUSTER_KEEP=1 keeps the work directory (logs) after a pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

short=0
[ "${1:-}" = "--short" ] && short=1
if [ "$short" = 1 ]; then
  load_s=6; kill_s=9; redis_s=9; report_s=6; threads=8; seed_articles=5000; seed_votes=100000
else
  load_s=30; kill_s=30; redis_s=30; report_s=30; threads=16; seed_articles=50000; seed_votes=2000000
fi

base=${CLUSTER_PORT_BASE:-18400}
pg_primary_port=$((base + 1)); pg_replica_port=$((base + 2)); redis_port=$((base + 3))
balancer_port=$((base + 10)); instance_ports=($((base + 11)) $((base + 12)) $((base + 13)))
reports_replica_port=$((base + 14)); reports_primary_port=$((base + 15)); checker_port=$((base + 16))
primary_cluster=plaudit_rig_primary; replica_cluster=plaudit_rig_replica
quota_burst=10; quota_per_minute=30

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- tools: installed from Debian's packages where missing -------------------------------------
missing=()
command -v pg_createcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
pg_bin=/usr/lib/postgresql/$pg_version/bin

work=$(mktemp -d "${TMPDIR:-/tmp}/plaudit-cluster.XXXXXX")
chmod 755 "$work"
echo "work directory $work"
pids=()

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  for cluster in "$replica_cluster" "$primary_cluster"; do
    pg_dropcluster --stop "$pg_version" "$cluster" >/dev/null 2>&1 || true
  done
  if [ "$status" = 0 ] && [ -z "${CLUSTER_KEEP:-}" ]; then rm -rf "$work"; else echo "logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- the binary ----------------------------------------------------------------------------------
bin=${PLAUDIT_BIN:-$root/target/release/plaudit}
if [ -z "${PLAUDIT_BIN:-}" ]; then
  step "cargo build --release"
  (cd "$root" && cargo build --release --quiet)
fi

# --- PostgreSQL: a primary and its streaming replica, private clusters ---------------------------
step "PostgreSQL $pg_version: primary on $pg_primary_port, streaming replica on $pg_replica_port"
for cluster in "$replica_cluster" "$primary_cluster"; do
  pg_dropcluster --stop "$pg_version" "$cluster" >/dev/null 2>&1 || true
done
install -d -o postgres -g postgres "$work/pg-logs"
pg_createcluster "$pg_version" "$primary_cluster" -p "$pg_primary_port" -d "$work/pg-primary" \
  -l "$work/pg-logs/primary.log" \
  -o max_connections=200 -- --auth=trust >/dev/null
pg_ctlcluster "$pg_version" "$primary_cluster" start
# The replica: a cluster of its own (its config in /etc/postgresql, its port), whose empty data
# directory is replaced by a base backup of the primary that starts as a streaming standby.
# It keeps its primary from vacuuming rows its queries still read, rather than have its long
# reports cancelled by replay.
pg_createcluster "$pg_version" "$replica_cluster" -p "$pg_replica_port" -d "$work/pg-replica" \
  -l "$work/pg-logs/replica.log" \
  -o max_connections=200 -o hot_standby_feedback=on -- --auth=trust >/dev/null
find "$work/pg-replica" -mindepth 1 -delete
su postgres -c "$pg_bin/pg_basebackup -h 127.0.0.1 -p $pg_primary_port -U postgres \
  -D $work/pg-replica -R -X stream -c fast"
pg_ctlcluster "$pg_version" "$replica_cluster" start
primary_psql() { psql -h 127.0.0.1 -p "$pg_primary_port" -U postgres -Atq "$@"; }
replica_psql() { psql -h 127.0.0.1 -p "$pg_replica_port" -U postgres -Atq "$@"; }
primary_psql -c "CREATE DATABASE plaudit"
for _ in $(seq 50); do
  [ "$(replica_psql -d plaudit -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
  sleep 0.2
done
[ "$(replica_psql -d plaudit -c 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not in recovery"
echo "replica in recovery: yes; streaming: $(primary_psql -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"

# --- Redis, private ------------------------------------------------------------------------------
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$work/redis.pid" --dir "$work" --logfile "$work/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  fail "redis-server did not start"
}
step "Redis on $redis_port"
start_redis

# --- Plaudit -------------------------------------------------------------------------------------
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_primary_port/plaudit"
export PLAUDIT_SECRET=cluster-rig-secret-shared-by-all-instances
export PLAUDIT_LOG=warn
export PLAUDIT_WORKERS=2
export PLAUDIT_DB_MAX_CONNECTIONS=10
export PLAUDIT_SHUTDOWN_DRAIN_MS=0
export PLAUDIT_WARM_START_ARTICLES=0
export PLAUDIT_RATE_LIMIT_WRITES_BURST=$quota_burst
export PLAUDIT_RATE_LIMIT_WRITES_PER_MINUTE=$quota_per_minute
# Only the balancer is believed about who the client is.
export PLAUDIT_TRUSTED_PROXIES=127.0.0.1/32
replica_url="postgres://postgres@127.0.0.1:$pg_replica_port/plaudit"
redis_url="redis://127.0.0.1:$redis_port"

step "plaudit migrate, seed ($seed_articles articles, $seed_votes votes), an editor's key"
"$bin" migrate
started=$SECONDS
"$bin" seed --articles "$seed_articles" --votes "$seed_votes" >"$work/seed.log" 2>&1
echo "seeded in $((SECONDS - started)) s"
key=$("$bin" keys create --name cluster-rig --scope read)

# start NAME PORT [VAR=value ...]: one instance in the background, ready within 30 s.
declare -A instance_pid
start() {
  local name=$1 port=$2
  shift 2
  env PLAUDIT_BIND="127.0.0.1:$port" "$@" "$bin" serve >>"$work/$name.log" 2>&1 &
  instance_pid[$name]=$!
  pids+=($!)
  disown  # its kill -9 is the test, not news
  for _ in $(seq 300); do
    curl -fsS --max-time 1 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  fail "$name did not become ready (see $work/$name.log)"
}
shared=(PLAUDIT_REDIS_URL="$redis_url" PLAUDIT_REPORTS_DATABASE_URL="$replica_url")
step "three instances behind nginx on $balancer_port; report targets; a checker"
for n in 0 1 2; do start "instance$((n + 1))" "${instance_ports[$n]}" "${shared[@]}"; done
# The report loops' targets, outside the balancer so that votes meet the same instances in
# every phase: one reads the replica, one the primary.
start reports-replica "$reports_replica_port" "${shared[@]}"
start reports-primary "$reports_primary_port" PLAUDIT_REDIS_URL="$redis_url"
# Reads every acknowledged vote back, unlimited, from the primary.
start checker "$checker_port" PLAUDIT_RATE_LIMIT_ENABLED=false

# Votes are idempotent per voter (the same voter's vote again leaves the same state), so the
# balancer may resend a vote to another instance even after it reached a dead one
# ("non_idempotent"); any other POST (feedback) only if it never reached one. Reads are
# retried on errors, timeouts and 502/503 as nginx does for idempotent methods.
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream plaudit {
    server 127.0.0.1:${instance_ports[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${instance_ports[1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${instance_ports[2]} max_fails=1 fail_timeout=2s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$balancer_port;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_connect_timeout 1s;
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 3;
    location ~ ^/v1/articles/[^/]+/votes {
      proxy_pass http://plaudit;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    }
    location / { proxy_pass http://plaudit; }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
for _ in $(seq 50); do curl -fsS --max-time 1 "http://127.0.0.1:$balancer_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

load() { python3 "$here/load.py" "$@"; }
field() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, d))" "$1" "$2"; }
metric() { # metric PORT SERIES: its value, or "-"
  curl -fsS "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2; found=1 } END { if (!found) print "-" }'
}
# check ACK_LOG: every acknowledged vote read back, then plaudit verify (aggregates = recount).
check() {
  python3 "$root/tests/faults/check.py" --url "http://127.0.0.1:$checker_port" --ack-log "$1" \
    --database-url "$DATABASE_URL" --plaudit "$bin" | tee "$work/check.out"
}
lost() { sed -n 's/.*lost \([0-9]*\).*/\1/p' "$work/check.out" | head -n 1; }

# --- 1. one address, one quota -------------------------------------------------------------------
step "1. quota: one client address sends 60 votes through the balancer (3 instances)"
started=$(date +%s.%N)
q=$(load votes --port "$balancer_port" --sources 127.0.5.5 --threads 4 --max-requests 60 --duration 30)
elapsed=$(python3 -c "import time; print(round(time.time() - $started, 2))")
created=$(field "$q" "statuses.get('201', 0)"); refused=$(field "$q" "statuses.get('429', 0)")
allowed=$(python3 -c "import math; print($quota_burst + math.ceil($quota_per_minute * $elapsed / 60))")
echo "$q"
echo "QUOTA: 201 $created, 429 $refused in ${elapsed} s; one quota allows $allowed (burst $quota_burst + $quota_per_minute/min), three local quotas would allow $((3 * quota_burst))+; tolerance: 201 <= allowed + 1"
[ "$created" -ge "$quota_burst" ] && [ "$created" -le $((allowed + 1)) ] || fail "quota not held"

# --- 2. many addresses at full load --------------------------------------------------------------
step "2. load: votes from many addresses through the balancer for $load_s s"
# The replica's replay lag, sampled half-way through the load.
(sleep "$(python3 -c "print($load_s / 2)")"; primary_psql -c "SELECT COALESCE(replay_lag::text, 'none') FROM pg_stat_replication" >"$work/lag") &
l=$(load votes --port "$balancer_port" --sources 127.1.0.0/16 --threads "$threads" --duration "$load_s" --ack-log "$work/acks-load.log")
wait $!
echo "$l"
check "$work/acks-load.log"
[ "$(lost)" = 0 ] || fail "acknowledged votes lost under load"
echo "LOAD: $(field "$l" "per_second") votes/s, statuses $(field "$l" "statuses"), errors $(field "$l" "errors"), lost $(lost); replica replay lag half-way: $(cat "$work/lag")"

# --- 3. kill -9 of one instance mid-load ---------------------------------------------------------
step "3. kill: kill -9 of instance2 a third into $kill_s s of load; restarted at two thirds"
load votes --port "$balancer_port" --sources 127.1.0.0/16 --threads "$threads" --duration "$kill_s" --ack-log "$work/acks-kill.log" >"$work/kill.json" &
load_pid=$!
sleep "$(python3 -c "print($kill_s / 3)")"
kill -9 "${instance_pid[instance2]}"
echo "instance2 killed (kill -9)"
sleep "$(python3 -c "print($kill_s / 3)")"
start instance2 "${instance_ports[1]}" "${shared[@]}"
echo "instance2 restarted"
wait "$load_pid"
k=$(cat "$work/kill.json"); echo "$k"
check "$work/acks-kill.log"
[ "$(lost)" = 0 ] || fail "acknowledged votes lost across the kill"
kill_errors=$(field "$k" "sum(v for s, v in statuses.items() if not s.startswith('2')) + sum(errors.values())")
echo "KILL: client-visible errors $kill_errors of $(field "$k" "sent") (statuses $(field "$k" "statuses"), connection errors $(field "$k" "errors")), lost $(lost); allowed: at most one per client thread ($threads), the requests in flight at the kill"
[ "$kill_errors" -le "$threads" ] || fail "more errors than requests in flight at the kill"

# --- 4. Redis stopped mid-load -------------------------------------------------------------------
step "4. redis: Redis stopped a third into $redis_s s of load, started again at two thirds"
load votes --port "$balancer_port" --sources 127.1.0.0/16 --threads "$threads" --duration "$redis_s" --ack-log "$work/acks-redis.log" >"$work/redis.json" &
load_pid=$!
sleep "$(python3 -c "print($redis_s / 3)")"
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
sleep 1.5
during=$(load votes --port "$balancer_port" --sources 127.0.6.6 --threads 4 --max-requests 60 --duration 5)
shared_during=$(for p in "${instance_ports[@]}"; do metric "$p" plaudit_rate_limit_shared; done | paste -sd, -)
sleep "$(python3 -c "print(max(0.5, $redis_s / 3 - 1.5 - 1))")"
start_redis
wait "$load_pid"
sleep 2
after=$(load votes --port "$balancer_port" --sources 127.0.7.7 --threads 4 --max-requests 60 --duration 5)
shared_after=$(for p in "${instance_ports[@]}"; do metric "$p" plaudit_rate_limit_shared; done | paste -sd, -)
r=$(cat "$work/redis.json"); echo "$r"
check "$work/acks-redis.log"
[ "$(lost)" = 0 ] || fail "acknowledged votes lost across the Redis outage"
redis_errors=$(field "$r" "sum(v for s, v in statuses.items() if s not in ('201', '200', '429')) + sum(errors.values())")
echo "REDIS: client errors during the outage $redis_errors of $(field "$r" "sent"); one address during the outage: 201 $(field "$during" "statuses.get('201', 0)") of 60 (local: up to 3 x $quota_burst), shared gauge per instance $shared_during; after: 201 $(field "$after" "statuses.get('201', 0)") of 60 (shared: about $quota_burst), gauge $shared_after"
[ "$redis_errors" = 0 ] || fail "a Redis outage reached clients"
[ "$(field "$after" "statuses.get('201', 0)")" -le $((quota_burst + 1)) ] || fail "quotas not shared again after Redis came back"

# --- 5. reports on the replica vs on the primary -------------------------------------------------
# Votes at a steady rate (below saturation, so that p99 measures interference, not queueing)
# while a report loop runs against one target or none.
step "5. reports: vote p99 at a steady rate, with no reports, reports on the replica, reports on the primary ($report_s s each)"
vote_rate=150
paths=/v1/reports/summary,/v1/reports/articles?sort=bayesian_average,csv:/v1/reports/articles
phase() { # phase NAME [REPORT_PORT]
  local name=$1 port=${2:-}
  local reports_pid=
  if [ -n "$port" ]; then
    load reports --port "$port" --key "$key" --paths "$paths" --threads 2 --duration "$report_s" >"$work/reports-$name.json" &
    reports_pid=$!
  fi
  local v
  v=$(load votes --port "$balancer_port" --sources 127.1.0.0/16 --threads "$threads" --rate "$vote_rate" --duration "$report_s")
  [ -z "$reports_pid" ] || wait "$reports_pid"
  local reports="-"
  [ -n "$port" ] && reports=$(field "$(cat "$work/reports-$name.json")" "f'{sent} reports ({statuses})'")
  echo "REPORTS $name: vote p50 $(field "$v" "p50_ms") ms, p99 $(field "$v" "p99_ms") ms, votes $(field "$v" "statuses"); $reports"
}
# The long form runs the three phases twice, alternated, to show the run-to-run noise.
rounds=1
[ "$short" = 1 ] || rounds=2
for _ in $(seq "$rounds"); do
  phase none
  phase replica "$reports_replica_port"
  phase primary "$reports_primary_port"
done
echo "replica queries counted by the replica's target: $(metric "$reports_replica_port" 'plaudit_report_queries_total{database="replica"}')"

step "sizes"
echo "votes: $(primary_psql -d plaudit -c "SELECT count(*) || ' rows, ' || pg_total_relation_size('votes') / count(*) || ' bytes a row with its indexes' FROM votes")"
# The GCRA script alone, on the rig's Redis: what one Redis core answers.
gcra=$(grep -v '^--' "$root/src/abuse/gcra.lua")
echo "Redis, the GCRA script by EVAL (8 clients, 100,000 keys): $(redis-benchmark -p "$redis_port" -n 20000 -c 8 -r 100000 -q \
  EVAL "$gcra" 1 'bench:rl:__rand_int__' 2000000 18000000 2>/dev/null | tr '\r' '\n' | tail -n 1 | sed 's/.*: //')"

step "cluster rig passed"
