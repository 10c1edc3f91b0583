#!/usr/bin/env bash
# packages: installs what the app needs from the distribution's own packages (Nginx, Gunicorn,
# Flask, SQLAlchemy, ufw, ...): security updates then come with the system's, and there is no
# virtualenv or pip to keep up to date.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_PACKAGES

# How long to wait for another apt run to let go of apt's locks, in seconds (10 minutes: a first
# boot's apt-daily and unattended-upgrades take a few). Set it lower by hand to give up sooner.
apt_wait=${HBNB_APT_WAIT:-600}

# A process that holds a lock, for people: its command line and the systemd unit it runs in.
describe_process() {
  local pid=$1 cmdline unit
  cmdline=$(tr '\0\n' '  ' <"/proc/$pid/cmdline" 2>/dev/null) || cmdline=
  unit=$(grep -oE '[^/]+\.(service|scope)$' "/proc/$pid/cgroup" 2>/dev/null | head -n 1) || unit=
  printf '%s' "${cmdline% }${unit:+, in $unit}"
}

# apt-get ARGS..., waiting for any other apt run to finish. apt waits for dpkg's own locks itself
# (DPkg::Lock::Timeout), but the lock of its package lists (`update`) and the lock of its
# download directory (`install`) it takes with one fcntl(F_SETLK) and fails at once if another
# process holds them (apt 2.4 to 3.1: pkgAcquire::GetLock in apt-pkg/acquire.cc calls GetLock of
# apt-pkg/contrib/fileutl.cc, which never waits). On a first boot apt-daily.service (apt-get
# update) and unattended-upgrades hold them for minutes. So a run that failed for a lock only
# is tried again every 2 seconds until apt_wait seconds have passed. Its stdout is dropped;
# what apt printed on stderr is passed on.
apt_get() {
  local deadline=$((SECONDS + apt_wait)) out rc lock pid seen=
  while :; do
    rc=0
    # C locale: the messages below are matched in English.
    out=$(LC_ALL=C apt-get -q -o "DPkg::Lock::Timeout=$((deadline > SECONDS ? deadline - SECONDS : 0))" "$@" 2>&1 >/dev/null) || rc=$?
    if [[ $rc -eq 0 ]]; then
      [[ -z $out ]] || printf '%s\n' "$out" >&2
      return 0
    fi
    # apt's words (GetLock): "Could not get lock FILE. It is held by process PID (NAME)".
    [[ $out =~ Could\ not\ get\ lock\ ([^ ]*[^ .]) ]] || die "apt-get $* failed: $out"
    lock=${BASH_REMATCH[1]} pid=
    [[ $out =~ held\ by\ process\ ([0-9]+) ]] && pid=${BASH_REMATCH[1]}
    if [[ $SECONDS -ge $deadline ]]; then
      die "apt-get $1 gave up after ${apt_wait} s: $lock is still held by process ${pid:-?} ($(describe_process "$pid")); on a new server that is apt-daily, unattended-upgrades or cloud-init at work: see \`systemctl status ${pid:-PID}\` on the server, and deploy again once it has finished"
    fi
    if [[ $seen != "$lock $pid" ]]; then
      say "waiting (up to ${apt_wait} s) for $lock, held by process ${pid:-?} ($(describe_process "$pid"))"
      seen="$lock $pid"
    fi
    sleep 2
  done
}

read -ra wanted <<<"$HBNB_PACKAGES"
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt_get update
  apt_get install -y --no-install-recommends "${missing[@]}"
  changed "installed ${missing[*]}"
else
  say "all ${#wanted[@]} packages present"
fi
finish
