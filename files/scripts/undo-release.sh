#!/usr/bin/env bash
# undo-release: removes the releases of the app (releases/<id>, any half-unpacked one, an archive
# whose upload was never unpacked), as `pulumi destroy` does on a server the stack did not create.
# Only what the release step makes is removed: anything else in the directory stays.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_APP_DIR

releases=$HBNB_APP_DIR/releases
for dir in "$releases"/r-* "$releases"/.incoming-*; do
  [[ -d $dir ]] || continue
  rm -rf "$dir"
  changed "removed release $(basename "$dir")"
done
# Uploads the release step never unpacked (a deploy stopped between the upload and the step).
for archive in /tmp/hbnb-stack-r-*.tar.gz; do
  [[ -f $archive ]] || continue
  rm -f "$archive"
  changed "removed $archive"
done
finish
