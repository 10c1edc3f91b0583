#!/usr/bin/env bash
# mariadb: the app's database on the server itself (setting database: mariadb). MariaDB, from the
# distribution's package (the packages step installs it), takes the stack's settings (a drop-in:
# the unix socket only, no TCP port), starts at boot, and holds one database and one user, at
# localhost, with every privilege on that database and none elsewhere. The user's password is the
# stack's secret databasePassword: a new one is set with ALTER USER. The password is never printed
# nor put on a command line (where ps shows it): it reaches MariaDB in the SQL its client reads
# from stdin, and is hidden in any error shown.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DB_NAME HBNB_DB_USER HBNB_DB_PASSWORD HBNB_DB_CONFIG_PATH HBNB_DB_CONFIG

command -v mariadb >/dev/null || die "the mariadb client is missing: the packages step installs mariadb-server first"

errors=$(mktemp)
staged=$(mktemp)
trap 'rm -f "$errors" "$staged"' EXIT

# Runs the SQL read from stdin as MariaDB's root (the unix_socket login of the system's root, as
# Debian and Ubuntu set it up) and prints its rows, tab-separated. MariaDB's errors may quote the
# statement that failed: the password is hidden in what is shown.
sql() {
  if ! mariadb --batch --skip-column-names 2>"$errors"; then
    local message
    message=$(<"$errors")
    die "MariaDB refused the step's SQL: ${message//"$HBNB_DB_PASSWORD"/(hidden)}"
  fi
}

# --- The server: the stack's settings, at boot, running.
umask 022
printf '%s' "$HBNB_DB_CONFIG" >"$staged"
restart=false
if install_file "$staged" "$HBNB_DB_CONFIG_PATH" root:root 0644; then restart=true; fi
if ! systemctl is-enabled -q mariadb; then
  systemctl enable -q mariadb
  changed "enabled mariadb at boot"
fi
if ! systemctl is-active -q mariadb; then
  systemctl start mariadb || die "mariadb did not start: see journalctl -u mariadb on the server"
  changed "started mariadb"
elif $restart; then
  # MariaDB reads its settings only at start.
  systemctl restart mariadb || die "mariadb did not start again with $HBNB_DB_CONFIG_PATH: see journalctl -u mariadb on the server"
  changed "restarted mariadb for $HBNB_DB_CONFIG_PATH"
fi

name=$(sql_literal "$HBNB_DB_NAME")
user=$(sql_literal "$HBNB_DB_USER")
password=$(sql_literal "$HBNB_DB_PASSWORD")
account="$user@'localhost'"
# In GRANT's ON clause _ and % are wildcards of database names: escaped, the grant is for this
# one database only.
grant_name=${HBNB_DB_NAME//_/\\_}
grant_name=$(sql_identifier "${grant_name//\%/\\%}")

# (Each answer is read into a variable first: a query that fails stops the step there.)
# --- The database: utf8mb4, any Unicode character.
databases=$(sql <<<"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = $name;")
if [[ $databases == 0 ]]; then
  sql <<<"CREATE DATABASE $(sql_identifier "$HBNB_DB_NAME") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  changed "created database $HBNB_DB_NAME"
fi

# --- The user, with the stack's password (MariaDB's native password hash, which every MariaDB
# and MySQL client library speaks).
login="IDENTIFIED VIA mysql_native_password USING PASSWORD($password)"
users=$(sql <<<"SELECT COUNT(*) FROM mysql.user WHERE User = $user AND Host = 'localhost';")
current=$(sql <<<"SELECT COUNT(*) FROM mysql.user WHERE User = $user AND Host = 'localhost' AND plugin = 'mysql_native_password' AND authentication_string = PASSWORD($password);")
if [[ $users == 0 ]]; then
  sql <<<"CREATE USER $account $login;"
  changed "created user $HBNB_DB_USER@localhost"
elif [[ $current == 0 ]]; then
  sql <<<"ALTER USER $account $login;"
  changed "set the password of $HBNB_DB_USER@localhost (the secret databasePassword)"
fi

# --- Its privileges: all of them on the database, none elsewhere. GRANT is the same whether the
# grant was there or not; what SHOW GRANTS lists tells them apart (its USAGE line, which carries
# the password's hash, left out).
grants() {
  local all
  # Run in $(...), where errexit is off (bash): a refusal ends the step all the same.
  all=$(sql <<<"SHOW GRANTS FOR $account;") || exit 1
  grep -v '^GRANT USAGE ON \*\.\* TO ' <<<"$all" || true
}
before=$(grants)
sql <<<"GRANT ALL PRIVILEGES ON $grant_name.* TO $account;"
after=$(grants)
if [[ $after != "$before" ]]; then
  changed "granted $HBNB_DB_USER@localhost all privileges on $HBNB_DB_NAME"
fi
finish
