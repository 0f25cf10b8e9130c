#!/usr/bin/env bash
# The browser suite on both engines at once: each run waits on the browser
# and the server far more than it computes, so the two share the machine's
# cores well (issue 24). Each engine's output is kept apart and printed whole.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
npx vitest run --config vitest.browser.config.ts --project sqlite "$@" >"$dir/sqlite.log" 2>&1 &
sqlite=$!
npx vitest run --config vitest.browser.config.ts --project postgres "$@" >"$dir/postgres.log" 2>&1 &
postgres=$!
wait $sqlite; s=$?
wait $postgres; p=$?
echo "=== browser suite on SQLite (exit $s)"; cat "$dir/sqlite.log"
echo "=== browser suite on PostgreSQL (exit $p)"; cat "$dir/postgres.log"
rm -rf "$dir"
[ $s -eq 0 ] && [ $p -eq 0 ]
