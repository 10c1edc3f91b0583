#!/usr/bin/env bash
# Helpers shared by every step script. The plan sends this file ahead of each script over SSH;
# a script run by hand reads it from beside itself. It only defines functions and one counter.

# The step's name, for every line it prints: "users: changed: created group hbnb".
HBNB_STEP=${HBNB_STEP:-$(basename "${0%.sh}")}
hbnb_changes=0

say() { printf '%s: %s\n' "$HBNB_STEP" "$*"; }

# Records and prints one change; a step that records none prints "unchanged" at the end.
changed() {
  hbnb_changes=$((hbnb_changes + 1))
  say "changed: $*"
}

die() {
  printf '%s: error: %s\n' "$HBNB_STEP" "$*" >&2
  exit 1
}

# The last line of every step: what a re-run of an unchanged plan must print.
finish() {
  if [[ $hbnb_changes -eq 0 ]]; then say "unchanged"; else say "done, $hbnb_changes change(s)"; fi
}

# Fails with the names of the variables that are missing, before anything is touched.
need() {
  local var missing=()
  for var in "$@"; do [[ -n ${!var:-} ]] || missing+=("$var"); done
  [[ ${#missing[@]} -eq 0 ]] || die "missing value(s): ${missing[*]} (the plan sets them; by hand: sudo VAR=... bash $0)"
}

[[ $(id -u) -eq 0 ]] || die "must run as root (the plan runs it with sudo)"

# Makes sshd read its settings again for new connections; the open sessions (this one too) are
# processes of their own (ssh.service's KillMode=process) and stay. Socket-activated sshd (Ubuntu
# 24.04): systemd holds the listening socket and hands it to sshd, and a reload (HUP) re-executes
# sshd, which then binds on its own and fails ("Cannot bind any address"); a restart takes the
# socket from systemd again.
reload_sshd() {
  if systemctl is-active -q ssh.socket; then
    systemctl try-restart ssh.service
  else
    systemctl try-reload-or-restart ssh.service
  fi
}

# Creates a directory, or fixes its owner and mode, and records what it did.
ensure_dir() {
  local dir=$1 owner=$2 mode=$3
  if [[ ! -d $dir ]]; then
    install -d -o "${owner%:*}" -g "${owner#*:}" -m "$mode" "$dir"
    changed "created $dir ($owner $mode)"
  elif [[ $(stat -c '%U:%G %a' "$dir") != "$owner ${mode#0}" ]]; then
    chown "$owner" "$dir" && chmod "$mode" "$dir"
    changed "set $dir to $owner $mode"
  fi
}

# The lines of KEY ("KEY VALUE" or "key=value", as SEP, " " or "=", says) in FILE, for the
# harden step and its undo. The key and the line are read as text (from the environment: awk -v
# would take backslashes as escapes; a sed pattern, & | . and the like as its own), so any
# character of a value lands as it is.
#   key_edit get KEY SEP FILE           prints the first line of KEY, or nothing
#   key_edit set KEY SEP LINE FILE      prints FILE with every line of KEY replaced by LINE, or
#                                       LINE added at the end when no line has KEY
#   key_edit restore KEY SEP LINE FILE  prints FILE with the first line of KEY replaced by LINE
#                                       (taken out when LINE is empty), and its others taken out
key_edit() {
  local mode=$1 key=$2 sep=$3 line=""
  shift 3
  if [[ $mode != get ]]; then
    line=$1
    shift
  fi
  MODE=$mode KEY=$key SEP=$sep LINE=$line awk '
    BEGIN { mode = ENVIRON["MODE"]; key = ENVIRON["KEY"]; sep = ENVIRON["SEP"]; line = ENVIRON["LINE"] }
    { s = $0; sub(/^[ \t]+/, "", s); rest = substr(s, length(key) + 1) }
    substr(s, 1, length(key)) == key && ((sep == "=" && rest ~ /^[ \t]*=/) || (sep == " " && rest ~ /^[ \t]/)) {
      if (mode == "get") { print; exit }
      if (mode == "set" || (line != "" && !found)) print line
      found = 1
      next
    }
    mode != "get" { print }
    END { if (mode == "set" && !found) print line }' "$1"
}

# The services of the release (HBNB_UNITS: one a line, unit|socket|workers|Gunicorn config, as
# core/plan.ts writes them): fills the arrays unit_name, unit_socket, unit_workers and
# unit_config, index by index.
read_units() {
  local name socket workers config
  # Read by the script that calls this.
  # shellcheck disable=SC2034
  unit_name=() unit_socket=() unit_workers=() unit_config=()
  while IFS='|' read -r name socket workers config; do
    [[ -n $name ]] || continue
    unit_name+=("$name")
    unit_socket+=("$socket")
    unit_workers+=("$workers")
    unit_config+=("$config")
  done <<<"$HBNB_UNITS"
}

# The owner and modes of the release in DIR (the app's group GROUP, its static directories
# STATIC..., relative to DIR): the code belongs to root and is read through the app's group
# only, so the app cannot change itself and no other user reads it; the static files, which
# Nginx serves to anyone, are readable by all, through directories others may pass through but
# not list.
release_modes() {
  local dir=$1 group=$2 static
  shift 2
  chown -R "root:$group" "$dir"
  find "$dir" -type d -exec chmod 0751 {} +
  find "$dir" -type f -exec chmod 0640 {} +
  for static in "$@"; do
    if [[ -d $dir/$static ]]; then find "$dir/$static" -type f -exec chmod 0644 {} +; fi
  done
}

# The rendered files of a step, one a line: kind|path|owner|mode|content in base64 (the plan's
# one record format: core/render.ts, fileRecords). Fills the arrays file_kind, file_path,
# file_owner and file_mode, index by index, and writes each file's content to DIR/INDEX when DIR
# is given (an undo's records carry no content).
read_files() {
  local records=$1 dir=${2:-} kind path owner mode content
  # Read by the script that calls this.
  # shellcheck disable=SC2034
  file_kind=() file_path=() file_owner=() file_mode=()
  while IFS='|' read -r kind path owner mode content; do
    [[ -n $kind ]] || continue
    [[ -z $dir ]] || base64 -d <<<"$content" >"$dir/${#file_kind[@]}"
    file_kind+=("$kind")
    file_path+=("$path")
    file_owner+=("$owner")
    file_mode+=("$mode")
  done <<<"$records"
}

# What Gunicorn needs for a pending change, weakest first: 1 reload (its own settings), 2 restart
# (its unit or environment), 3 restart-socket (its socket unit too); 0 for nothing.
pending_rank() {
  case $1 in
    reload) echo 1 ;;
    restart) echo 2 ;;
    restart-socket) echo 3 ;;
    *) echo 0 ;;
  esac
}

