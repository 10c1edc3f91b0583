#!/usr/bin/env bash
# undo-backup: takes the backup step back out, as `pulumi destroy` does on a server the stack did
# not create: the timer stops, its units and the two commands go; the dumps stay when the stack
# keeps the app's data (destroyKeepsData), and go with it otherwise.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_BACKUP_UNIT HBNB_BACKUP_DIR HBNB_BACKUP_TOOL HBNB_RESTORE_TOOL HBNB_KEEP_DATA

case $HBNB_KEEP_DATA in
  true | false) ;;
  *) die "HBNB_KEEP_DATA is '$HBNB_KEEP_DATA'; expected true or false (setting destroyKeepsData)" ;;
esac

timer=$HBNB_BACKUP_UNIT.timer
if systemctl is-enabled -q "$timer" 2>/dev/null || systemctl is-active -q "$timer"; then
  systemctl disable -q --now "$timer"
  changed "stopped and disabled $timer"
fi
removed=0
for file in "/etc/systemd/system/$HBNB_BACKUP_UNIT.service" "/etc/systemd/system/$timer" \
  "$HBNB_BACKUP_TOOL" "$HBNB_RESTORE_TOOL"; do
  if [[ -e $file ]]; then
    rm -f "$file"
    changed "removed $file"
    removed=1
  fi
done
if [[ $removed -eq 1 ]]; then systemctl daemon-reload; fi
if [[ -d $HBNB_BACKUP_DIR && $HBNB_KEEP_DATA == true ]]; then
  say "kept the backups in $HBNB_BACKUP_DIR (destroyKeepsData is true)"
elif [[ -d $HBNB_BACKUP_DIR ]]; then
  rm -rf "$HBNB_BACKUP_DIR"
  changed "removed $HBNB_BACKUP_DIR and its backups (destroyKeepsData is false)"
fi
finish
