#!/usr/bin/env bash
# Runs the tests of the stack's WSGI wrapper and import check (test/wsgi/) with Debian's Python,
# Flask and Gunicorn, never a pyenv or virtualenv interpreter: both files run on the server's
# python3. Extra arguments go to pytest, e.g. test/wsgi.sh -k redirect.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# files/wsgi is copied into releases as is: no __pycache__ in it.
export PYTHONDONTWRITEBYTECODE=1

exec /usr/bin/python3 -m pytest -q -p no:cacheprovider test/wsgi "$@"
