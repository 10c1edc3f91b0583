#!/usr/bin/env bash
# rollback: makes an earlier release live again through the switch step itself (canary check,
# graceful reload, health check with the release id). Run by `sudo <service>-rollback`, which
# sets the values; with no argument it goes back to the release that served before this one,
# from the history the switch step keeps.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_APP_DIR HBNB_STATE_DIR

live=$(basename "$(readlink "$HBNB_APP_DIR/current" 2>/dev/null)" 2>/dev/null || true)
target=${1:-}
if [[ -z $target ]]; then
  history=$HBNB_STATE_DIR/$HBNB_SERVICE.history
  # The newest release in the history that is not the live one and is still on disk.
  target=$(tac "$history" 2>/dev/null | awk '{ print $2 }' | while read -r release; do
    [[ $release != "$live" && -d $HBNB_APP_DIR/releases/$release ]] && echo "$release" && break
  done || true)
  [[ -n $target ]] || die "no earlier release to go back to (live: ${live:-none}; releases: $(ls "$HBNB_APP_DIR/releases"))"
fi
[[ -d $HBNB_APP_DIR/releases/$target ]] || die "release $target is not on this server; releases here: $(ls "$HBNB_APP_DIR/releases")"
say "rolling back from ${live:-nothing} to $target"
HBNB_RELEASE=$target HBNB_STEP=rollback exec bash "$(dirname "$0")/switch.sh"
