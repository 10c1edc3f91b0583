#!/usr/bin/env bash
# undo-configs: removes the config files the configs step installed (the app's unit, Gunicorn's
# settings, the Nginx site and snippets, the operator's commands), as `pulumi destroy` does on a
# server the stack did not create. Nginx gets the distribution's default site back when no other
# site is left to serve, is checked with `nginx -t`, and reloads: it keeps answering on port 80.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SITE_PATH HBNB_CONFIG_FILES HBNB_CACHE_DIR HBNB_TOOLS_DIR

enabled=/etc/nginx/sites-enabled
declare -A removed=()

site_link=$enabled/$(basename "$HBNB_SITE_PATH")
if [[ -L $site_link ]]; then
  rm -f "$site_link"
  removed[nginx]=1
  changed "disabled site $site_link"
fi
# The configs step's own list of files (without their text).
read_files "$HBNB_CONFIG_FILES"
for i in "${!file_kind[@]}"; do
  [[ -f ${file_path[i]} ]] || continue
  rm -f "${file_path[i]}"
  removed[${file_kind[i]}]=1
  changed "removed ${file_path[i]}"
done
if [[ -d $HBNB_TOOLS_DIR ]] && rmdir "$HBNB_TOOLS_DIR" 2>/dev/null; then
  changed "removed $HBNB_TOOLS_DIR"
fi

# The distribution's welcome page comes back where the stack took it away: the site that ships
# with Nginx, when no site is left enabled (another site of the owner's keeps port 80 as it is).
default=/etc/nginx/sites-available/default
if [[ -f $default && -d $enabled && -z $(ls -A "$enabled") ]]; then
  ln -s "$default" "$enabled/default"
  removed[nginx]=1
  changed "enabled the distribution's default site again"
fi

if [[ -n ${removed[nginx]:-} ]]; then
  out=$(nginx -t 2>&1) || die "nginx -t rejects what is left once the stack's files are gone; Nginx was not reloaded: $out"
  if systemctl is-active -q nginx; then
    systemctl reload nginx
    changed "reloaded nginx"
  fi
fi
# Nginx's cache of the app's answers (made by Nginx from the stack's settings, gone with them).
if [[ -d $HBNB_CACHE_DIR ]]; then
  rm -rf "$HBNB_CACHE_DIR"
  changed "removed $HBNB_CACHE_DIR"
fi
if [[ -n ${removed[unit]:-}${removed[socket]:-} ]]; then
  systemctl daemon-reload
  changed "reloaded systemd's units"
fi
finish
