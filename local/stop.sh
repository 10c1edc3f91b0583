#!/usr/bin/env bash
# `npm stop`: removes the local server of `npm start` and every leftover of an interrupted run
# (network namespaces, nft table, ip_forward, cgroup directories).
# `npm stop -- --undo`: keeps the server and takes the stack back out of it instead, with the
# undo scripts `pulumi destroy` runs on a server you already have (local/undo.ts); it takes
# `npm start`'s --image and --stack after --undo.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --undo ]]; then
  exec node_modules/.bin/tsx local/undo.ts "${@:2}"
fi
exec bash local/host.sh down --all
