#!/usr/bin/env bash
# Instructions the service runs per request, counted by callgrind: repeatable whatever else
# the machine is doing, so an A/B between two builds on a noisy or busy machine still shows a
# real difference. Each binary serves a fresh SQLite database under valgrind twice, once with
# no requests and once with N, sent one at a time; the difference over N is the cost of one.
#
#   bench/instructions.sh BIN [BIN ...]     prints votes and reads, instructions per request
#   REQUESTS=N (default 2000)
#   LOG=info                                 the log filter (default warn; info writes the access log)
#   KEEP=DIR                                 keeps each busy run's callgrind file in DIR (named
#                                            by the binary's path), for callgrind_annotate
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${REQUESTS:-2000}
port=18950
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

client() { # mode count: sends them one at a time over one keep-alive connection
  python3 - "$1" "$2" "$port" <<'PY'
import http.client, json, sys, uuid
mode, count, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(count):
    if mode == "votes":
        body = json.dumps({"voter": str(uuid.uuid4()), "stars": 1 + i % 5})
        conn.request("POST", f"/v1/articles/a{i % 100}/votes", body, {"Content-Type": "application/json"})
    else:
        conn.request("GET", f"/v1/articles/a{i % 100}/rating")
    response = conn.getresponse()
    response.read()
    assert response.status < 300, response.status
PY
}

measure() { # bin mode count -> total instructions of the server process
  local bin=$1 mode=$2 count=$3 db="$work/$RANDOM.db" out="$work/callgrind.out"
  rm -f "$out"
  DATABASE_URL=$db PLAUDIT_BIND=127.0.0.1:$port PLAUDIT_LOG=${LOG:-warn} PLAUDIT_RATE_LIMIT_ENABLED=false \
    PLAUDIT_WORKERS=1 valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" 2>/dev/null &
  local server=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  # Reads are of rated articles, as a front page's are.
  [ "$mode" = reads ] && client votes 100
  client "$mode" "$count"
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  awk '/^summary:/ {print $2} /^totals:/ {print $2}' "$out" | head -n 1
  if [ -n "${KEEP:-}" ] && [ "$count" -gt 0 ]; then
    # Named by the binary's whole path: two builds are often both called plaudit.
    mkdir -p "$KEEP" && cp "$out" "$KEEP/${bin//\//_}.$mode.callgrind"
  fi
}

for bin in "$@"; do
  for mode in votes reads; do
    idle=$(measure "$bin" "$mode" 0)
    busy=$(measure "$bin" "$mode" "$requests")
    echo "$bin $mode: $(( (busy - idle) / requests )) instructions per request ($requests requests)"
  done
done
