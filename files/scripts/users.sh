#!/usr/bin/env bash
# users: the app's unprivileged user and group, and the directories it runs from.
# The app owns only what it writes (data, logs); its code and configs belong to root, readable
# through the group. Nginx's user joins the group to reach Gunicorn's socket and static files.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_APP_USER HBNB_WEB_USER HBNB_APP_DIR HBNB_DATA_DIR HBNB_LOG_DIR HBNB_CONFIG_DIR

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
if ! id -nG "$HBNB_WEB_USER" | tr ' ' '\n' | grep -qx "$user"; then
  usermod -aG "$user" "$HBNB_WEB_USER"
  changed "added $HBNB_WEB_USER to group $user"
fi

ensure_dir "$HBNB_APP_DIR" "root:$user" 0750
ensure_dir "$HBNB_APP_DIR/releases" "root:$user" 0750
ensure_dir "$HBNB_CONFIG_DIR" "root:$user" 0750
ensure_dir "$HBNB_DATA_DIR" "$user:$user" 0750
ensure_dir "$HBNB_LOG_DIR" "$user:$user" 0750
finish
