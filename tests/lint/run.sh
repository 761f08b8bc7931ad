#!/usr/bin/env bash
# Lints openapi.yaml with Spectral: the OpenAPI rules and the OWASP API Security Top 10 (2023)
# ruleset, both pinned in package.json. Fails on any finding, warnings included: every rule is
# satisfied or switched off in .spectral.yaml with its reason.
#
#   tests/lint/run.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "== spectral lint openapi.yaml"
npx --no-install spectral lint ../../openapi.yaml --ruleset .spectral.yaml --fail-severity hint
