#!/usr/bin/env bash
# undo-haproxy: takes the haproxy step back out, as `pulumi destroy` does on a load balancer the
# stack did not create: HAProxy stops and starts no more at boot (nothing of the stack answers on
# port 80 any more), and the distribution's config, which the haproxy step kept beside the
# stack's, is put back. HAProxy itself stays installed, as every package the stack installed does.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HAPROXY_PATH

if ! command -v haproxy >/dev/null; then
  say "HAProxy is not installed: nothing to take back"
  finish
  exit 0
fi
if systemctl is-enabled -q haproxy 2>/dev/null || systemctl is-active -q haproxy; then
  systemctl disable -q --now haproxy
  changed "stopped haproxy and disabled it at boot"
fi
dist="$HBNB_HAPROXY_PATH.dist"
if [[ -f $dist ]]; then
  mv -f "$dist" "$HBNB_HAPROXY_PATH"
  changed "put back the distribution's $HBNB_HAPROXY_PATH"
elif [[ -f $HBNB_HAPROXY_PATH ]] && grep -q 'written by hbnb-stack' "$HBNB_HAPROXY_PATH"; then
  rm -f "$HBNB_HAPROXY_PATH"
  changed "removed the stack's $HBNB_HAPROXY_PATH (no distribution's config was kept)"
fi
finish
