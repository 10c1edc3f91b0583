#!/usr/bin/env bash
# undo-users: the last undo of `pulumi destroy` on a server the stack did not create. The
# directories the users step made go once the other undos have emptied them (the releases'
# directory, /etc/<app>, the deploy's bookkeeping); a directory with anything else in it stays,
# and is named. The app's data and logs stay unless the stack says otherwise (destroyKeepsData),
# and with them the app's user and group that own them, so that a later deploy finds its
# database as it left it. Nginx's user leaves the app's group either way.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_APP_USER HBNB_WEB_USER HBNB_APP_DIR HBNB_DATA_DIR HBNB_LOG_DIR HBNB_CONFIG_DIR \
  HBNB_STATE_DIR HBNB_KEEP_DATA

# Removes the empty directory DIR, or says why it stays.
remove_dir() {
  local dir=$1
  [[ -d $dir ]] || return 0
  if rmdir "$dir" 2>/dev/null; then
    changed "removed $dir"
  else
    say "kept $dir: it holds files the stack did not put there ($(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f ' | head -c 200))"
  fi
}

remove_dir "$HBNB_APP_DIR/releases"
remove_dir "$HBNB_APP_DIR"
remove_dir "$HBNB_CONFIG_DIR"
remove_dir "$HBNB_STATE_DIR"

user=$HBNB_APP_USER
if getent group "$user" >/dev/null && id -nG "$HBNB_WEB_USER" | tr ' ' '\n' | grep -qx "$user"; then
  gpasswd -d "$HBNB_WEB_USER" "$user" >/dev/null
  changed "removed $HBNB_WEB_USER from group $user"
fi

case $HBNB_KEEP_DATA in
  true)
    for dir in "$HBNB_DATA_DIR" "$HBNB_LOG_DIR"; do
      [[ ! -d $dir ]] || say "kept $dir (destroyKeepsData is true)"
    done
    id "$user" >/dev/null 2>&1 && say "kept user and group $user: they own the kept data and logs"
    ;;
  false)
    # --one-file-system: a file system mounted inside (a volume of the owner's) is not crossed.
    for dir in "$HBNB_DATA_DIR" "$HBNB_LOG_DIR"; do
      [[ -d $dir ]] || continue
      rm -rf --one-file-system "$dir"
      changed "removed $dir (destroyKeepsData is false)"
    done
    for log in /var/log/nginx/"$HBNB_SERVICE"-static.log*; do
      [[ -f $log ]] || continue
      rm -f "$log"
      changed "removed $log"
    done
    if id "$user" >/dev/null 2>&1; then
      userdel "$user"
      changed "removed user $user"
    fi
    if getent group "$user" >/dev/null; then
      groupdel "$user"
      changed "removed group $user"
    fi
    ;;
  *) die "HBNB_KEEP_DATA is '$HBNB_KEEP_DATA'; expected true or false (setting destroyKeepsData)" ;;
esac
finish
