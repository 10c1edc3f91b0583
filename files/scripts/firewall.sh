#!/usr/bin/env bash
# firewall: the host's own firewall (ufw) lets in SSH, HTTP and HTTPS (the load balancer: SSH and
# HTTP; the database host: SSH, and MariaDB's port from the web servers only) and nothing else.
# SSH is allowed before the firewall is turned on, so the operator is never locked out.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SSH_PORT

# port/protocol and the comment ufw keeps beside the rule.
rules=("$HBNB_SSH_PORT/tcp|ssh")
# The database host (core/database-host.ts) serves no HTTP: HBNB_HTTP=no.
[[ ${HBNB_HTTP:-yes} == no ]] || rules+=("80/tcp|http")
# The load balancer (core/balancer.ts) takes HTTP only: HBNB_HTTPS=no.
[[ ${HBNB_HTTPS:-yes} == no || ${HBNB_HTTP:-yes} == no ]] || rules+=("443/tcp|https")
added=$(ufw show added 2>/dev/null || true)
for rule in "${rules[@]}"; do
  port=${rule%|*} comment=${rule#*|}
  if ! grep -q "^ufw allow $port\b" <<<"$added"; then
    ufw allow "$port" comment "$comment" >/dev/null
    changed "allowed $port ($comment)"
  fi
done

# The database host: MariaDB's port from each web server's address (a DNS name resolved here:
# ufw takes addresses), and from no other; a rule of a web server that left the stack goes.
clients=()
for host in ${HBNB_DATABASE_CLIENTS:-}; do
  if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
    clients+=("$host")
  else
    mapfile -t found < <(getent ahosts "$host" | awk '{ print $1 }' | sort -u)
    [[ ${#found[@]} -gt 0 ]] || die "web server $host: no address found for it on this server (getent ahosts); list web servers by address in hosts, or fix its DNS name"
    clients+=("${found[@]}")
  fi
done
for client in "${clients[@]}"; do
  if ! grep -qxF "ufw allow from $client to any port 3306 proto tcp comment 'mariadb'" <<<"$added"; then
    ufw allow from "$client" to any port 3306 proto tcp comment mariadb >/dev/null
    changed "allowed 3306/tcp from $client (mariadb)"
  fi
done
while read -r client; do
  [[ -n $client ]] || continue
  printf '%s\n' "${clients[@]}" | grep -qxF -- "$client" && continue
  ufw delete allow from "$client" to any port 3306 proto tcp >/dev/null
  changed "removed 3306/tcp from $client (not a web server of the stack)"
done < <(sed -n "s/^ufw allow from \(\S*\) to any port 3306 proto tcp comment 'mariadb'$/\1/p" <<<"$added")

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
