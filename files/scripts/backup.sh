#!/usr/bin/env bash
# backup: the database host's backup job (setting databaseHost). A systemd service that dumps the
# app's database into the backup directory and keeps the newest few, a timer that starts it every
# day, and two commands for the operator: one that makes a dump now, one that restores a dump.
# The units are checked by `systemd-analyze verify` before they are installed.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_BACKUP_UNIT HBNB_BACKUP_DIR HBNB_BACKUP_TOOL HBNB_RESTORE_TOOL \
  HBNB_BACKUP_SERVICE HBNB_BACKUP_TIMER HBNB_BACKUP_SCRIPT HBNB_RESTORE_SCRIPT

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
service=$HBNB_BACKUP_UNIT.service
timer=$HBNB_BACKUP_UNIT.timer
printf '%s\n' "$HBNB_BACKUP_SERVICE" >"$stage/$service"
printf '%s\n' "$HBNB_BACKUP_TIMER" >"$stage/$timer"
printf '%s\n' "$HBNB_BACKUP_SCRIPT" >"$stage/backup"
printf '%s\n' "$HBNB_RESTORE_SCRIPT" >"$stage/restore"

# The commands first: the service's ExecStart must exist for verify to pass.
install_file "$stage/backup" "$HBNB_BACKUP_TOOL" root:root 0755 || true
install_file "$stage/restore" "$HBNB_RESTORE_TOOL" root:root 0755 || true
# As the configs step does for the app's units: what verify rejects never lands.
if ! out=$(systemd-analyze verify "$stage/$service" "$stage/$timer" 2>&1); then
  die "systemd-analyze verify rejected the backup units (the old ones stay): $out"
fi
if [[ ! -d $HBNB_BACKUP_DIR ]]; then
  install -d -o root -g root -m 0700 "$HBNB_BACKUP_DIR"
  changed "created $HBNB_BACKUP_DIR (root only)"
fi
units=0
install_file "$stage/$service" "/etc/systemd/system/$service" root:root 0644 && units=1
install_file "$stage/$timer" "/etc/systemd/system/$timer" root:root 0644 && units=1
if [[ $units -eq 1 ]]; then
  systemctl daemon-reload
  changed "reloaded systemd"
fi
if ! systemctl is-enabled -q "$timer" || ! systemctl is-active -q "$timer"; then
  systemctl enable -q --now "$timer"
  changed "enabled and started $timer"
elif [[ $units -eq 1 ]]; then
  systemctl restart "$timer"
  changed "restarted $timer"
fi
finish
