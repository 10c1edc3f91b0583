#!/usr/bin/env bash
# harden: the host's own hardening. SSH takes keys only and no root, the kernel gets the
# settings of a web server, fail2ban watches SSH, security updates install themselves every
# day, every log the app writes is rotated (hourly checks, 100 MB at most), no core dumps.
# Each file is checked by its own program before anything is reloaded, and one that is refused
# is taken out again. The user the deploy logs in as must still get in with its key: that is
# checked with the new SSH settings before ssh is reloaded, and the running session survives a
# reload in any case.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_HARDENING_FILES HBNB_SSH_USER HBNB_APP_USER HBNB_WEB_USER

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
id "$HBNB_SSH_USER" >/dev/null 2>&1 || die "the SSH user $HBNB_SSH_USER (setting sshUser) does not exist here"

# Puts DEST back as it was (BACKUP, or no file) after its program refused the new one.
put_back() {
  local dest=$1 backup=$2
  if [[ -f $backup ]]; then cp -a "$backup" "$dest"; else rm -f "$dest"; fi
}

# Installs SRC at DEST (OWNER, MODE) when it differs, runs CHECK... with the new file in place, and takes the
# new file out again (and stops) if the check fails. Returns 1 when nothing changed.
install_checked() {
  local src=$1 dest=$2 owner=$3 mode=$4 out
  shift 4
  local backup=$stage/backup.$RANDOM
  [[ -f $dest ]] && cp -a "$dest" "$backup"
  install_file "$src" "$dest" "$owner" "$mode" || return 1
  if ! out=$("$@" 2>&1); then
    put_back "$dest" "$backup"
    die "$* rejected $dest, which was taken out again: $out"
  fi
}

# The effective sshd settings for the deploy's user must still let it in with a key.
deploy_user_can_log_in() {
  local settings
  settings=$(sshd -T -C "user=$HBNB_SSH_USER,host=localhost,addr=127.0.0.1") || return 1
  grep -qx 'pubkeyauthentication yes' <<<"$settings" || {
    echo "public key logins are off for $HBNB_SSH_USER"
    return 1
  }
  if [[ $HBNB_SSH_USER == root ]] && grep -qx 'permitrootlogin no' <<<"$settings"; then
    echo "the deploy logs in as root, and root logins are off"
    return 1
  fi
}

sshd_check() {
  # sshd -t wants its privilege separation directory, which only a running ssh.service makes
  # (Ubuntu 24.04 starts ssh on the first connection).
  install -d -m 0755 /run/sshd
  sshd -t || return 1
  # The drop-in must be what sshd reads first: sshd_config includes sshd_config.d/ at its top.
  # (Read whole first: grep -q would stop reading early, and pipefail count sshd's SIGPIPE.)
  local settings
  settings=$(sshd -T) || return 1
  if ! grep -qx 'passwordauthentication no' <<<"$settings"; then
    echo "sshd still allows passwords: sshd_config does not include sshd_config.d/*.conf first"
    return 1
  fi
  deploy_user_can_log_in
}

