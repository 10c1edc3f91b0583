#!/usr/bin/env bash
# reload: the classic graceful reload of a Gunicorn service, by hand and without downtime.
#   sudo reload.sh [SERVICE...]   (SERVICE defaults to hbnb; several are reloaded one by one)
# HUP goes to the master only, never to the workers: the master keeps its PID and its
# listening socket, re-reads its settings, starts new workers with the code the settings point
# at, and retires the old ones once they have finished their requests. No request is dropped.
# A signal to a worker would only kill that worker. Prints the PIDs before and after.
set -euo pipefail

die() {
  printf 'reload: error: %s\n' "$*" >&2
  exit 1
}
workers() { pgrep -P "$1" | sort -n | tr '\n' ' '; }

reload_one() {
  local service=$1 master before count deadline after old_left
  master=$(systemctl show -p MainPID --value "$service")
  [[ $master =~ ^[0-9]+$ && $master -gt 0 ]] || die "$service is not running (systemctl start $service)"
  before=$(workers "$master")
  count=$(wc -w <<<"$before")
  [[ $count -gt 0 ]] || die "the master of $service (PID $master) has no workers to replace"

  kill -s HUP "$master"

  # Done when every old worker has exited and as many new ones serve.
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    after=$(workers "$master")
    old_left=$(comm -12 <(tr ' ' '\n' <<<"$before" | sed '/^$/d') <(tr ' ' '\n' <<<"$after" | sed '/^$/d') | wc -l)
    if [[ $old_left -eq 0 && $(wc -w <<<"$after") -ge $count ]]; then
      [[ $(systemctl show -p MainPID --value "$service") == "$master" ]] || die "the master of $service changed during the reload"
      echo "reload: $service reloaded; master $master kept; workers ${before% } -> ${after% }"
      return 0
    fi
    sleep 0.2
  done
  die "the workers of $service were not all replaced within 60 s (before: $before, now: $(workers "$master"))"
}

for service in "${@:-hbnb}"; do reload_one "$service"; done
