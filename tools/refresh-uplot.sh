#!/usr/bin/env bash
# Refreshes the dashboard's vendored copy of uPlot (static/dashboard/vendor/uplot) from the npm
# registry, at the version pinned below or the one given: `tools/refresh-uplot.sh 1.6.33`.
# The files are committed, so building Plaudit never needs the network; rerun this to upgrade,
# read the changelog, and run tests/e2e/run.sh.
set -euo pipefail
version=${1:-1.6.32}
cd "$(dirname "$0")/.."
dest=static/dashboard/vendor/uplot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
mkdir -p "$dest"
cp "$work/package/dist/uPlot.esm.js" "$dest/uPlot.esm.js"
cp "$work/package/dist/uPlot.min.css" "$dest/uPlot.min.css"
cp "$work/package/LICENSE" "$dest/LICENSE"
integrity=$(npm view "uplot@$version" dist.integrity)
printf 'uPlot %s from the npm registry (%s), MIT licence (LICENSE).\nRefresh: tools/refresh-uplot.sh [version]\n' \
  "$version" "$integrity" >"$dest/VERSION"
echo "uPlot $version vendored in $dest"