# Applies each key of a sysctl file now (systemd-sysctl applies them at boot). In a container
# the kernel's own keys are read-only: they are left to the host, and listed.
apply_sysctl() {
  local file=$1 line key value proc left=()
  while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*([a-z0-9_.-]+)[[:space:]]*=[[:space:]]*([^[:space:]]+)[[:space:]]*$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    proc=/proc/sys/${key//.//}
    if [[ ! -e $proc ]]; then
      left+=("$key (not visible here)")
    elif [[ $(<"$proc") != "$value" ]]; then
      if sysctl -q -w "$key=$value" 2>/dev/null; then
        changed "sysctl $key = $value"
      else
        left+=("$key")
      fi
    fi
  done <"$file"
  [[ ${#left[@]} -eq 0 ]] || say "not settable here (a container shares the host's kernel): ${left[*]}"
}

# Sets each "KEY VALUE" or "key=value" line of SRC in DEST (replacing the key's lines, or adding
# it at the end), leaving every other line of DEST as it is; returns 1 when nothing changed.
set_keys() {
  local src=$1 dest=$2 line key sep count=0
  cp "$dest" "$stage/keys"
  while IFS= read -r line; do
    [[ -n $line && $line != \#* ]] || continue
    if [[ $line == *=* ]]; then key=${line%%=*} sep='='; else key=${line%% *} sep=' '; fi
    count=$((count + 1))
    key_edit set "$key" "$sep" "$line" "$stage/keys" >"$stage/keys.next"
    mv "$stage/keys.next" "$stage/keys"
  done <"$src"
  ! cmp -s "$stage/keys" "$dest" || return 1
  # Written in place: the file keeps its owner and mode.
  cat "$stage/keys" >"$dest"
  changed "set $count value(s) in $dest"
}

read_files "$HBNB_HARDENING_FILES" "$stage"
declare -A wrote=()
for i in "${!file_kind[@]}"; do
  kind=${file_kind[i]} dest=${file_path[i]} owner=${file_owner[i]} mode=${file_mode[i]}
  src=$stage/$i
  case $kind in
    sshd) install_checked "$src" "$dest" "$owner" "$mode" sshd_check || continue ;;
    fail2ban) install_checked "$src" "$dest" "$owner" "$mode" fail2ban-client --test || continue ;;
    apt) install_checked "$src" "$dest" "$owner" "$mode" apt-config dump || continue ;;
    logrotate)
      # Checked before it is installed: logrotate --debug changes nothing.
      out=$(logrotate --debug "$src" 2>&1) || die "logrotate --debug rejected the rotation of $dest: $out"
      install_file "$src" "$dest" "$owner" "$mode" || continue
      ;;
    sysctl | timer | plain) install_file "$src" "$dest" "$owner" "$mode" || continue ;;
    keys)
      # Another release of the distribution may keep the file elsewhere (DEST lists the places,
      # space-separated: the first that exists is the one), or not ship it.
      found=
      for place in $dest; do
        [[ -f $place ]] && found=$place && break
      done
      if [[ -z $found ]]; then
        say "skipped $dest: not on this system"
        continue
      fi
      set_keys "$src" "$found" || continue
      ;;
    nginx-keys)
      cp -a "$dest" "$stage/nginx.conf"
      set_keys "$src" "$dest" || continue
      if ! out=$(nginx -t 2>&1); then
        cp -a "$stage/nginx.conf" "$dest"
        die "nginx -t rejected the values set in $dest, which was put back as it was: $out"
      fi
      ;;
    *) die "unknown kind '$kind' of $dest" ;;
  esac
  wrote[$kind]=1
done

# Core dumps. Ubuntu pipes them to apport (kernel.core_pattern = |/usr/share/apport/apport ...),
# which writes the crashed process's memory into /var/crash whatever the core limits say, and
# sets fs.suid_dumpable to 2 as it starts (apport's start_apport()): the coredump and limits files
# above have no effect then. Where apport is installed it is turned off: masked, and stopped,
# which puts core_pattern back to "core" and suid_dumpable to 0 (stop_apport()); enabled=0 in
# /etc/default/apport (a file above) for its init script.
if systemctl cat apport.service >/dev/null 2>&1 && [[ $(systemctl is-enabled apport.service 2>/dev/null) != masked ]]; then
  systemctl mask -q --now apport.service
  changed "turned apport off (it kept crashed processes' memory in /var/crash)"
fi
# A pipe to apport left over (apport's stop did not run): the kernel's own "core" instead, which
# the core limits (0) then stop. A container cannot set it: its kernel is the host's.
if [[ $(</proc/sys/kernel/core_pattern) == '|'*apport* ]]; then
  if sysctl -q -w kernel.core_pattern=core 2>/dev/null; then
    changed "kernel.core_pattern = core (was a pipe to apport)"
  else
    say "kernel.core_pattern pipes to apport and is not settable here (a container shares the host's kernel): the host decides"
  fi
fi

