#!/usr/bin/env bash
# Runs the HBnB app's tests (test/app/) with Debian's Python and packages, never a pyenv or
# virtualenv interpreter: the server runs the app on the distribution's python3 too.
# Extra arguments go to pytest, e.g. test/app.sh -k places_search.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The release directory (files/app) is copied to servers as is: no __pycache__ in it.
export PYTHONDONTWRITEBYTECODE=1

exec /usr/bin/python3 -m pytest -q -p no:cacheprovider test/app "$@"
