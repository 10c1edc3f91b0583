#!/usr/bin/env bash
# switch: makes a release live. Points `current` at it, then starts Gunicorn, or reloads it
# gracefully (HUP: same master, new workers, no request dropped), and waits until the health
# check answers with the new release id, proof that the new code is what serves. If it never
# does, `current` goes back to the previous release, which is reloaded and keeps serving.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_RELEASE HBNB_APP_DIR HBNB_SOCKET HBNB_STATE_DIR HBNB_WORKERS

current=$HBNB_APP_DIR/current
target=releases/$HBNB_RELEASE
pending_file=$HBNB_STATE_DIR/$HBNB_SERVICE.pending
[[ -d $HBNB_APP_DIR/$target ]] || die "release $HBNB_RELEASE is not in $HBNB_APP_DIR/releases; the release step must run first"
previous=$(readlink "$current" || true)
pending=$(cat "$pending_file" 2>/dev/null || true)

serving() {
  curl -fsS --max-time 5 --unix-socket "$HBNB_SOCKET" http://localhost/-/health 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["release"])' 2>/dev/null || true
}

# During a reload old and new workers answer side by side: wait for several answers in a row
# from the new release, so that every worker that answers runs it.
wait_for() {
  local release=$1 streak=0 answer=""
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    answer=$(serving)
    if [[ $answer == "$release" ]]; then
      streak=$((streak + 1))
      ((streak >= HBNB_WORKERS * 2)) && return 0
    else
      streak=0
    fi
    sleep 0.2
  done
  last_answer=${answer:-no answer on $HBNB_SOCKET}
  return 1
}

point_at() {
  ln -sfn "$1" "$HBNB_APP_DIR/.current.new"
  mv -T "$HBNB_APP_DIR/.current.new" "$current"
}

apply() {
  local action=$1
  if systemctl is-active -q "$HBNB_SERVICE"; then
    systemctl "$action" "$HBNB_SERVICE"
  else
    systemctl start "$HBNB_SERVICE"
  fi
}

fail() {
  local reason=$1
  if [[ -n $previous && $previous != "$target" ]]; then
    point_at "$previous"
    apply reload || systemctl restart "$HBNB_SERVICE" || true
    if wait_for "${previous#releases/}"; then
      die "release $HBNB_RELEASE failed: $reason; rolled back to ${previous#releases/}, which is serving"
    fi
  fi
  die "release $HBNB_RELEASE failed: $reason; last lines of its log: $(journalctl -u "$HBNB_SERVICE" -n 15 --no-pager -o cat 2>&1 | tr '\n' ' ')"
}

if [[ $previous != "$target" ]]; then
  point_at "$target"
  changed "current -> $target (was ${previous:-nothing})"
fi
if ! systemctl is-enabled -q "$HBNB_SERVICE"; then
  systemctl enable -q "$HBNB_SERVICE"
  changed "enabled $HBNB_SERVICE at boot"
fi

action=""
if ! systemctl is-active -q "$HBNB_SERVICE"; then
  action=start
elif [[ $pending == restart ]]; then
  action=restart
elif [[ $previous != "$target" || $pending == reload ]]; then
  action=reload
fi
if [[ -n $action ]]; then
  apply "$action" || fail "systemctl $action $HBNB_SERVICE failed"
  wait_for "$HBNB_RELEASE" || fail "its health check never answered with it (last answer: $last_answer)"
  changed "${action}ed $HBNB_SERVICE: release $HBNB_RELEASE answers"
fi
rm -f "$pending_file"

if ! systemctl is-enabled -q nginx || ! systemctl is-active -q nginx; then
  systemctl enable -q --now nginx
  changed "started nginx"
fi
curl -fsS --max-time 5 -o /dev/null http://127.0.0.1/api/v1/status ||
  die "release $HBNB_RELEASE answers on its socket but not through Nginx (http://127.0.0.1/api/v1/status)"
say "serving release $HBNB_RELEASE"
finish
