#!/usr/bin/env bash
# undo-switch: the app stops serving, as `pulumi destroy` does on a server the stack did not
# create: its service and socket are stopped and no longer started at boot, and `current` no
# longer points at a release. Nginx keeps running (the configs undo gives it back its default site).
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_APP_DIR HBNB_STATE_DIR HBNB_PENDING_FILE HBNB_UNITS
read_units

# Every service of the release, and its socket.
units=()
for name in "${unit_name[@]}"; do units+=("$name.service" "$name.socket"); done
# Both at once: a request on the socket alone would start the service again.
for unit in "${units[@]}"; do
  if systemctl is-active -q "$unit"; then
    systemctl stop "${units[@]}"
    changed "stopped ${units[*]}"
    break
  fi
done
for unit in "${units[@]}"; do
  if systemctl is-enabled -q "$unit" 2>/dev/null; then
    systemctl disable -q "$unit"
    changed "disabled $unit at boot"
  fi
  # A unit that failed keeps showing in `systemctl --failed` until told otherwise.
  if systemctl is-failed -q "$unit"; then
    systemctl reset-failed "$unit"
    changed "cleared the failed state of $unit"
  fi
done
for link in "$HBNB_APP_DIR/current" "$HBNB_APP_DIR/.current.new"; do
  if [[ -L $link ]]; then
    rm -f "$link"
    changed "removed $link"
  fi
done
# The switch step's bookkeeping: the releases that served, and a reload still pending.
for file in "$HBNB_STATE_DIR/$HBNB_SERVICE.history" "$HBNB_PENDING_FILE"; do
  if [[ -f $file ]]; then
    rm -f "$file"
    changed "removed $file"
  fi
done
finish
