#!/usr/bin/env bash
# release: unpacks the uploaded app into its own versioned directory, releases/<id>. It does not
# make it live (the switch step does), so a release that fails here never replaces a good one.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_RELEASE HBNB_APP_DIR HBNB_APP_USER HBNB_STATIC_DIRS HBNB_DATA_DIR

target=$HBNB_APP_DIR/releases/$HBNB_RELEASE
if [[ -f $target/RELEASE && $(<"$target/RELEASE") == "$HBNB_RELEASE" ]]; then
  say "release $HBNB_RELEASE already unpacked"
  rm -f "${HBNB_ARCHIVE:-}"
  finish
  exit 0
fi

# No archive: the stack pins a release (its `release` setting) that must already be here.
[[ -n ${HBNB_ARCHIVE:-} ]] ||
  die "release $HBNB_RELEASE is not on this server, so it cannot be pinned; releases here: $(ls "$HBNB_APP_DIR/releases")"
need HBNB_ARCHIVE_SHA256
[[ -f $HBNB_ARCHIVE ]] || die "archive $HBNB_ARCHIVE of release $HBNB_RELEASE is missing; the upload did not happen"
sum=$(sha256sum "$HBNB_ARCHIVE" | cut -d' ' -f1)
[[ $sum == "$HBNB_ARCHIVE_SHA256" ]] || die "archive $HBNB_ARCHIVE has sha256 $sum, expected $HBNB_ARCHIVE_SHA256: the upload was cut short or altered"

# Unpack beside the target and rename at the end: an interrupted run never leaves a
# half-written release under a real release id.
incoming=$(mktemp -d "$HBNB_APP_DIR/releases/.incoming-XXXXXX")
trap 'rm -rf "$incoming"' EXIT
# --touch: files get the time they were unpacked, not the archive's fixed one (1970). Nginx
# derives a static file's ETag and Last-Modified from its mtime and size: with the fixed time, a
# file that a release changed but kept the same size would still answer a browser's
# revalidation with 304, and the browser would keep the old file.
tar -xzf "$HBNB_ARCHIVE" -C "$incoming" --no-same-owner --no-same-permissions --touch
# Compile now, as root: workers find bytecode they could not write themselves, and a syntax
# error stops the deploy here, before the release can go live.
python3 -m compileall -q "$incoming" >/dev/null || die "release $HBNB_RELEASE does not compile (python3 -m compileall); fix the app and deploy again"
# A user's app: every module its services import must be installed here, or it would fail only
# when a worker loads it. The check (files/wsgi/check_imports.py, which core/bundle.ts puts in a
# user's release) names each missing module and the package that provides it.
if [[ -n ${HBNB_APP_MODULES:-} ]]; then
  # shellcheck disable=SC2086 # one word a module
  lacking=$(python3 "$incoming/_hbnb_stack/check_imports.py" "$incoming" $HBNB_APP_MODULES 2>&1) ||
    die "release $HBNB_RELEASE imports what this server lacks; it was not unpacked: ${lacking//$'\n'/; }"
fi
# shellcheck disable=SC2086 # one word a directory (relative paths without spaces)
release_modes "$incoming" "$HBNB_APP_USER" $HBNB_STATIC_DIRS
# What the app writes in its working directory but keeps across releases (a classic app's
# file.json) lives in the data directory; the release holds a link to it.
for link in ${HBNB_DATA_LINKS:-}; do
  ln -sfn "$HBNB_DATA_DIR/$link" "$incoming/$link"
  chown -h "root:$HBNB_APP_USER" "$incoming/$link"
done
mv -T "$incoming" "$target"
trap - EXIT
rm -f "$HBNB_ARCHIVE"
changed "unpacked release $HBNB_RELEASE into $target"
finish
