#!/usr/bin/env bash
# Installs the Debian packages this machine needs, by group, so that a fresh clone needs no
# manual step. Idempotent and quiet when everything is already there.
#   local/deps.sh host   what `npm start` needs to build and boot a disposable server
#   local/deps.sh test   what `npm test` needs on top (validators, pytest, load tools, browser;
#                        jq for the CI script's tests; openssh-server for the sshd that the
#                        app source's tests start on 127.0.0.1 with a config of their own;
#                        haproxy for `haproxy -c` on the load balancer's rendered config;
#                        pebble (Let's Encrypt's test ACME server) and testssl.sh for HTTPS)
set -euo pipefail

# debian-archive-keyring: the archive's keys, trixie's included, for debootstrap of both images.
# git: an appSource that is a git repository is fetched on this machine (source/fetch.ts).
host_packages=(debootstrap debian-archive-keyring systemd-container nftables iproute2 openssh-client curl rsync git)
test_packages=(shellcheck jq nginx-core gunicorn python3-pytest python3-flask python3-flask-cors
  python3-sqlalchemy python3-werkzeug python3-hypothesis python3-mysqldb wrk chromium openssh-server haproxy
  pebble testssl.sh)

missing() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

install() {
  local -a todo
  mapfile -t todo < <(missing "$@")
  [[ ${#todo[@]} -eq 0 ]] && return 0
  echo "deps: installing ${todo[*]}"
  [[ $(id -u) -eq 0 ]] || { echo "deps: run as root to install ${todo[*]}" >&2; exit 1; }
  # Packages such as nginx start their service from the postinst; on this machine nothing of
  # theirs may run or bind a port, so policy-rc.d refuses every start while apt works.
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${todo[@]}" >/dev/null
  [[ $created -eq 1 ]] && rm -f "$policy"
  return 0
}

case "${1:-host}" in
  host) install "${host_packages[@]}" ;;
  test) install "${host_packages[@]}" "${test_packages[@]}" ;;
  *) echo "usage: $0 host|test" >&2; exit 2 ;;
esac
