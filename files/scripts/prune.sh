#!/usr/bin/env bash
# prune: keeps the newest releases (the live one always) and deletes the rest, with any
# half-unpacked leftovers of an interrupted release step.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_APP_DIR HBNB_KEEP_RELEASES

releases=$HBNB_APP_DIR/releases
live=$(readlink -f "$HBNB_APP_DIR/current" || true)
for dir in "$releases"/.incoming-*; do
  [[ -d $dir ]] || continue
  rm -rf "$dir"
  changed "removed leftover $dir"
done
# Newest first: a release directory's mtime is when it was unpacked.
mapfile -t all < <(find "$releases" -mindepth 1 -maxdepth 1 -type d -name 'r-*' -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
for dir in "${all[@]:HBNB_KEEP_RELEASES}"; do
  [[ $dir == "$live" ]] && continue
  rm -rf "$dir"
  changed "removed old release $(basename "$dir")"
done
say "${#all[@]} release(s) before pruning, keeping $HBNB_KEEP_RELEASES"
finish
