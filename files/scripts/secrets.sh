#!/usr/bin/env bash
# secrets: writes the app's environment file, which carries its secrets (the Flask SECRET_KEY
# the stack generates, a database URL with its password): owned by root, readable by the app's
# group only, never printed. The values come in this step's stdin, which the Pulumi driver keeps
# encrypted in the stack's state and out of the logs (logging: none).
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_APP_USER HBNB_PENDING_FILE HBNB_ENV_PATH HBNB_ENV_FILE

# Nothing this step writes may be readable by others, not even for a moment.
umask 077
staged=$(mktemp)
trap 'rm -f "$staged"' EXIT
printf '%s' "$HBNB_ENV_FILE" >"$staged"
if install_file "$staged" "$HBNB_ENV_PATH" "root:$HBNB_APP_USER" 0640; then
  # The environment is read only when the master starts: the switch step restarts it (and makes
  # its socket again, when the configs step asked for that).
  pend restart
fi
# With a database host (setting databaseHost): its CA's certificate, which the app checks
# MariaDB's against. Public, but the app reads it at each new connection: a new one restarts it too.
if [[ -n ${HBNB_DB_CA_PATH:-} ]]; then
  [[ -n ${HBNB_DB_CA:-} ]] || die "HBNB_DB_CA is empty: the database host's CA (the secret databaseCa) is missing"
  printf '%s\n' "$HBNB_DB_CA" >"$staged"
  if install_file "$staged" "$HBNB_DB_CA_PATH" root:root 0644; then pend restart; fi
fi
finish
