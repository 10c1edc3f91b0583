#!/usr/bin/env bash
# undo-harden: takes the host's hardening out again, as `pulumi destroy` does on a server the
# stack did not create. The stack's own drop-ins (sshd, sysctl, fail2ban, apt, logrotate, core
# dumps, limits, profile, modprobe) are removed. In the distribution's own files (login.defs,
# ufw's sysctl.conf, chkrootkit.conf, apport's default, nginx.conf) each key the stack set goes
# back to the distribution's line, read from the package's own copy of the file; a key the owner
# changed since is left as it is. apport (Ubuntu), which the harden step masks, is unmasked. Then
# what reads them is reloaded: ssh (after `sshd -t`: SSH keeps working with keys), fail2ban,
# logrotate's timer, the kernel settings, Nginx (after `nginx -t`). The packages stay installed.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HARDENING_FILES

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Prints the path of the distribution's copy of FILE: the file as its package ships it, from
# apt's cache or downloaded from the archive the package came from. Fails when neither works.
distribution_copy() {
  local file=$1 pkg version deb dir
  pkg=$(dpkg-query -S "$file" 2>/dev/null | head -n 1 | sed 's/: .*//') || return 1
  [[ -n $pkg ]] || return 1
  version=$(dpkg-query -W -f='${Version}' "$pkg") || return 1
  deb=$(find /var/cache/apt/archives -maxdepth 1 -name "${pkg%%:*}_${version//:/%3a}_*.deb" -print -quit)
  if [[ -z $deb ]]; then
    dir=$stage/debs
    mkdir -p "$dir"
    # apt's lists may be older than the installed version: refreshed once, then asked again.
    (cd "$dir" && apt-get download -q "$pkg=$version" >/dev/null 2>&1) ||
      { apt-get -q update >/dev/null 2>&1 && (cd "$dir" && apt-get download -q "$pkg=$version" >/dev/null 2>&1); } ||
      return 1
    deb=$(find "$dir" -maxdepth 1 -name '*.deb' -print -quit)
  fi
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ".$file" >"$stage/copy" 2>/dev/null || return 1
  echo "$stage/copy"
}

