#!/usr/bin/env bash
# `npm start`: installs what it needs on a fresh clone (npm packages, Debian packages), then
# runs the stack on a disposable local server (local/start.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules/@pulumi/pulumi ]] || npm ci --no-audit --no-fund
bash local/deps.sh host
exec node_modules/.bin/tsx local/start.ts "$@"
