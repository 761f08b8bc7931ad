#!/usr/bin/env bash
# Contract tests: schemathesis drives the release binary, on a fresh PostgreSQL database, from
# openapi.yaml with every check it has, as an admin editor for the editor endpoints, and
# statefully through the spec's links (vote, read it back, give feedback, retract it, ...).
# Any failure fails the run. Settings: schemathesis.toml; the spec's cross-parameter rules:
# hooks.py. Left behind: target/contract-junit.xml and target/contract-server.log.
#
#   tests/contract/run.sh                  build, start, test, stop
#   tests/contract/run.sh SPEC             test against another copy of the spec
#   PLAUDIT_BIN=path                       test that binary instead of building one
#   PLAUDIT_CONTRACT_SPEC=path             the spec (default: openapi.yaml; SPEC wins)
#   PLAUDIT_CONTRACT_DATABASE_URL=url      the PostgreSQL server to make the database on
#                                          (default: postgres://postgres@127.0.0.1:5432/test)
#   PLAUDIT_CONTRACT_MAX_EXAMPLES=N        test cases per operation and phase (default in
#                                          tests/contract/schemathesis.toml)
#   PLAUDIT_CONTRACT_SEED=N                replay a run (schemathesis prints its seed)
#   PLAUDIT_CONTRACT_ST_ARGS="..."         more options for `st run` (e.g. --continue-on-failure)
set -euo pipefail
# Paths given by the caller are taken from where they called.
spec=${1:-${PLAUDIT_CONTRACT_SPEC:-}}
[ -n "$spec" ] && spec=$(realpath "$spec")
[ -n "${PLAUDIT_BIN:-}" ] && PLAUDIT_BIN=$(realpath "$PLAUDIT_BIN")
cd "$(dirname "$0")/../.."
root=$(pwd)
contract="$root/tests/contract"
spec=${spec:-$root/openapi.yaml}
[ -f "$spec" ] || { echo "FAIL: no spec at $spec" >&2; exit 1; }
server_url=${PLAUDIT_CONTRACT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
venv="$root/target/contract-venv"

echo "== schemathesis ($contract/requirements.txt)"
if [ ! -x "$venv/bin/st" ] || ! cmp -s "$contract/requirements.txt" "$venv/requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$contract/requirements.txt"
  cp "$contract/requirements.txt" "$venv/requirements.txt"
fi
"$venv/bin/st" --version

if [ -n "${PLAUDIT_BIN:-}" ]; then
  bin=$PLAUDIT_BIN
else
  echo "== cargo build --release"
  cargo build --release --quiet
  bin="$root/target/release/plaudit"
fi

work=$(mktemp -d)
database="plaudit_contract_$$"
database_created=
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ -n "$database_created" ]; then
    psql "$server_url" -qAtc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== database $database on ${server_url%/*}"
psql "$server_url" -qAtc "CREATE DATABASE $database" >/dev/null
database_created=1
export DATABASE_URL="${server_url%/*}/$database"
"$bin" migrate 2>"$work/migrate.log" || { cat "$work/migrate.log" >&2; exit 1; }

echo "== creating an admin editor key"
PLAUDIT_CONTRACT_KEY=$("$bin" keys create --name contract --scope admin 2>"$work/keys.log") || true
if [ -z "$PLAUDIT_CONTRACT_KEY" ]; then
  cat "$work/keys.log" >&2
  echo "FAIL: 'plaudit keys create' printed no key" >&2
  exit 1
fi
export PLAUDIT_CONTRACT_KEY

echo "== starting $bin"
# Schemathesis sends every request from 127.0.0.1 and makes thousands of voters: the limits
# are raised by configuration only (they are tested in tests/api).
export PLAUDIT_RATE_LIMIT_ENABLED=false
export PLAUDIT_VOTERS_PER_NETWORK_PER_DAY=1000000
# Webhooks the run subscribes point at a closed local port (see hooks.py): nothing leaves.
export PLAUDIT_WEBHOOKS_ALLOW_PRIVATE=true
export PLAUDIT_LOG_FORMAT=json
# Warnings and errors (a 500 logs its cause), and the start-up line with the port.
export PLAUDIT_LOG="warn,plaudit::startup=info"
# Port 0: the server picks a free port and logs it, so two runs never collide.
PLAUDIT_BIND=127.0.0.1:0 "$bin" serve 2>"$work/server.log" &
server=$!
port=
for _ in $(seq 100); do
  port=$(grep -m1 -o '"port":[0-9]*' "$work/server.log" | cut -d: -f2 || true)
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
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
  echo "FAIL: the server did not answer /readyz within 20 seconds" >&2
  exit 1
fi
base_url="http://127.0.0.1:$port"
echo "   listening on $base_url"

echo "== schemathesis run $spec"
junit="$root/target/contract-junit.xml"
rm -f "$junit"
args=(--url "$base_url" --checks all --no-color --report junit --report-junit-path "$junit")
[ -n "${PLAUDIT_CONTRACT_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$PLAUDIT_CONTRACT_MAX_EXAMPLES")
[ -n "${PLAUDIT_CONTRACT_SEED:-}" ] && args+=(--seed "$PLAUDIT_CONTRACT_SEED")
# shellcheck disable=SC2206 # word splitting is the point
[ -n "${PLAUDIT_CONTRACT_ST_ARGS:-}" ] && args+=($PLAUDIT_CONTRACT_ST_ARGS)
export SCHEMATHESIS_HOOKS="$contract/hooks.py"
# Hypothesis keeps its example database and caches here rather than in .hypothesis/.
export HYPOTHESIS_STORAGE_DIRECTORY="$root/target/contract-hypothesis"
status=0
"$venv/bin/st" --config-file "$contract/schemathesis.toml" run "$spec" "${args[@]}" || status=$?

if ! kill -0 "$server" 2>/dev/null; then
  echo "FAIL: the server died during the run" >&2
  status=1
fi
cp "$work/server.log" "$root/target/contract-server.log"
if grep -q '"level":"ERROR"' "$work/server.log"; then
  echo "   errors the server logged (first 10; all in target/contract-server.log):"
  grep '"level":"ERROR"' "$work/server.log" | head -n 10 | cut -c1-300 | sed 's/^/   /'
fi

# One test per operation, and one for the stateful scenarios, as in the JUnit report.
read -r tests failed < <(python3 - "$junit" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
except (OSError, ET.ParseError):
    cases = []
bad = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
print(len(cases), len(bad))
EOF
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "   spec $spec; schemathesis exited with $status"
echo "contract: $((tests - failed < 0 ? 0 : tests - failed)) passed, ${failed} failed"
exit "$status"
