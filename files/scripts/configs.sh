#!/usr/bin/env bash
# configs: installs the rendered config files of the app (systemd unit, environment, Gunicorn
# settings, Nginx site and snippets) and removes the distribution's default site. Each file is
# checked before anything is reloaded: units by systemd-analyze verify, Nginx files by
# `nginx -t`. A config Nginx rejects is taken out again, and the running Nginx keeps the one it
# has. Gunicorn itself is reloaded or restarted by the switch step, told so by a pending file.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_STATE_DIR HBNB_SITE_PATH HBNB_CONFIG_FILES

stage=$(mktemp -d)
backup=$(mktemp -d)
trap 'rm -rf "$stage" "$backup"' EXIT
enabled=/etc/nginx/sites-enabled
site_link=$enabled/$(basename "$HBNB_SITE_PATH")

# One file a line: kind|path|owner|mode|content in base64 (see components/render.ts).
mapfile -t files <<<"$HBNB_CONFIG_FILES"
mkdir "$stage/units"
for i in "${!files[@]}"; do
  IFS='|' read -r kind dest _ _ content <<<"${files[i]}"
  base64 -d <<<"$content" >"$stage/$i"
  # systemd-analyze wants each unit under its real name, beside the units it names (the
  # service requires its socket).
  [[ $kind != unit && $kind != socket ]] || cp "$stage/$i" "$stage/units/$(basename "$dest")"
  # Keep what is there now, to put it back if Nginx rejects the new files.
  [[ -f $dest ]] && cp -a "$dest" "$backup/$i"
done
for i in "${!files[@]}"; do
  IFS='|' read -r kind dest _ _ _ <<<"${files[i]}"
  # A unit the same as the one in place was verified when it was written: only a new one is.
  if [[ $kind == unit || $kind == socket ]] && ! cmp -s "$stage/$i" "$dest"; then
    out=$(systemd-analyze verify "$stage/units/$(basename "$dest")" 2>&1) || die "systemd-analyze verify rejected $dest: $out"
  fi
done
had_default=0
[[ -e $enabled/default || -L $enabled/default ]] && had_default=1

declare -A wrote=()
for i in "${!files[@]}"; do
  IFS='|' read -r kind dest owner mode _ <<<"${files[i]}"
  if install_file "$stage/$i" "$dest" "$owner" "$mode"; then wrote[$kind]=1; fi
done
if [[ $(readlink "$site_link" 2>/dev/null) != "$HBNB_SITE_PATH" ]]; then
  ln -sfn "$HBNB_SITE_PATH" "$site_link"
  wrote[nginx]=1
  changed "enabled site $site_link"
fi
if [[ $had_default -eq 1 ]]; then
  # The default site would also claim port 80 as default_server.
  rm -f "$enabled/default"
  wrote[nginx]=1
  changed "disabled the distribution's default site"
fi

restore() {
  local i dest
  for i in "${!files[@]}"; do
    IFS='|' read -r _ dest _ _ _ <<<"${files[i]}"
    if [[ -f $backup/$i ]]; then cp -a "$backup/$i" "$dest"; else rm -f "$dest"; fi
  done
  [[ -e $HBNB_SITE_PATH ]] || rm -f "$site_link"
  [[ $had_default -eq 0 ]] || ln -sfn /etc/nginx/sites-available/default "$enabled/default"
}

if [[ -n ${wrote[nginx]:-} ]]; then
  if ! out=$(nginx -t 2>&1); then
    restore
    die "nginx -t rejected the new configuration, which was taken out again; the running Nginx keeps its own: $out"
  fi
  if systemctl is-active -q nginx; then
    systemctl reload nginx
    changed "reloaded nginx"
  fi
fi

[[ -z ${wrote[unit]:-}${wrote[socket]:-} ]] || systemctl daemon-reload
# The unit and the environment are read only when the master starts: they need a restart. A
# new socket unit applies only once the socket itself is made again, with the service (the
# connections waiting in the old one are refused). Gunicorn re-reads its own settings on a
# graceful reload.
pending=$HBNB_STATE_DIR/$HBNB_SERVICE.pending
install -d -m 0700 "$HBNB_STATE_DIR"
if [[ -n ${wrote[socket]:-} ]]; then
  echo restart-socket >"$pending"
elif [[ -n ${wrote[unit]:-}${wrote[env]:-} && $(cat "$pending" 2>/dev/null) != restart-socket ]]; then
  echo restart >"$pending"
elif [[ -n ${wrote[gunicorn]:-} && $(cat "$pending" 2>/dev/null) != restart* ]]; then
  echo reload >"$pending"
fi
finish
