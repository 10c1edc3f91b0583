#!/usr/bin/env bash
# configs: installs the rendered config files of the app (systemd units, Gunicorn settings, Nginx
# site and snippets, the operator's commands) and removes the distribution's default site. Each
# file is checked before anything is reloaded: units by systemd-analyze verify, Nginx files by
# `nginx -t`. A config Nginx rejects is taken out again, and the running Nginx keeps the one it
# has. Gunicorn itself is reloaded or restarted by the switch step, told so by a pending file.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_PENDING_FILE HBNB_SITE_PATH HBNB_CONFIG_FILES

stage=$(mktemp -d)
backup=$(mktemp -d)
trap 'rm -rf "$stage" "$backup"' EXIT
enabled=/etc/nginx/sites-enabled
site_link=$enabled/$(basename "$HBNB_SITE_PATH")
declare -A wrote=()

# Each file's new text in $stage/INDEX, each unit also under its real name in $stage/units (for
# systemd-analyze, beside the units it names: the service requires its socket), and what is
# there now in $backup/INDEX, to put it back if Nginx rejects the new files.
stage_files() {
  local i
  read_files "$HBNB_CONFIG_FILES" "$stage"
  mkdir "$stage/units"
  for i in "${!file_kind[@]}"; do
    [[ ${file_kind[i]} != unit && ${file_kind[i]} != socket ]] || cp "$stage/$i" "$stage/units/$(basename "${file_path[i]}")"
    [[ ! -f ${file_path[i]} ]] || cp -a "${file_path[i]}" "$backup/$i"
  done
}

# A unit the same as the one in place was verified when it was written: only a new one is.
verify_units() {
  local i dest out
  for i in "${!file_kind[@]}"; do
    dest=${file_path[i]}
    if [[ ${file_kind[i]} == unit || ${file_kind[i]} == socket ]] && ! cmp -s "$stage/$i" "$dest"; then
      out=$(systemd-analyze verify "$stage/units/$(basename "$dest")" 2>&1) || die "systemd-analyze verify rejected $dest: $out"
    fi
  done
}

# Installs each file that differs and enables the site alone on port 80; wrote[KIND] tells what.
install_files() {
  local i
  for i in "${!file_kind[@]}"; do
    if install_file "$stage/$i" "${file_path[i]}" "${file_owner[i]}" "${file_mode[i]}"; then wrote[${file_kind[i]}]=1; fi
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
}

# Every file as it was before this step (or no file), the site's link and the default site too.
restore() {
  local i
  for i in "${!file_kind[@]}"; do
    if [[ -f $backup/$i ]]; then cp -a "$backup/$i" "${file_path[i]}"; else rm -f "${file_path[i]}"; fi
  done
  [[ -e $HBNB_SITE_PATH ]] || rm -f "$site_link"
  [[ $had_default -eq 0 ]] || ln -sfn /etc/nginx/sites-available/default "$enabled/default"
}

# New Nginx files are checked as a whole and applied by a reload; refused, all are taken out.
apply_nginx() {
  [[ -n ${wrote[nginx]:-} ]] || return 0
  local out
  if ! out=$(nginx -t 2>&1); then
    restore
    die "nginx -t rejected the new configuration, which was taken out again; the running Nginx keeps its own: $out"
  fi
  if systemctl is-active -q nginx; then
    systemctl reload nginx
    changed "reloaded nginx"
  fi
}

# The unit is read only when the master starts: it needs a restart. A new socket unit applies
# only once the socket itself is made again, with the service (the connections waiting in the
# old one are refused). Gunicorn re-reads its own settings on a graceful reload.
note_pending() {
  # The state directory is the switch step's too (the history of releases).
  install -d -m 0700 "$(dirname "$HBNB_PENDING_FILE")"
  if [[ -n ${wrote[socket]:-} ]]; then
    pend restart-socket
  elif [[ -n ${wrote[unit]:-} ]]; then
    pend restart
  elif [[ -n ${wrote[gunicorn]:-} ]]; then
    pend reload
  fi
}

stage_files
verify_units
had_default=0
[[ ! -e $enabled/default && ! -L $enabled/default ]] || had_default=1
install_files
apply_nginx
[[ -z ${wrote[unit]:-}${wrote[socket]:-} ]] || systemctl daemon-reload
note_pending
finish
