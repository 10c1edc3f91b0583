#!/usr/bin/env bash
# prune: keeps the newest releases and deletes the rest, with any half-unpacked leftovers of an
# interrupted release step. "Newest" is what a rollback wants: the live release, then the
# releases that served most recently (the switch step's history), then the others by the time
# they were unpacked (a release that never served, e.g. one that failed its checks, goes first).
# And the services the live release no longer runs (a service taken out of the stack's list, or
# the bundled app's after a switch to your own) stop, and their unit, socket and Gunicorn config go.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_APP_DIR HBNB_STATE_DIR HBNB_KEEP_RELEASES HBNB_UNITS
read_units

releases=$HBNB_APP_DIR/releases
for dir in "$releases"/.incoming-*; do
  [[ -d $dir ]] || continue
  rm -rf "$dir"
  changed "removed leftover $dir"
done

# The releases on disk, one a line, the first to keep first: the live one, the history's from
# the newest, then the others from the newest unpacked.
ranked_releases() {
  local live release
  live=$(basename "$(readlink "$HBNB_APP_DIR/current" 2>/dev/null)" 2>/dev/null || true)
  {
    echo "$live"
    tac "$HBNB_STATE_DIR/$HBNB_SERVICE.history" 2>/dev/null | awk '{ print $2 }'
    find "$releases" -mindepth 1 -maxdepth 1 -type d -name 'r-*' -printf '%T@ %f\n' | sort -rn | cut -d' ' -f2
  } | awk 'NF && !seen[$0]++' | while read -r release; do
    [[ ! -d $releases/$release ]] || echo "$release"
  done
}

mapfile -t ranked < <(ranked_releases)
for release in "${ranked[@]:HBNB_KEEP_RELEASES}"; do
  rm -rf "${releases:?}/$release"
  changed "removed old release $release"
done
say "${#ranked[@]} release(s) before pruning, keeping $HBNB_KEEP_RELEASES"

# The stack's units are named after the app's user (HBNB_SERVICE, HBNB_SERVICE-<name>) and say
# that they are the stack's: any other such unit belongs to a service the release no longer runs.
units=/etc/systemd/system
removed=0
for file in "$units/$HBNB_SERVICE.service" "$units/$HBNB_SERVICE"-*.service; do
  if [[ ! -f $file ]] || ! grep -q '^# Written by hbnb-stack' "$file"; then continue; fi
  unit=$(basename "$file" .service)
  [[ " ${unit_name[*]} " != *" $unit "* ]] || continue
  config=$(sed -nE 's/^ExecStart=.* --config (\S+).*/\1/p' "$file")
  systemctl disable -q --now "$unit.socket" "$unit.service" 2>/dev/null || true
  rm -f "$file" "$units/$unit.socket" "$config"
  removed=1
  changed "stopped and removed $unit, a service the release no longer runs"
done
((removed == 0)) || systemctl daemon-reload
finish
