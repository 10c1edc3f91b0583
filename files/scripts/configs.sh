#!/usr/bin/env bash
# configs: installs the rendered Gunicorn settings, the app's environment, its systemd unit and
# its Nginx site; removes the distribution's default site. The unit is checked by
# systemd-analyze and the site by `nginx -t` before anything is reloaded: a config Nginx rejects
# is taken out again and the running Nginx keeps the one it has.
# Gunicorn itself is reloaded or restarted by the switch step, told so through a pending file.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SERVICE HBNB_APP_USER HBNB_STATE_DIR \
  HBNB_UNIT_PATH HBNB_UNIT_B64 HBNB_GUNICORN_CONF_PATH HBNB_GUNICORN_CONF_B64 \
  HBNB_ENV_PATH HBNB_ENV_B64 HBNB_SITE_PATH HBNB_SITE_B64 HBNB_PROXY_PATH HBNB_PROXY_B64

stage=$(mktemp -d)
backup=$(mktemp -d)
trap 'rm -rf "$stage" "$backup"' EXIT
enabled=/etc/nginx/sites-enabled

# name, destination, owner, mode, content
files=(
  "unit|$HBNB_UNIT_PATH|root:root|0644|$HBNB_UNIT_B64"
  "gunicorn|$HBNB_GUNICORN_CONF_PATH|root:$HBNB_APP_USER|0640|$HBNB_GUNICORN_CONF_B64"
  "env|$HBNB_ENV_PATH|root:$HBNB_APP_USER|0640|$HBNB_ENV_B64"
  "site|$HBNB_SITE_PATH|root:root|0644|$HBNB_SITE_B64"
  "proxy|$HBNB_PROXY_PATH|root:root|0644|$HBNB_PROXY_B64"
)

# systemd-analyze wants the unit under its real name.
for entry in "${files[@]}"; do
  IFS='|' read -r name dest _ _ content <<<"$entry"
  base64 -d <<<"$content" >"$stage/$name"
done
cp "$stage/unit" "$stage/$HBNB_SERVICE.service"
if ! out=$(systemd-analyze verify "$stage/$HBNB_SERVICE.service" 2>&1); then
  die "systemd-analyze verify rejected the unit of $HBNB_SERVICE: $out"
fi

# Keep what is there now, to put it back if Nginx rejects the new site.
for entry in "${files[@]}"; do
  IFS='|' read -r name dest _ _ _ <<<"$entry"
  [[ -f $dest ]] && cp -a "$dest" "$backup/$name"
done
had_default=0
[[ -e $enabled/default || -L $enabled/default ]] && had_default=1

declare -A wrote=()
for entry in "${files[@]}"; do
  IFS='|' read -r name dest owner mode _ <<<"$entry"
  if install_file "$stage/$name" "$dest" "$owner" "$mode"; then wrote[$name]=1; fi
done
site_link=$enabled/$(basename "$HBNB_SITE_PATH")
if [[ $(readlink "$site_link" 2>/dev/null) != "$HBNB_SITE_PATH" ]]; then
  ln -sfn "$HBNB_SITE_PATH" "$site_link"
  wrote[site]=1
  changed "enabled site $site_link"
fi
if [[ $had_default -eq 1 ]]; then
  # The default site would also claim port 80 as default_server.
  rm -f "$enabled/default"
  wrote[site]=1
  changed "disabled the distribution's default site"
fi

restore() {
  local entry name dest
  for entry in "${files[@]}"; do
    IFS='|' read -r name dest _ _ _ <<<"$entry"
    if [[ -f $backup/$name ]]; then cp -a "$backup/$name" "$dest"; else rm -f "$dest"; fi
  done
  [[ -f $backup/site ]] || rm -f "$site_link"
  [[ $had_default -eq 0 ]] || ln -sfn /etc/nginx/sites-available/default "$enabled/default"
}

if [[ -n ${wrote[site]:-}${wrote[proxy]:-} ]]; then
  if ! out=$(nginx -t 2>&1); then
    restore
    die "nginx -t rejected the new site, which was taken out again; the running Nginx keeps its configuration: $out"
  fi
  if systemctl is-active -q nginx; then
    systemctl reload nginx
    changed "reloaded nginx"
  fi
fi

if [[ -n ${wrote[unit]:-} ]]; then
  systemctl daemon-reload
fi
# The unit and the environment are read only when the master starts: they need a restart.
# Gunicorn re-reads its own settings on a graceful reload.
pending=$HBNB_STATE_DIR/$HBNB_SERVICE.pending
install -d -m 0700 "$HBNB_STATE_DIR"
if [[ -n ${wrote[unit]:-}${wrote[env]:-} ]]; then
  echo restart >"$pending"
elif [[ -n ${wrote[gunicorn]:-} && $(cat "$pending" 2>/dev/null) != restart ]]; then
  echo reload >"$pending"
fi
finish
