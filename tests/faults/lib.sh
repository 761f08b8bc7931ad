# shellcheck shell=bash
# Shared by the fault scripts (sourced, not run): building, starting and stopping the release
# binary, fresh databases, and what every run does alike: its arguments (parse_args), its
# clean-up on any exit (begin_run, end_run), its checks (check_votes, check_outage) and the
# SUMMARY line it ends with (finish_run). A run script says only what its fault is.
#
# Environment a user may set:
#   PLAUDIT_BIN=path                 test that binary instead of building target/release/plaudit
#   PLAUDIT_FAULTS_PG_URL=url        the PostgreSQL server to make databases on
#                                    (default: postgres://postgres@127.0.0.1:5432/test)
#   PLAUDIT_FAULTS_KEEP=1            keep the work directory (logs, SQLite file) after a pass
#   PLAUDIT_FAULTS_THREADS=N         load threads (default 16)
#   PLAUDIT_FAULTS_ARTICLES=N        articles the votes are spread over (default 20)

faults_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$faults_dir/../.." && pwd)
pg_server_url=${PLAUDIT_FAULTS_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
load_threads=${PLAUDIT_FAULTS_THREADS:-16}
load_articles=${PLAUDIT_FAULTS_ARTICLES:-20}

# Settings for every server the scripts start: one client address sends everything, so the
# abuse limits are off (they are tested in tests/api); warnings and errors are logged.
export PLAUDIT_RATE_LIMIT_ENABLED=false
export PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=0
export PLAUDIT_LOG=${PLAUDIT_LOG:-warn}
# No PLAUDIT_SECRET: the voter key is then made on first start and kept in the database, so a
# restart after a crash must find it there, or every vote would read back as missing.

server_pid=
pg_database=
work=

now() { date +%s.%N; }
# Seconds from $1 to $2 (both from `now`), with two decimals or as many as $3 says.
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.${3:-2}f}')" "$1" "$2"; }

# Builds the release binary unless PLAUDIT_BIN names one; retries while a colleague's edit
# leaves the tree unbuildable for a moment.
build_release() {
  if [ -n "${PLAUDIT_BIN:-}" ]; then
    bin=$PLAUDIT_BIN
    return
  fi
  bin="$root/target/release/plaudit"
  local attempt started
  started=$(now)
  for attempt in 1 2 3; do
    if (cd "$root" && cargo build --release --quiet 2>"$work/build.log"); then
      echo "   cargo build --release: $(elapsed "$started" "$(now)" 0)s"
      return
    fi
    echo "   cargo build --release failed (attempt $attempt); retrying in 60 s" >&2
    tail -n 5 "$work/build.log" >&2
    sleep 60
  done
  cat "$work/build.log" >&2
  echo "FAIL: cargo build --release" >&2
  exit 1
}

make_work_dir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/plaudit-faults.XXXXXX")
  echo "   work directory $work"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server PORT LOG: starts the binary on DATABASE_URL in the background (server_pid) and
# waits until /readyz answers 200 (30 s at most).
start_server() {
  local port=$1 log=$2
  PLAUDIT_BIND="127.0.0.1:$port" "$bin" serve >>"$log" 2>&1 &
  server_pid=$!
  local _
  for _ in $(seq 300); do
    if curl -fsS --max-time 1 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      echo "FAIL: the server exited during start-up" >&2
      return 1
    fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  echo "FAIL: the server was not ready within 30 seconds" >&2
  return 1
}

# wait_exit PID SECONDS: true once PID has exited, false if it is still running after SECONDS.
wait_exit() {
  local pid=$1 deadline
  deadline=$(python3 -c "import time, sys; print(time.time() + float(sys.argv[1]))" "$2")
  while kill -0 "$pid" 2>/dev/null; do
    if python3 -c "import time, sys; sys.exit(time.time() < float(sys.argv[1]))" "$deadline"; then
      return 1
    fi
    sleep 0.05
  done
  wait "$pid" 2>/dev/null || true
  return 0
}

# Stops the server this script started: SIGTERM, then SIGKILL after 30 s.
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    if ! wait_exit "$server_pid" 30; then
      kill -KILL "$server_pid" 2>/dev/null || true
      wait "$server_pid" 2>/dev/null || true
    fi
  fi
  server_pid=
}

# Makes a fresh database on the PostgreSQL server and sets DATABASE_URL to it.
pg_create_database() {
  pg_database="plaudit_faults_$$_$RANDOM"
  psql "$pg_server_url" -qAtc "CREATE DATABASE $pg_database" >/dev/null
  export DATABASE_URL="${pg_server_url%/*}/$pg_database"
  echo "   database $pg_database on ${pg_server_url%/*}"
}

pg_drop_database() {
  if [ -n "$pg_database" ]; then
    psql "$pg_server_url" -qAtc "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1 || true
    pg_database=
  fi
}

# Runs the load client in the background (load_pid) with the logs in the work directory.
# start_load SECONDS [more load.py options]
start_load() {
  local seconds=$1
  shift
  python3 "$faults_dir/load.py" --url "http://127.0.0.1:$port" \
    --threads "$load_threads" --articles "$load_articles" --duration "$seconds" \
    --ack-log "$work/acks.log" --outcome-log "$work/outcomes.log" --trace "$work/trace.tsv" \
    --summary "$work/load.json" "$@" >"$work/load.out" 2>&1 &
  load_pid=$!
}

# Waits for the load client and shows its totals.
finish_load() {
  local rc=0
  wait "$load_pid" || rc=$?
  load_pid=
  sed 's/^/   /' "$work/load.out"
  return $rc
}

# A field of the load client's JSON summary.
load_figure() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/load.json" "$1"
}

