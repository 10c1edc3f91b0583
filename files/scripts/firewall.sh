#!/usr/bin/env bash
# firewall: the host's own firewall (ufw) lets in SSH, HTTP and HTTPS (the load balancer: SSH and
# HTTP) and nothing else.
# SSH is allowed before the firewall is turned on, so the operator is never locked out.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SSH_PORT

# port/protocol and the comment ufw keeps beside the rule.
rules=("$HBNB_SSH_PORT/tcp|ssh" "80/tcp|http")
# The load balancer (core/balancer.ts) takes HTTP only: HBNB_HTTPS=no.
[[ ${HBNB_HTTPS:-yes} == no ]] || rules+=("443/tcp|https")
added=$(ufw show added 2>/dev/null || true)
for rule in "${rules[@]}"; do
  port=${rule%|*} comment=${rule#*|}
  if ! grep -q "^ufw allow $port\b" <<<"$added"; then
    ufw allow "$port" comment "$comment" >/dev/null
    changed "allowed $port ($comment)"
  fi
done

# Drop everything else that comes in; let the server reach out (apt, a remote database).
if ! grep -q '^DEFAULT_INPUT_POLICY="DROP"' /etc/default/ufw || ! grep -q '^DEFAULT_OUTPUT_POLICY="ACCEPT"' /etc/default/ufw; then
  ufw default deny incoming >/dev/null
  ufw default allow outgoing >/dev/null
  changed "default policy: deny incoming, allow outgoing"
fi
# ENABLED=yes in ufw.conf is ufw's "on at boot", which a fresh system does not have; only then
# is `ufw status` (a Python start, ~0.2 s) asked whether the rules are loaded now.
if ! grep -qx 'ENABLED=yes' /etc/ufw/ufw.conf || ! ufw status | grep -q '^Status: active'; then
  ufw --force enable >/dev/null
  changed "enabled ufw"
fi
finish
