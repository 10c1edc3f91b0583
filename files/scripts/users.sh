#!/usr/bin/env bash
# users: the app's unprivileged user and group, and the directories it runs from.
# The app owns only what it writes (data, logs); its code and configs belong to root, readable
# through the group. Nginx's user is not in the group: it would read the app's secrets and its
# database. It reaches the socket by the socket unit's own permission, and the static files as
# anyone may (see release_modes in lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_APP_USER HBNB_APP_DIR HBNB_DATA_DIR HBNB_LOG_DIR HBNB_CONFIG_DIR HBNB_STATIC_DIRS

user=$HBNB_APP_USER
if ! getent group "$user" >/dev/null; then
  groupadd --system "$user"
  changed "created group $user"
fi
if ! id "$user" >/dev/null 2>&1; then
  # A system user with no login shell and no home of its own to write to.
  useradd --system --gid "$user" --home-dir "$HBNB_DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$user"
  changed "created user $user"
fi
# Others (Nginx) may pass through to the static files, but not list what is there. Stacks
# before the socket unit had Nginx's user in the app's group and their releases readable through
# it only: those get today's modes (the harden step takes Nginx's user out of the group once the
# switch step has moved the app onto its socket unit).
ensure_dir "$HBNB_APP_DIR" "root:$user" 0751
ensure_dir "$HBNB_APP_DIR/releases" "root:$user" 0751
for release in "$HBNB_APP_DIR"/releases/r-*; do
  [[ -d $release && $(stat -c %a "$release") != 751 ]] || continue
  # shellcheck disable=SC2086 # one word a directory (relative paths without spaces)
  release_modes "$release" "$user" $HBNB_STATIC_DIRS
  changed "set the modes of $release"
done
ensure_dir "$HBNB_CONFIG_DIR" "root:$user" 0750
ensure_dir "$HBNB_DATA_DIR" "$user:$user" 0750
# A data volume kept from a replaced server (the volume step) holds the files of that server's
# app user, whose uid and gid this server's may not have: a system user takes the highest free
# id, and a new image has other system users. Only the app writes here, so what neither root
# (lost+found) nor this user owns is the earlier user's: it becomes this user's.
count=$(find "$HBNB_DATA_DIR" -xdev -mindepth 1 \( \( ! -user root ! -user "$user" \) -o \( ! -group root ! -group "$user" \) \) \
  -print -exec chown -h "$user:$user" {} + | wc -l)
((count == 0)) || changed "gave $user the $count file(s) in $HBNB_DATA_DIR an earlier server's user owned"
ensure_dir "$HBNB_LOG_DIR" "$user:$user" 0750
finish