# Puts back the distribution's line of each key of STACK (the stack's KEY VALUE lines) in DEST
# that still has the stack's value; returns 1 when nothing changed.
restore_keys() {
  local stack=$1 dest=$2 line key sep ours=() copy="" original
  [[ -f $dest ]] || return 1
  while IFS= read -r line; do
    [[ -n $line && $line != \#* ]] || continue
    if [[ $line == *=* ]]; then key=${line%%=*} sep='='; else key=${line%% *} sep=' '; fi
    [[ $(key_edit get "$key" "$sep" "$dest") == "$line" ]] && ours+=("$key|$sep|$line")
  done <"$stack"
  [[ ${#ours[@]} -gt 0 ]] || return 1
  if ! copy=$(distribution_copy "$dest"); then
    say "left ${#ours[@]} value(s) of the stack in $dest: the package's copy of the file could not be read or downloaded"
    return 1
  fi
  cp -a "$dest" "$stage/work"
  for line in "${ours[@]}"; do
    IFS='|' read -r key sep _ <<<"$line"
    original=$(key_edit get "$key" "$sep" "$copy")
    key_edit restore "$key" "$sep" "$original" "$stage/work" >"$stage/next"
    cat "$stage/next" >"$stage/work"
  done
  cmp -s "$stage/work" "$dest" && return 1
  # Written in place: the file keeps its owner and mode.
  cat "$stage/work" >"$dest"
  changed "put back the distribution's value(s) of ${#ours[@]} key(s) in $dest"
}

# Removes DIR when it is empty and no package ships it: a directory the harden step made for its
# drop-in alone (a minimal system may have no /etc/modprobe.d). One a package ships stays.
remove_made_dir() {
  local dir=$1
  [[ -d $dir && -z $(ls -A "$dir") ]] || return 0
  dpkg-query -S "$dir" >/dev/null 2>&1 && return 0
  rmdir "$dir"
  changed "removed $dir"
}

sshd_check() {
  # sshd -t wants its privilege separation directory, which only a running ssh.service makes.
  install -d -m 0755 /run/sshd
  sshd -t
}

# The harden step's files; the text only of the keys' files (core/plan.ts, the harden undo).
mkdir "$stage/stack"
read_files "$HBNB_HARDENING_FILES" "$stage/stack"
declare -A removed=()
for i in "${!file_kind[@]}"; do
  kind=${file_kind[i]} dest=${file_path[i]}
  case $kind in
    nginx-keys)
      [[ -f $dest ]] || continue
      cp -a "$dest" "$stage/nginx.conf"
      restore_keys "$stage/stack/$i" "$dest" || continue
      if ! out=$(nginx -t 2>&1); then
        cp -a "$stage/nginx.conf" "$dest"
        die "nginx -t rejects $dest with the distribution's values, so the stack's were put back: $out"
      fi
      removed[$kind]=1
      ;;
    keys)
      # DEST may list places (space-separated), as the harden step reads it: the first that exists.
      for place in $dest; do
        [[ -f $place ]] || continue
        restore_keys "$stage/stack/$i" "$place" && removed[$kind]=1
        break
      done
      ;;
    sshd)
      [[ -f $dest ]] || continue
      cp -a "$dest" "$stage/sshd.conf"
      rm -f "$dest"
      # sshd must accept what is left, or its file goes back and ssh is not touched.
      if ! out=$(sshd_check 2>&1); then
        cp -a "$stage/sshd.conf" "$dest"
        die "sshd -t rejects the configuration without $dest, which was put back: $out"
      fi
      changed "removed $dest"
      removed[$kind]=1
      remove_made_dir "$(dirname "$dest")"
      ;;
    sysctl | fail2ban | apt | logrotate | timer | plain)
      [[ -f $dest ]] || continue
      rm -f "$dest"
      changed "removed $dest"
      removed[$kind]=1
      remove_made_dir "$(dirname "$dest")"
      ;;
    *) die "unknown kind '$kind' of $dest" ;;
  esac
done

if [[ -n ${removed[nginx-keys]:-} ]] && systemctl is-active -q nginx; then
  systemctl reload nginx
  changed "reloaded nginx"
fi
if [[ -n ${removed[sshd]:-} ]]; then
  # New connections get the distribution's settings (keys still work); this one stays.
  reload_sshd
  changed "reloaded ssh's settings"
fi
if [[ -n ${removed[fail2ban]:-} ]] && systemctl is-active -q fail2ban; then
  # The distribution's settings alone may not run here: Debian 12's sshd jail reads
  # /var/log/auth.log, which a system without rsyslog does not have. fail2ban's own test says so
  # before a restart would fail; then it stops, rather than keep the stack's jail running.
  if out=$(fail2ban-client --test 2>&1); then
    systemctl restart fail2ban
    changed "restarted fail2ban with the distribution's settings"
  else
    systemctl stop fail2ban
    changed "stopped fail2ban: the distribution's settings alone do not run here ($(grep -m 1 'ERROR' <<<"$out" | sed 's/.*ERROR *//'))"
  fi
fi
# apport (Ubuntu), masked by the harden step, runs again as its package has it.
if [[ $(systemctl is-enabled apport.service 2>/dev/null) == masked ]]; then
  systemctl unmask -q apport.service
  if systemctl is-enabled -q apport.service; then systemctl start apport.service; fi
  changed "unmasked apport"
fi
if [[ -n ${removed[timer]:-} ]]; then
  systemctl daemon-reload
  systemctl try-restart logrotate.timer
  changed "logrotate runs on the distribution's schedule again"
fi
if [[ -n ${removed[sysctl]:-} ]]; then
  # The files left are applied again. A key only the stack's file set keeps its value until the
  # next boot: the kernel's own default is written nowhere to go back to.
  sysctl -q --system >/dev/null 2>&1 || true
  changed "applied the distribution's kernel settings again (the stack's own keys reset at the next boot)"
fi
finish
