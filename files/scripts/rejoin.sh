#!/usr/bin/env bash
# rejoin: puts this web server back in the AWS load balancer's rotation after a rolling deploy
# switched it: the drain marker goes, the health path must answer healthy through Nginx (the
# target group's matcher, HBNB_HEALTHY_CODES: "200" or "200-499") within HBNB_READY_WAIT
# seconds, then the step waits out the load balancer's window (HBNB_BALANCER_WINDOW: its healthy
# threshold of passing checks), after which the load balancer sends it requests again and the
# next server may leave. A health path that never answers healthy fails the step: the roll
# stops here, and the load balancer keeps the server out on its own checks.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DRAIN_MARKER HBNB_CHECK_URL HBNB_BALANCER_WINDOW HBNB_HEALTHY_CODES HBNB_READY_WAIT

status() { curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$HBNB_CHECK_URL" 2>/dev/null || true; }
low=${HBNB_HEALTHY_CODES%-*}
high=${HBNB_HEALTHY_CODES#*-}
healthy() { [[ $1 =~ ^[0-9]{3}$ ]] && ((10#$1 >= low && 10#$1 <= high)); }

if [[ -e $HBNB_DRAIN_MARKER ]]; then
  rm -f "$HBNB_DRAIN_MARKER"
  changed "removed $HBNB_DRAIN_MARKER"
fi
deadline=$((SECONDS + HBNB_READY_WAIT))
answer=$(status)
until healthy "$answer"; do
  if ((SECONDS >= deadline)); then
    # Its own unhealthy answers keep the load balancer away from it.
    die "$(hostname) answers ${answer:-000} on $HBNB_CHECK_URL ${HBNB_READY_WAIT} s after its switch, not $HBNB_HEALTHY_CODES: the load balancer keeps it out of rotation, and the servers after it keep their release"
  fi
  sleep 0.5
  answer=$(status)
done
say "waiting ${HBNB_BALANCER_WINDOW} s: the load balancer's health checks see $(hostname) healthy ($answer)"
sleep "$HBNB_BALANCER_WINDOW"
say "$(hostname) is back in the load balancer's rotation"
finish
