#!/usr/bin/env bash
# `npm test`: every tier, fastest first, so a broken unit test fails in seconds.
#   npm test            types, lint, unit, files, app, wsgi, e2e (in two phases: see below)
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
  # In two phases, to keep the tier's time down on a small machine without a load test ever
  # sharing it: first the files that put no load on their servers, in two lanes at once (each
  # waits mostly on boots, apt and SSH); then the files that measure failed requests under load,
  # or flood and hold connections, one after the other, alone. A file in neither list runs in
  # the second phase.
  quiet_a=(stack app destroy mariadb)
  quiet_b=(cloud-first-boot apt-locks fail2ban user-data source data-volume)
  files() { printf 'test/e2e/%s.test.ts\n' "$@"; }
  lane_b=$(mktemp)
  mapfile -t b < <(files "${quiet_b[@]}")
  "${jest[@]}" --selectProjects e2e --runInBand "${b[@]}" >"$lane_b" 2>&1 &
  lane_b_pid=$!
  mapfile -t a < <(files "${quiet_a[@]}")
  status=0
  "${jest[@]}" --selectProjects e2e --runInBand "${a[@]}" || status=1
  wait "$lane_b_pid" || status=1
  cat "$lane_b"
  rm -f "$lane_b"
  mapfile -t loaded < <(printf '%s\n' test/e2e/*.test.ts | grep -vxF -f <(files "${quiet_a[@]}" "${quiet_b[@]}"))
  "${jest[@]}" --selectProjects e2e --runInBand "${loaded[@]}" || status=1
  exit "$status"
fi
