#!/usr/bin/env bash
# undo-secrets: removes the app's environment file, which holds its secrets (Flask's SECRET_KEY,
# a database URL with its password), as `pulumi destroy` does on a server the stack did not
# create. Nothing of it is printed. With a database host, its CA's certificate goes too.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_ENV_PATH

if [[ -f $HBNB_ENV_PATH ]]; then
  rm -f "$HBNB_ENV_PATH"
  changed "removed $HBNB_ENV_PATH"
fi
if [[ -n ${HBNB_DB_CA_PATH:-} && -f $HBNB_DB_CA_PATH ]]; then
  rm -f "$HBNB_DB_CA_PATH"
  changed "removed $HBNB_DB_CA_PATH"
fi
finish
