#!/usr/bin/env bash
# switch: makes a release live, without dropping a request. A release runs one or more services
# (HBNB_UNITS: the bundled app is one; a user's app one per WSGI app), each its own Gunicorn on
# its own systemd socket; they go live together, behind one `current` symlink.
# 1. Canary: each service of the release is started on a Gunicorn of its own, on a socket of its
#    own, with the live settings, and must answer its health check with the release id. A
#    release that fails to import, crashes at start or never answers healthy stops here:
#    `current` and the live Gunicorns are never touched, and the release that serves keeps
#    serving. On a cold start (no release ever went live here) there is none to keep serving:
#    the canary is skipped, and the proof below is the check.
# 2. `current` points at the release; each Gunicorn starts, or reloads gracefully (HUP: same
#    master, new workers, no request dropped), or restarts when its unit or environment changed
#    (the socket is systemd's and stays: requests wait in it for the new master), or restarts
#    with a new socket when the socket's own unit changed.
# 3. Each health check must answer with the new release id, proof that the new code is what
#    serves; if one never does, `current` goes back to the previous release, which every
#    service reloads, or, with none, the services are stopped and `current` removed.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_RELEASE HBNB_APP_USER HBNB_APP_DIR HBNB_UNITS HBNB_STATE_DIR HBNB_PENDING_FILE \
  HBNB_ENV_PATH HBNB_CHECK_PATH
