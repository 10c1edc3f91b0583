#!/usr/bin/env bash
# drain: takes one web server out of HAProxy's rotation before a deploy switches it, through
# HAProxy's runtime API. In state drain HAProxy sends it no new request (its health checks go
# on); the step returns once the requests it was serving are done (`show stat`: scur, its
# current sessions, is 0), or fails after HBNB_DRAIN_WAIT seconds, before the deploy touches it.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HAPROXY_SOCKET HBNB_BACKEND HBNB_SERVER HBNB_DRAIN_WAIT

# One command on the runtime API; its answer on stdout.
api() { socat stdio "unix-connect:$HBNB_HAPROXY_SOCKET" <<<"$1"; }
# Field FIELD of the server's line in `show stat` (CSV: 1 pxname, 2 svname, 5 scur, 18 status).
stat_of() { api "show stat" | awk -F, -v b="$HBNB_BACKEND" -v s="$HBNB_SERVER" -v f="$1" '$1 == b && $2 == s { print $f }'; }

server=$HBNB_BACKEND/$HBNB_SERVER
[[ -n $(stat_of 2) ]] || die "HAProxy has no server $server (show stat); is the load balancer's config deployed with this server?"
if [[ $(stat_of 18) != DRAIN* ]]; then
  out=$(api "set server $server state drain")
  [[ -z ${out//[[:space:]]/} ]] || die "set server $server state drain: $out"
  changed "$server set to drain"
fi
deadline=$((SECONDS + HBNB_DRAIN_WAIT))
while [[ $(stat_of 5) != 0 ]]; do
  [[ $SECONDS -lt $deadline ]] || die "$server still serves $(stat_of 5) request(s) after ${HBNB_DRAIN_WAIT} s of drain; it stays drained, not switched"
  sleep 0.2
done
say "$server drained: no request in flight"
finish
