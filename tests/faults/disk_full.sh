#!/usr/bin/env bash
# SQLite on a full disk: once the file system is full, votes get 503 with Retry-After (never a
# 500), ratings can still be read, and no acknowledged vote is lost. Uses a tiny tmpfs, so it
# needs root (as CI has).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export PLAUDIT_LOG=error
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
begin_run "disk-full sqlite"
disk=
# After the server, which holds the database open on the tmpfs.
cleanup_more() {
  if [ -n "$disk" ]; then
    umount "$disk" 2>/dev/null || true
    rmdir "$disk" 2>/dev/null || true
  fi
}

echo "== $run: votes until the disk is full, then check"
prepare_run
disk=$(mktemp -d)
mount -t tmpfs -o size=1m tmpfs "$disk"
export DATABASE_URL="$disk/plaudit.db"
port=$(free_port)
start_server "$port" "$work/server.log"

acked=0 unavailable=0 other=0 retry_after=
for i in $(seq 1 3000); do
  voter=$(cat /proc/sys/kernel/random/uuid)
  status=$(curl -s -o /dev/null -D "$work/headers" -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/articles/a$((i % 50))/votes" \
    -H 'content-type: application/json' -d "{\"voter\":\"$voter\",\"stars\":$((i % 5 + 1))}")
  case $status in
    2??) acked=$((acked + 1)) ;;
    503)
      unavailable=$((unavailable + 1))
      # Every 503 must say when to retry; the last one's is reported.
      retry_after=$(awk 'tolower($1) == "retry-after:" {print $2}' "$work/headers" | tr -d '\r')
      [ -n "$retry_after" ] || { echo "a 503 without Retry-After" >&2; other=$((other + 1)); }
      [ "$unavailable" -ge 20 ] && break ;;
    *) other=$((other + 1)); echo "unexpected status $status" >&2 ;;
  esac
done
read_status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/ratings?article_id=a1&article_id=a2")
stop_server
stored=$(sqlite3 "$disk/plaudit.db" "SELECT COUNT(*) FROM votes")
ok=0
if [ "$unavailable" -gt 0 ] && [ "$other" -eq 0 ] && [ "$read_status" = 200 ] && [ -n "$retry_after" ] && [ "$stored" -ge "$acked" ]; then
  ok=1
fi
finish_run "$ok" "acknowledged $acked, stored $stored, lost $((acked > stored ? acked - stored : 0)); 503 $unavailable (Retry-After ${retry_after:-none}), other statuses $other; ratings read after the disk filled: $read_status"
