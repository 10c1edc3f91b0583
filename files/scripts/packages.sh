#!/usr/bin/env bash
# packages: installs what the app needs from the distribution's own packages (Nginx, Gunicorn,
# Flask, SQLAlchemy, ufw, ...): security updates then come with the system's, and there is no
# virtualenv or pip to keep up to date.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_PACKAGES

read -ra wanted <<<"$HBNB_PACKAGES"
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (unattended-upgrades on a fresh server) may hold the lock: wait for it.
  apt=(apt-get -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update >/dev/null
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
  changed "installed ${missing[*]}"
else
  say "all ${#wanted[@]} packages present"
fi
finish
