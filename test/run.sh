#!/usr/bin/env bash
# `npm test`: every tier, fastest first, so a broken unit test fails in seconds.
#   npm test            types, lint, unit, files, app, wsgi, e2e (side by side: see below)
#   npm test -- e2e     the end-to-end tier alone (real local servers)
# Installs what it needs on a fresh clone (npm and Debian packages) before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules/@pulumi/pulumi ]] || npm ci --no-audit --no-fund
bash local/deps.sh test

tier=${1:-all}
jest=(node_modules/.bin/jest --ci)
step() { printf '\n== %s\n' "$*"; }

if [[ $tier == all ]]; then
  step "types (tsc --noEmit)"
  node_modules/.bin/tsc --noEmit -p .
  step "lint (eslint, prettier)"
  node_modules/.bin/eslint .
  node_modules/.bin/prettier --check . >/dev/null
  step "unit (Pulumi program under mocks)"
  "${jest[@]}" --selectProjects unit
  step "files (nginx -t, systemd-analyze verify, shellcheck)"
  "${jest[@]}" --selectProjects files
  step "app (pytest)"
  bash test/app.sh
  step "wsgi (pytest: the wrapper of a user's app, the import check, under Gunicorn)"
  bash test/wsgi.sh
fi
if [[ $tier == all || $tier == e2e ]]; then
  step "e2e (disposable local servers over real SSH)"
  # The files side by side, in three jest workers: each waits mostly on boots, apt and SSH. A
  # window that counts failed requests under load, or floods a server, has the machine alone
  # meanwhile (test/e2e/alone.ts): no other file boots or deploys until it ends.
  "${jest[@]}" --selectProjects e2e --maxWorkers=3
fi
