#!/usr/bin/env bash
# `npm stop`: removes the local server of `npm start` and every leftover of an interrupted run
# (network namespaces, nft table, ip_forward, cgroup directories).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash local/host.sh down --all
