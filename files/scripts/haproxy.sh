#!/usr/bin/env bash
# haproxy: installs the load balancer's config (/etc/haproxy/haproxy.cfg) and makes HAProxy run
# it. The new file is checked by HAProxy itself (`haproxy -c`) before it replaces the old one:
# a config HAProxy rejects never lands, and the running HAProxy keeps the one it has. A changed
# config is applied with `systemctl reload haproxy`: Debian's unit checks it again, then the
# master starts new workers on the same listening sockets and the old ones finish their
# connections (a seamless reload: no request is refused or cut).
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HAPROXY_CONFIG HBNB_HAPROXY_PATH

# The distribution's config, kept once beside it for `pulumi destroy` (undo-haproxy.sh puts it back).
dist="$HBNB_HAPROXY_PATH.dist"
if [[ -f $HBNB_HAPROXY_PATH && ! -f $dist ]] && ! grep -q 'written by hbnb-stack' "$HBNB_HAPROXY_PATH"; then
  cp -p "$HBNB_HAPROXY_PATH" "$dist"
  changed "kept the distribution's config as $dist"
fi

stage=$(mktemp)
trap 'rm -f "$stage"' EXIT
printf '%s\n' "$HBNB_HAPROXY_CONFIG" >"$stage"

if ! out=$(haproxy -c -q -f "$stage" 2>&1); then
  die "haproxy -c rejected the new $HBNB_HAPROXY_PATH (the old one stays): $out"
fi
wrote=0
if install_file "$stage" "$HBNB_HAPROXY_PATH" root:root 0644; then wrote=1; fi

if ! systemctl is-enabled -q haproxy; then
  systemctl enable -q haproxy
  changed "enabled haproxy at boot"
fi
if ! systemctl is-active -q haproxy; then
  systemctl start haproxy
  changed "started haproxy"
elif [[ $wrote -eq 1 ]]; then
  systemctl reload haproxy
  changed "reloaded haproxy (seamless: same sockets, connections kept)"
fi
finish
