#!/usr/bin/env bash
# database: creates the schema with the NEW release's code, before it goes live, as the app user
# and with the service's own environment; into a new, empty database it loads the demo data
# (HBNB_DEMO_DATA true, the setting demoData). A redeploy never adds, restores or changes a row:
# what the users of the site deleted stays deleted. If it fails, the deploy stops here and the
# release that serves now keeps serving.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_RELEASE HBNB_APP_DIR HBNB_APP_USER HBNB_ENV_PATH HBNB_DEMO_DATA

release_dir=$HBNB_APP_DIR/releases/$HBNB_RELEASE
[[ -d $release_dir ]] || die "release $HBNB_RELEASE is not in $HBNB_APP_DIR/releases; the release step must run first"
[[ -f $HBNB_ENV_PATH ]] || die "$HBNB_ENV_PATH is missing; the secrets step must run first"
# The same KEY=VALUE lines systemd hands the service through EnvironmentFile=.
mapfile -t environment < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$HBNB_ENV_PATH")

if ! out=$(cd "$release_dir" && runuser -u "$HBNB_APP_USER" -- env -i PATH=/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 \
  "${environment[@]}" HBNB_DEMO_DATA="$HBNB_DEMO_DATA" python3 -m hbnb.seed 2>&1); then
  die "seeding with release $HBNB_RELEASE failed: $out"
fi
if grep -q 'nothing to add' <<<"$out"; then say "$out"; else changed "$out"; fi
finish
