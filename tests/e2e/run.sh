#!/usr/bin/env bash
# The widget's end-to-end tests: the release binary on a fresh SQLite database, driven by
# headless Chromium through playwright-core. Without Chromium they are skipped with a note,
# except under CI=true, where Chromium is installed and a test that did not run fails.
#
#   tests/e2e/run.sh                       build, start, test, stop
#   PLAUDIT_BIN=path tests/e2e/run.sh      test that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
e2e="$root/tests/e2e"
chromium=${PLAUDIT_E2E_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  if [ "${CI:-}" = true ]; then
    echo "== installing Chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "SKIPPED: the widget's browser tests need Chromium at $chromium (apt-get install chromium chromium-driver)"
    exit 0
  fi
fi

echo "== npm ci"
(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)

if [ -n "${PLAUDIT_BIN:-}" ]; then
  bin=$PLAUDIT_BIN
else
  # Always built: the binary embeds static/widget.js, so an old one would test an old widget.
  echo "== cargo build --release"
  cargo build --release --quiet
  bin="$root/target/release/plaudit"
fi

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="$work/plaudit.db"
export PLAUDIT_LOG_FORMAT=json
# Every test browser votes from 127.0.0.1; the limits are tested in tests/api.
export PLAUDIT_RATE_LIMIT_ENABLED=false
export PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=100000
# The dashboard's session cookie over plain HTTP: allowed only because the bind is loopback.
export PLAUDIT_SESSION_PLAIN_HTTP=true

echo "== starting $bin"
# Port 0: the server picks a free port and logs it, so two runs never collide.
PLAUDIT_BIND=127.0.0.1:0 "$bin" serve 2>"$work/server.log" &
server=$!
port=
for _ in $(seq 100); do
  port=$(grep -m1 -o '"port":[0-9]*' "$work/server.log" | cut -d: -f2 || true)
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$work/server.log" >&2
    echo "FAIL: the server exited during start-up" >&2
    exit 1
  fi
  port=
  sleep 0.2
done
if [ -z "$port" ]; then
  cat "$work/server.log" >&2
  echo "FAIL: the server did not answer /healthz within 20 seconds" >&2
  exit 1
fi
export PLAUDIT_E2E_BASE_URL="http://127.0.0.1:$port"
echo "   listening on $PLAUDIT_E2E_BASE_URL"

echo "== creating an editor key"
if key=$("$bin" keys create --name e2e --scope read 2>"$work/keys.log" | tail -n 1) && [ -n "$key" ]; then
  export PLAUDIT_E2E_EDITOR_KEY="$key"
else
  echo "   'plaudit keys create' failed; the feedback lookup test will fail:"
  sed 's/^/   /' "$work/keys.log" | tail -n 5
fi

if key=$("$bin" keys create --name e2e-admin --scope admin 2>>"$work/keys.log" | tail -n 1) && [ -n "$key" ]; then
  export PLAUDIT_E2E_ADMIN_KEY="$key"
else
  echo "   'plaudit keys create --scope admin' failed; the dashboard's admin tests will fail"
fi

echo "== node --test"
set +e
(cd "$e2e" && node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs) 2>&1 | tee "$work/node.log"
status=${PIPESTATUS[0]}
set -e

count() { sed -n "s/^ℹ $1 \([0-9]*\)\$/\1/p" "$work/node.log" | tail -n 1; }
tests=$(count tests) passed=$(count pass) failed=$(count fail) skipped=$(count skipped)
if [ "$status" -ne 0 ]; then
  echo "   server log (last 40 lines):"
  tail -n 40 "$work/server.log" | sed 's/^/   /'
fi
if [ "${CI:-}" = true ] && [ "${skipped:-0}" != 0 ]; then
  echo "FAIL: under CI every browser test must run, but ${skipped} were skipped" >&2
  status=1
fi
echo "e2e: ${tests:-0} tests, ${passed:-0} passed, ${failed:-?} failed, ${skipped:-0} skipped"
exit "$status"
