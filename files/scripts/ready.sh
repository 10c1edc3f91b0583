#!/usr/bin/env bash
# ready: puts a web server back in HAProxy's rotation after a deploy switched it, through the
# runtime API, and returns once HAProxy reports it UP (its health checks pass), or fails after
# HBNB_READY_WAIT seconds: a rolling deploy then stops before the next server.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HAPROXY_SOCKET HBNB_BACKEND HBNB_SERVER HBNB_READY_WAIT

api() { socat stdio "unix-connect:$HBNB_HAPROXY_SOCKET" <<<"$1"; }
# Field FIELD of the server's line in `show stat` (CSV: 1 pxname, 2 svname, 18 status, 37 check_status).
stat_of() { api "show stat" | awk -F, -v b="$HBNB_BACKEND" -v s="$HBNB_SERVER" -v f="$1" '$1 == b && $2 == s { print $f }'; }

server=$HBNB_BACKEND/$HBNB_SERVER
[[ -n $(stat_of 2) ]] || die "HAProxy has no server $server (show stat); is the load balancer's config deployed with this server?"
if [[ $(stat_of 18) == DRAIN* || $(stat_of 18) == MAINT* ]]; then
  out=$(api "set server $server state ready")
  [[ -z ${out//[[:space:]]/} ]] || die "set server $server state ready: $out"
  changed "$server set to ready"
fi
deadline=$((SECONDS + HBNB_READY_WAIT))
while [[ $(stat_of 18) != UP ]]; do
  [[ $SECONDS -lt $deadline ]] || die "$server is $(stat_of 18) (last check: $(stat_of 37)) ${HBNB_READY_WAIT} s after it was set ready; HAProxy's health check of it fails"
  sleep 0.5
done
say "$server is UP"
finish
