#!/usr/bin/env bash
# leave: takes this web server out of the AWS load balancer's rotation before a rolling deploy
# switches it. The drain marker makes Nginx answer the load balancer's health path with 503
# (files/nginx/guards.conf.njk); the step checks that it does, then waits out the load
# balancer's window (HBNB_BALANCER_WINDOW: its unhealthy threshold of checks, each interval
# apart, and the timeout of the last), after which none of its nodes sends this server a new
# request. Requests already in flight finish through the switch's graceful reload. Run again
# with the marker already there, it waits only what is left of the window since the marker.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DRAIN_MARKER HBNB_CHECK_URL HBNB_BALANCER_WINDOW

# The HTTP status of the health path through Nginx, or 000 when nothing answers.
status() { curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$HBNB_CHECK_URL" 2>/dev/null || true; }

if [[ ! -e $HBNB_DRAIN_MARKER ]]; then
  install -d -m 0755 "$(dirname "$HBNB_DRAIN_MARKER")"
  : >"$HBNB_DRAIN_MARKER"
  changed "created $HBNB_DRAIN_MARKER: $HBNB_CHECK_URL answers 503 to the load balancer"
fi
answer=$(status)
if [[ $answer != 503 ]]; then
  # Without its 503 the marker would keep nothing away: taken out again, so it cannot linger.
  rm -f "$HBNB_DRAIN_MARKER"
  die "$(hostname) answers ${answer:-000} on $HBNB_CHECK_URL with $HBNB_DRAIN_MARKER in place, not 503: the load balancer would keep sending it requests; is the configs step's Nginx site (the drain location) installed?"
fi
left=$(($(stat -c %Y "$HBNB_DRAIN_MARKER") + HBNB_BALANCER_WINDOW - $(date +%s)))
if ((left > 0)); then
  say "waiting ${left} s: the load balancer's health checks take $(hostname) out of rotation"
  sleep "$left"
fi
say "$(hostname) is out of the load balancer's rotation"
finish
