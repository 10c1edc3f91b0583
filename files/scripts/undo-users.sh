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
# A member of the group's list (not its primary group): the users step added it.
if getent group "$user" | cut -d: -f4 | tr ',' '\n' | grep -qx "$HBNB_WEB_USER"; then
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
    for dir in "$HBNB_DATA_DIR" "$HBNB_LOG_DIR"; do
      [[ -d $dir ]] || continue
      # A directory the distribution ships (dataDir set to /var/lib, say) is never removed.
      if dpkg-query -S "$dir" >/dev/null 2>&1; then
        say "kept $dir: a package of the distribution ships it; remove the app's files in it by hand"
        continue
      fi
      # --one-file-system: a file system mounted inside (a volume of the owner's) is not crossed.
      rm -rf --one-file-system "$dir"
      changed "removed $dir (destroyKeepsData is false)"
    done
    for log in /var/log/nginx/"$HBNB_SERVICE"-static.log*; do
      [[ -f $log ]] || continue
      rm -f "$log"
      changed "removed $log"
    done
    # The users step makes a dynamic system account (id 100-999 on Debian and Ubuntu): an account
    # below 100 (www-data is 33) is the distribution's own, and so is Nginx's user.
    if id "$user" >/dev/null 2>&1; then
      if [[ $user == "$HBNB_WEB_USER" ]] || (($(id -u "$user") < 100)); then
        say "kept user $user: an account of the distribution"
      else
        userdel "$user"
        changed "removed user $user"
      fi
    fi
    if getent group "$user" >/dev/null; then
      if [[ $user == "$HBNB_WEB_USER" ]] || (($(getent group "$user" | cut -d: -f3) < 100)); then
        say "kept group $user: a group of the distribution"
      else
        groupdel "$user"
        changed "removed group $user"
      fi
    fi
    ;;
  *) die "HBNB_KEEP_DATA is '$HBNB_KEEP_DATA'; expected true or false (setting destroyKeepsData)" ;;
esac
finish