# "ok" or "FAILED", from check.py's output in the work directory.
verify_result() {
  if grep -q '^plaudit verify: exit 0:' "$work/check.out"; then echo ok; else echo FAILED; fi
}

# The line ci.sh collects: "SUMMARY <run>: PASS|FAIL <figures>".
summary() {
  echo "SUMMARY $*"
}

# Removes the work directory after a pass unless PLAUDIT_FAULTS_KEEP=1; keeps it after a
# failure and says where it is.
finish_work_dir() {
  local passed=$1
  if [ "$passed" = 1 ] && [ "${PLAUDIT_FAULTS_KEEP:-}" != 1 ]; then
    rm -rf "$work"
  else
    echo "   logs kept in $work"
  fi
}

# parse_args DEFAULT_SECONDS FLAG "$@": a run script's arguments, `[SECONDS] [FLAG]`. Sets
# `seconds` (DEFAULT_SECONDS unless given) and `flag` (FLAG if given, else empty); prints the
# usage and exits 2 on anything else.
# shellcheck disable=SC2034 # seconds and flag are read by the script
parse_args() {
  local known=$2 arg
  seconds=$1
  flag=
  shift 2
  for arg in "$@"; do
    case $arg in
      "$known") flag=$known ;;
      [0-9]*) seconds=$arg ;;
      *) echo "usage: $0 [SECONDS] [$known]" >&2; exit 2 ;;
    esac
  done
}

# begin_run NAME: names the run (for its SUMMARY line) and makes end_run happen on any exit.
begin_run() {
  run=$1
  # 0 while the run has no verdict, 1 once it passed, 2 once it failed with its summary out.
  passed=0
  load_pid=
  trap end_run EXIT
  trap 'exit 130' INT TERM
}

# What every run does on exit, whatever happened: stops the load client and the server, runs
# the script's own `cleanup_more` if it defines one (after the server, which may hold what it
# removes), drops the PostgreSQL database, prints a FAIL summary if the run ended before its
# verdict, and removes or keeps the work directory.
end_run() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  stop_server
  if declare -F cleanup_more >/dev/null; then cleanup_more; fi
  pg_drop_database
  [ "$passed" = 0 ] && summary "$run: FAIL (see above)"
  finish_work_dir "$passed"
}

# A work directory and the binary, which every run starts with.
prepare_run() {
  make_work_dir
  build_release
}

# use_database sqlite|postgres: a fresh database as DATABASE_URL, a file in the work directory
# or a new database on the PostgreSQL server (dropped by end_run).
use_database() {
  if [ "$1" = postgres ]; then
    pg_create_database
  else
    export DATABASE_URL="$work/plaudit.db"
  fi
}

# A request may wait PLAUDIT_DB_TIMEOUT for a connection, then gets its 503; 1 s more is
# scheduling slack on a loaded machine. PLAUDIT_FAULTS_MAX_LATENCY=S changes the bound.
use_outage_timeouts() {
  export PLAUDIT_DB_TIMEOUT=2
  max_latency=${PLAUDIT_FAULTS_MAX_LATENCY:-$((PLAUDIT_DB_TIMEOUT + 1))}
}

# check_outage FAULT_AT: after a database outage, every 503 carried Retry-After and the
# responses after FAULT_AT pass analyze.py (2xx or 503 only, none slower than max_latency).
# Sets `recovery` and `after` for the summary; returns 1 if anything failed.
check_outage() {
  local fault_at=$1 rc=0 no_retry_after
  no_retry_after=$(load_figure 503_without_retry_after)
  if [ "$no_retry_after" != 0 ]; then
    echo "FAIL: $no_retry_after responses 503 without Retry-After" >&2
    rc=1
  fi
  echo "== responses after the fault"
  python3 "$faults_dir/analyze.py" outage --trace "$work/trace.tsv" --fault-at "$fault_at" \
    --max-latency "$max_latency" --recovery-file "$work/recovery" | tee "$work/analyze.out" || rc=1
  # shellcheck disable=SC2034 # both read by the script, for its summary
  recovery=$(cat "$work/recovery" 2>/dev/null || echo "-")
  # shellcheck disable=SC2034
  after=$(grep -m1 -o 'outcomes after the fault: .*; max latency [0-9.]* s' "$work/analyze.out" | sed 's/outcomes after the fault: //' | tr -d ' ' | sed 's/;maxlatency/; max latency /' || true)
  return $rc
}

# check_votes DATABASE_URL: check.py against the server on `port`: every acknowledged vote is
# stored and `plaudit verify` finds every rating equal to a recount. Its output is shown and
# kept for the summary; returns 1 if the check failed.
check_votes() {
  python3 "$faults_dir/check.py" --url "http://127.0.0.1:$port" --ack-log "$work/acks.log" \
    --database-url "$1" --plaudit "$bin" | tee "$work/check.out"
}

# The start of a SUMMARY line's figures: how much load the run sent.
load_figures() {
  echo "load ${seconds}s, $(load_figure sent) requests ($(load_figure rate)/s)"
}

# outcome_figures [MORE]: the end of a SUMMARY line's figures: check_votes' count, the load
# client's error counts (MORE after them) and the verify verdict.
outcome_figures() {
  echo "$(grep -m1 '^acknowledged' "$work/check.out"); 503 $(load_figure 503), other statuses $(load_figure other_statuses), connection errors $(load_figure connection_errors)${1:+ $1}; verify $(verify_result)"
}

# finish_run OK FIGURES: the run's SUMMARY line, PASS if OK is 1, else FAIL and exit 1.
finish_run() {
  if [ "$1" = 1 ]; then
    passed=1
    summary "$run: PASS $2"
  else
    summary "$run: FAIL $2"
    passed=2
    exit 1
  fi
}
