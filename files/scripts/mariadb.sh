#!/usr/bin/env bash
# mariadb: the app's database on the server itself (setting database: mariadb). MariaDB, from the
# distribution's package (the packages step installs it), takes the stack's settings (a drop-in:
# the unix socket only, no TCP port), starts at boot, and holds one database and one user, at
# localhost, with every privilege on that database and none elsewhere. The user's password is the
# stack's secret databasePassword: a new one is set with ALTER USER. The password is never printed
# nor put on a command line (where ps shows it): it reaches MariaDB in the SQL its client reads
# from stdin, and is hidden in any error shown.
# On the database host (setting databaseHost) the same step runs with the host's drop-in (TCP on)
# and HBNB_DB_HOSTS, the web servers' addresses: the user exists at each of them (a DNS name is
# resolved here, as MariaDB resolves none) and at no other host; with HBNB_DB_TLS_DIR, the stack's
# CA, the host's certificate and key go there (the key readable by MariaDB's group only), and the
# user must come over TLS (REQUIRE SSL).
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
restart=false
if [[ -n ${HBNB_DB_TLS_DIR:-} ]]; then
  # The drop-in names these files: they are in place before MariaDB reads it.
  if [[ ! -d $HBNB_DB_TLS_DIR ]]; then
    install -d -o root -g mysql -m 0750 "$HBNB_DB_TLS_DIR"
    changed "created $HBNB_DB_TLS_DIR"
  fi
  for file in ca.pem:HBNB_DB_TLS_CA:0644 server.pem:HBNB_DB_TLS_CERT:0644 server-key.pem:HBNB_DB_TLS_KEY:0640; do
    IFS=: read -r name var mode <<<"$file"
    [[ -n ${!var:-} ]] || die "$var is empty: the database host needs the TLS secrets of the stack"
    printf '%s\n' "${!var}" >"$staged"
    if install_file "$staged" "$HBNB_DB_TLS_DIR/$name" root:mysql "$mode"; then restart=true; fi
  done
fi
printf '%s' "$HBNB_DB_CONFIG" >"$staged"
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

# The hosts of the user's accounts: addresses as MariaDB sees clients (skip-name-resolve).
hosts=()
for host in ${HBNB_DB_HOSTS:-localhost}; do
  if [[ $host == localhost || $host =~ ^[0-9.]+$ || $host == *:* ]]; then
    hosts+=("$host")
  else
    mapfile -t found < <(getent ahosts "$host" | awk '{ print $1 }' | sort -u)
    [[ ${#found[@]} -gt 0 ]] || die "web server $host: no address found for it on this server (getent ahosts); list web servers by address in hosts, or fix its DNS name"
    hosts+=("${found[@]}")
  fi
done
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

# --- The user at each host, with the stack's password (MariaDB's native password hash, which
# every MariaDB and MySQL client library speaks), and all privileges on the database, none
# elsewhere.
login="IDENTIFIED VIA mysql_native_password USING PASSWORD($password)"
# Over TLS only, with the stack's certificates (ssl_type ANY in mysql.user); none otherwise.
require=NONE ssl_type="" over=""
if [[ -n ${HBNB_DB_TLS_DIR:-} ]]; then require=SSL ssl_type=ANY over=", over TLS only"; fi
grants() {
  local all
  # Run in $(...), where errexit is off (bash): a refusal ends the step all the same.
  all=$(sql <<<"SHOW GRANTS FOR $1;") || exit 1
  grep -v '^GRANT USAGE ON \*\.\* TO ' <<<"$all" || true
}
for host in "${hosts[@]}"; do
  at=$(sql_literal "$host")
  account="$user@$at"
  users=$(sql <<<"SELECT COUNT(*) FROM mysql.user WHERE User = $user AND Host = $at;")
  current=$(sql <<<"SELECT COUNT(*) FROM mysql.user WHERE User = $user AND Host = $at AND plugin = 'mysql_native_password' AND authentication_string = PASSWORD($password) AND ssl_type = '$ssl_type';")
  if [[ $users == 0 ]]; then
    sql <<<"CREATE USER $account $login REQUIRE $require;"
    changed "created user $HBNB_DB_USER@$host$over"
  elif [[ $current == 0 ]]; then
    sql <<<"ALTER USER $account $login REQUIRE $require;"
    changed "set the password of $HBNB_DB_USER@$host (the secret databasePassword)$over"
  fi
  # GRANT is the same whether the grant was there or not; what SHOW GRANTS lists tells them
  # apart (its USAGE line, which carries the password's hash, left out).
  before=$(grants "$account")
  sql <<<"GRANT ALL PRIVILEGES ON $grant_name.* TO $account;"
  after=$(grants "$account")
  if [[ $after != "$before" ]]; then
    changed "granted $HBNB_DB_USER@$host all privileges on $HBNB_DB_NAME"
  fi
done

# --- No account of the user at any other host: a web server that left the stack loses its access.
stale=$(sql <<<"SELECT Host FROM mysql.user WHERE User = $user;")
while IFS= read -r host; do
  [[ -n $host ]] || continue
  printf '%s\n' "${hosts[@]}" | grep -qxF -- "$host" && continue
  sql <<<"DROP USER $user@$(sql_literal "$host");"
  changed "removed user $HBNB_DB_USER@$host (not a web server of the stack)"
done <<<"$stale"
finish
