#!/usr/bin/env bash
# undo-mariadb: takes the mariadb step back out, as `pulumi destroy` does on a server the stack did
# not create: the app's MariaDB user goes (its password with it), at every host it has an account
# at (localhost; on the database host, each web server's address); the app's database goes too
# unless the stack keeps the app's data (destroyKeepsData), and then a later deploy finds it as it
# was left; the stack's drop-in goes, and MariaDB starts again with the distribution's settings.
# MariaDB itself stays installed, as every package the stack installed does.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DB_NAME HBNB_DB_USER HBNB_DB_CONFIG_PATH HBNB_KEEP_DATA

case $HBNB_KEEP_DATA in
  true | false) ;;
  *) die "HBNB_KEEP_DATA is '$HBNB_KEEP_DATA'; expected true or false (setting destroyKeepsData)" ;;
esac

# The SQL read from stdin, as MariaDB's root (the unix_socket login of the system's root); its
# rows tab-separated.
sql() { mariadb --batch --skip-column-names; }

if ! command -v mariadb >/dev/null; then
  say "MariaDB is not installed: no database or user of the app to remove"
else
  # Users and databases live in the running server: it starts if it was stopped.
  if ! systemctl is-active -q mariadb; then
    systemctl start mariadb || die "mariadb did not start, so the app's user and database cannot be removed: see journalctl -u mariadb on the server"
    say "started mariadb to remove the app's user and database"
  fi
  user=$(sql_literal "$HBNB_DB_USER")
  # Each answer is read into a variable first: a query that fails stops the undo there.
  hosts=$(sql <<<"SELECT Host FROM mysql.user WHERE User = $user;")
  while IFS= read -r host; do
    [[ -n $host ]] || continue
    sql <<<"DROP USER $user@$(sql_literal "$host");"
    changed "removed user $HBNB_DB_USER@$host"
  done <<<"$hosts"
  exists=$(sql <<<"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = $(sql_literal "$HBNB_DB_NAME");")
  if [[ $exists != 0 && $HBNB_KEEP_DATA == true ]]; then
    say "kept database $HBNB_DB_NAME (destroyKeepsData is true)"
  elif [[ $exists != 0 ]]; then
    sql <<<"DROP DATABASE $(sql_identifier "$HBNB_DB_NAME");"
    changed "removed database $HBNB_DB_NAME (destroyKeepsData is false)"
  fi
fi

# The database host's TLS files (its CA, certificate and key).
if [[ -n ${HBNB_DB_TLS_DIR:-} && -d $HBNB_DB_TLS_DIR ]]; then
  rm -rf "$HBNB_DB_TLS_DIR"
  changed "removed $HBNB_DB_TLS_DIR"
fi
if [[ -f $HBNB_DB_CONFIG_PATH ]]; then
  rm -f "$HBNB_DB_CONFIG_PATH"
  changed "removed $HBNB_DB_CONFIG_PATH"
  # MariaDB reads its settings only at start.
  if systemctl is-active -q mariadb; then
    systemctl restart mariadb ||
      die "mariadb did not start again without $HBNB_DB_CONFIG_PATH: see journalctl -u mariadb on the server"
    changed "restarted mariadb with the distribution's settings"
  fi
fi
finish