# Tells the switch step that Gunicorn needs NEED (see pending_rank) through the pending file
# HBNB_PENDING_FILE; a stronger need already written there stays.
pend() {
  local need=$1 now
  now=$(cat "$HBNB_PENDING_FILE" 2>/dev/null || true)
  (($(pending_rank "$need") > $(pending_rank "$now"))) || return 0
  install -d -m 0700 "$(dirname "$HBNB_PENDING_FILE")"
  echo "$need" >"$HBNB_PENDING_FILE"
}

# Installs file SRC at DEST with owner and mode when its content differs; returns 1 when DEST
# was already identical, so callers can tell whether something changed.
install_file() {
  local src=$1 dest=$2 owner=$3 mode=$4
  if [[ -f $dest ]] && cmp -s "$src" "$dest" && [[ $(stat -c '%U:%G %a' "$dest") == "$owner ${mode#0}" ]]; then
    return 1
  fi
  install -D -o "${owner%:*}" -g "${owner#*:}" -m "$mode" "$src" "$dest"
  changed "wrote $dest"
}

# VALUE as an SQL text literal and as an identifier of MariaDB, for the mariadb step and its undo:
# quotes doubled (MariaDB's own escape, whatever sql_mode says), and in a literal backslashes
# doubled too (they escape unless sql_mode has NO_BACKSLASH_ESCAPES).
sql_literal() {
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\'\'}"
}
sql_identifier() { printf "\`%s\`" "${1//\`/\`\`}"; }