# fail2ban's bans run nft (banaction in its jail file): without it fail2ban would watch SSH and
# report its jail, but every ban would fail.
command -v nft >/dev/null || die "nft (package nftables) is missing: fail2ban could not ban; the packages step installs it"

# Nginx's user reaches the app through its socket alone (the socket unit lets only it connect):
# in the app's group it could read the app's secrets and database. Stacks before the socket unit
# put it there; it leaves now that the switch step has moved the app onto the socket unit, and
# Nginx's workers drop the group at its reload below.
if getent group "$HBNB_APP_USER" | cut -d: -f4 | tr ',' '\n' | grep -qx "$HBNB_WEB_USER"; then
  gpasswd -d "$HBNB_WEB_USER" "$HBNB_APP_USER" >/dev/null
  changed "removed $HBNB_WEB_USER from group $HBNB_APP_USER"
  wrote[nginx-user]=1
fi

# Settings take effect: only what changed is reloaded.
if [[ -n ${wrote[nginx-keys]:-}${wrote[nginx-user]:-} ]] && systemctl is-active -q nginx; then
  systemctl reload nginx
  changed "reloaded nginx"
fi
if [[ -n ${wrote[sshd]:-} ]]; then
  reload_sshd
  changed "reloaded ssh's settings"
fi
# fail2ban is started first and its SSH jail checked last: it reads its jails in the background
# after it has started, while the rest is applied. (On Debian 12 the package's own start fails:
# its sshd jail looks for /var/log/auth.log, which is not there; the jail file above fixes it.)
# The package enables it: `enable --now` would only add a reload of every unit (~0.5 s).
if ! systemctl is-enabled -q fail2ban; then
  # The unit is the package's, unchanged: only the link that starts it at boot is new, and
  # systemd reads that at boot; --no-reload spares a reload of every unit now.
  systemctl enable -q --no-reload fail2ban
  changed "enabled fail2ban at boot"
fi
if ! systemctl is-active -q fail2ban; then
  systemctl start fail2ban
  changed "started fail2ban"
elif [[ -n ${wrote[fail2ban]:-} ]]; then
  systemctl reload fail2ban
  changed "reloaded fail2ban"
fi
for i in "${!file_kind[@]}"; do
  [[ ${file_kind[i]} != sysctl ]] || apply_sysctl "${file_path[i]}"
done
if [[ -n ${wrote[timer]:-} ]]; then
  systemctl daemon-reload
  systemctl restart logrotate.timer
  changed "logrotate runs every hour"
fi
# apt's daily timers run unattended-upgrades; a system may have them off.
for timer in apt-daily.timer apt-daily-upgrade.timer; do
  if ! systemctl is-enabled -q "$timer"; then
    systemctl enable -q --now "$timer"
    changed "enabled $timer"
  fi
done

# chkrootkit's first run, started when the package was installed, tried to mail its report before
# the setting above: its failure is the old setting's, and the next daily run uses the new one.
if systemctl is-failed -q chkrootkit.service && grep -qx 'MAILTO=""' /etc/chkrootkit/chkrootkit.conf 2>/dev/null; then
  systemctl reset-failed chkrootkit.service
  changed "cleared the failed first run of chkrootkit (it reports to the journal now)"
fi

# Nginx's own logs are rotated by the distribution's rule (daily, 14 kept): it must be there.
grep -qs '^/var/log/nginx/\*\.log' /etc/logrotate.d/nginx ||
  die "/etc/logrotate.d/nginx (the nginx package's rotation of its logs) is missing or changed; restore it with: apt-get install --reinstall -o Dpkg::Options::=--force-confmiss nginx-common"

# fail2ban reads its jails after it has started: wait until the SSH jail answers.
for ((try = 0; try < 100; try++)); do
  fail2ban-client status sshd >/dev/null 2>&1 && break
  sleep 0.1
done
fail2ban-client status sshd >/dev/null 2>&1 || die "fail2ban runs but its sshd jail does not: $(journalctl -u fail2ban -n 10 --no-pager -o cat)"
finish
