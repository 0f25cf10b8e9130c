#!/usr/bin/env bash
# Runs a command with one core kept busy beside it, as on a machine doing
# other work: `test/load/under-load.sh npm run test:browser`. The busy loop
# ends with the command; the command's exit status is this script's.
set -uo pipefail
cd "$(dirname "$0")/../.."
node test/load/busy.mjs &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
"$@"