read_units
# Which service a message is about, when there are several: " (api)".
of() { ((${#unit_name[@]} == 1)) || printf ' (%s)' "${unit_name[$1]}"; }

current=$HBNB_APP_DIR/current
target=releases/$HBNB_RELEASE
release_dir=$HBNB_APP_DIR/$target
history=$HBNB_STATE_DIR/$HBNB_SERVICE.history
[[ -d $release_dir ]] || die "release $HBNB_RELEASE is not in $HBNB_APP_DIR/releases; the release step must run first"
previous=$(readlink "$current" || true)
pending=$(cat "$HBNB_PENDING_FILE" 2>/dev/null || true)

# The release id that answers the health check on SOCKET, or nothing. Read with sed, not a
# JSON parser: it is polled every 0.1 s, and each start of Python costs ~50 ms. curl -f gives
# no body for an unhealthy (503) answer, so only a healthy one yields an id.
release_on() {
  curl -fsS --max-time 5 --unix-socket "$1" http://localhost/-/health 2>/dev/null |
    sed -nE 's/.*"release": *"([^"]*)".*/\1/p' || true
}

# The canary of service I (an index into the unit_* arrays).
canary() {
  local i=$1 dir pid answer="" deadline
  dir=$(mktemp -d /run/hbnb-canary.XXXXXX)
  chown "$HBNB_APP_USER:$HBNB_APP_USER" "$dir"
  mapfile -t environment < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$HBNB_ENV_PATH")
  # The live settings, with what must differ on the command line (which wins over the file):
  # its own socket, one worker, the new release's directory, no lines in the live access log;
  # run from / (the step runs from the SSH user's home, which the app user may not enter).
  setpriv --reuid="$HBNB_APP_USER" --regid="$HBNB_APP_USER" --init-groups -- \
    env -i --chdir=/ PATH=/usr/bin:/bin "${environment[@]}" \
    gunicorn --config "${unit_config[i]}" --bind "unix:$dir/canary.sock" --workers 1 \
    --chdir "$release_dir" --access-logfile /dev/null --error-logfile "$dir/error.log" \
    --name "${unit_name[i]}-canary" </dev/null >"$dir/output.log" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    answer=$(release_on "$dir/canary.sock")
    [[ $answer == "$HBNB_RELEASE" ]] && break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -s TERM "$pid"
    wait "$pid" || true
    why="its health check never answered with it in 30 s (last answer: ${answer:-none})"
  else
    wait "$pid" || true
    why="Gunicorn exited at start"
  fi
  log=$(cat "$dir/output.log" "$dir/error.log" 2>/dev/null | tail -n 12 | tr '\n' ' ' || true)
  rm -rf "$dir"
  [[ $answer == "$HBNB_RELEASE" ]] ||
    die "release $HBNB_RELEASE failed its canary check$(of "$i"): $why; ${previous:+${previous#releases/} keeps serving; }canary log: $log"
}

# Waits for NEEDED answers in a row from RELEASE on the live socket of service I. During a reload or a
# restart old and new workers may answer side by side: several answers in a row from the new
# release show that every worker that answers runs it. A Gunicorn just started from nothing has
# only workers of the release `current` points at: one answer is the proof.
wait_for() {
  local i=$1 release=$2 needed=$3 streak=0 answer=""
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    answer=$(release_on "${unit_socket[i]}")
    if [[ $answer == "$release" ]]; then
      streak=$((streak + 1))
      ((streak >= needed)) && return 0
    else
      streak=0
      # A master that exited (a release that crashes at start) answers no more: no use waiting.
      if ! systemctl is-active -q "${unit_name[i]}"; then
        last_answer="none: Gunicorn exited"
        return 1
      fi
    fi
    sleep 0.1
  done
  last_answer=${answer:-no answer on ${unit_socket[i]}}
  return 1
}

# The workers of the live Gunicorn master of UNIT, one PID a line (none when it is not running).
workers_now() {
  local master
  master=$(systemctl show -p MainPID --value "$1")
  if [[ $master != 0 ]]; then pgrep -P "$master" || true; fi
}

# Waits until no worker of OLD (PIDs, one a line) is left and the master of service I runs its
# number of workers.
# After a HUP the old workers finish their requests and exit within Gunicorn's
# graceful_timeout; until then they may still answer, with the release or the settings of
# before. So the step ends only once the reload is complete: whatever runs after the deploy
# (a person, a check, a test) meets the new workers alone, in the number configured.
wait_replaced() {
  local i=$1 old=$2 now deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    now=$(workers_now "${unit_name[i]}")
    if [[ -z $(comm -12 <(sort <<<"$old") <(sort <<<"$now")) && $(grep -c . <<<"$now") -eq ${unit_workers[i]} ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "release $HBNB_RELEASE answers, but ${unit_name[i]} still runs $(grep -c . <<<"$now") workers (PIDs ${now//$'\n'/ }) 60 s after its ${action[i]}; expected ${unit_workers[i]} new ones"
}

point_at() {
  ln -sfn "$1" "$HBNB_APP_DIR/.current.new"
  mv -T "$HBNB_APP_DIR/.current.new" "$current"
}

# Does ACTION to service I.
apply() {
  local i=$1 unit=${unit_name[$1]}
  if ! systemctl is-active -q "$unit"; then
    systemctl start "$unit"
  elif [[ $2 == restart && $pending == restart-socket ]]; then
    # systemd makes a socket only while its service is stopped; the start brings it up again.
    systemctl stop "$unit" "$unit.socket" || return 1
    # The socket's directory as an older unit left it (the service's RuntimeDirectory, closed to
    # all but the app's group) would keep Nginx out: systemd makes it anew, open to pass through.
    local dir
    dir=$(dirname "${unit_socket[i]}")
    if [[ -d $dir && $(stat -c %U "$dir") != root ]]; then rm -rf "$dir"; fi
    systemctl start "$unit"
  else
    systemctl "$2" "$unit"
  fi
}

# Service I failed: every service goes back to the release before (or, on a cold start, stops).
fail() {
  local i=$1 reason=$2 j back=0
  if [[ -n $previous && $previous != "$target" ]]; then
    point_at "$previous"
    for j in "${!unit_name[@]}"; do
      apply "$j" reload || systemctl restart "${unit_name[j]}" || true
    done
    for j in "${!unit_name[@]}"; do
      wait_for "$j" "${previous#releases/}" $((unit_workers[j] * 2)) || back=1
    done
    if ((back == 0)); then
      die "release $HBNB_RELEASE failed$(of "$i"): $reason; rolled back to ${previous#releases/}, which is serving"
    fi
  elif [[ -z $previous ]]; then
    # A cold start: no release to go back to. The server is left as before the switch: no
    # `current`, and each Gunicorn stopped (systemd would restart a release that never answered,
    # in a loop) with its socket (a request on it would start Gunicorn again), not enabled at boot.
    for j in "${!unit_name[@]}"; do systemctl stop "${unit_name[j]}" "${unit_name[j]}.socket" || true; done
    rm -f "$current"
  fi
  die "release $HBNB_RELEASE failed$(of "$i"): $reason; last lines of its log: $(journalctl -u "${unit_name[i]}" -n 15 --no-pager -o cat 2>&1 | tr '\n' ' ')"
}

# What the live Gunicorn of UNIT needs: start (it does not run), restart (its unit, environment
# or socket changed: the pending file says so), reload (another release, or its own settings
# changed), or nothing (the same release, nothing pending).
choose_action() {
  if ! systemctl is-active -q "$1"; then
    echo start
  elif [[ $pending == restart* ]]; then
    echo restart
  elif [[ $previous != "$target" || $pending == reload ]]; then
    echo reload
  fi
}

action=()
for i in "${!unit_name[@]}"; do action[i]=$(choose_action "${unit_name[i]}"); done

# A cold start protects no release that serves: the canary would only double the start.
for i in "${!unit_name[@]}"; do
  [[ -z ${action[i]} || (${action[i]} == start && -z $previous) ]] || canary "$i"
done
if [[ $previous != "$target" ]]; then
  point_at "$target"
  changed "current -> $target (was ${previous:-nothing})"
fi
declare -A did=([start]=started [restart]=restarted [reload]=reloaded)
for i in "${!unit_name[@]}"; do
  [[ -n ${action[i]} ]] || continue
  old_workers=$(workers_now "${unit_name[i]}")
  apply "$i" "${action[i]}" || fail "$i" "systemctl ${action[i]} ${unit_name[i]} failed"
  needed=$((unit_workers[i] * 2))
  [[ ${action[i]} != start ]] || needed=1
  wait_for "$i" "$HBNB_RELEASE" "$needed" || fail "$i" "its health check never answered with it (last answer: $last_answer)"
  wait_replaced "$i" "$old_workers"
  changed "${did[${action[i]}]} ${unit_name[i]}: release $HBNB_RELEASE answers"
done
# Enabled at boot once a release has answered, never before, with its socket (the unit's
# Also=). --no-reload: the units are loaded (they run); only the links that start them at boot
# are new, which systemd reads at boot, and a reload of every unit would cost about half a second.
for unit in "${unit_name[@]}"; do
  if ! systemctl is-enabled -q "$unit" || ! systemctl is-enabled -q "$unit.socket"; then
    systemctl enable -q --no-reload "$unit"
    changed "enabled $unit and its socket at boot"
  fi
done
rm -f "$HBNB_PENDING_FILE"
# The releases that served, in order: what `<service>-rollback` goes back through.
if [[ $(tail -n 1 "$history" 2>/dev/null | awk '{ print $2 }') != "$HBNB_RELEASE" ]]; then
  echo "$(date -u +%FT%TZ) $HBNB_RELEASE" >>"$history"
fi

if ! systemctl is-enabled -q nginx || ! systemctl is-active -q nginx; then
  systemctl enable -q --now nginx
  changed "started nginx"
fi
# Any answer of the app counts (a user's first route may answer 404 or a redirect); an error of
# Nginx's own (502: no app behind it) or no answer does not.
status=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1$HBNB_CHECK_PATH" || true)
[[ $status =~ ^[1-4][0-9][0-9]$ ]] ||
  die "release $HBNB_RELEASE answers on its socket but not through Nginx (http://127.0.0.1$HBNB_CHECK_PATH: ${status:-no answer})"
say "serving release $HBNB_RELEASE"
finish
