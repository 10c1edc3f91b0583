#!/usr/bin/env bash
# Disposable local test servers: systemd-booted Debian roots under systemd-nspawn, each in its
# own network namespace, reachable over real SSH like a fresh cloud VM. The provisioning code is
# tested against them because this machine can reach no cloud and no Ubuntu mirror.
#
#   local/host.sh up NAME [--image debian|cloud] [--user-data FILE] [--ssh-port PORT] [--data-disk]
#                                  create and boot NAME (idempotent); prints address=, port=,
#                                  user=, key=, name=, image= lines on stdout (and data= with a
#                                  data disk), progress on stderr.
#                                  debian (default): Debian 12, user admin. cloud: Debian 13
#                                  booted through cloud-init like Ubuntu's cloud images, user
#                                  ubuntu, FILE as its user data; PORT is where that user data
#                                  puts SSH (what `up` waits for), 22 by default. --data-disk:
#                                  NAME's data disk (the local EBS volume: see "data disks"
#                                  below) as a block device in the guest, data= its path; the
#                                  disk a `down --keep-data` kept, or a blank one
#   local/host.sh address NAME     reserve NAME's addresses before it is up (kept by `up`, gone
#                                  with `down`); prints address= and gateway= lines: a test puts
#                                  them in the user data of its first boot
#   local/host.sh down NAME [--keep-data]
#                                  power NAME off and remove every trace of it; with
#                                  --keep-data, its data disk stays for the next `up NAME
#                                  --data-disk` (a replaced server: a fresh root, the same disk)
#   local/host.sh down --all       the same for every host and any leftover of an interrupted run,
#                                  and every data disk, kept ones too
#   local/host.sh reboot NAME      reboot NAME on its own root and wait for SSH again
#   local/host.sh ssh NAME [CMD]   SSH in as its user (admin or ubuntu)
#   local/host.sh list             running hosts and their addresses
#
# Environment: HBNB_BOOT_TIMEOUT (seconds to wait for SSH, default 60; 180 for a cloud host,
# whose first boot runs cloud-init).
# What each nspawn flag, cgroup move and netns step is for is said where it is done: the
# supervisor (host_supervise) and host_launch below, local/net.sh, local/root.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=local/root.sh
source "$HERE/root.sh"
# shellcheck source=local/net.sh
source "$HERE/net.sh"

readonly STATE_DIR=/var/lib/hbnb-stack
readonly HOSTS_DIR=$STATE_DIR/hosts
readonly DISKS_DIR=$STATE_DIR/disks
# Sparse: a new disk takes no space until written. Large enough for the app's SQLite database
# and what a test writes; small enough that mkfs.ext4 takes a moment.
readonly DISK_SIZE=256M
readonly KEY=$STATE_DIR/ssh/id_ed25519
readonly STOP_TIMEOUT=10
readonly SSH_OPTS=(-i "$KEY" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no
  -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5)

LOCK_FD=
FAIL_LOG=
# Set by host_env_load.
host_image=
host_user=
host_port=
host_data=

log() { printf 'host.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# On any failure, show the log of the step that failed (a build runs with its output in a file).
on_exit() {
  local rc=$?
  if [[ $rc -ne 0 && -n $FAIL_LOG && -f $FAIL_LOG ]]; then
    log "error: a step failed; last lines of $FAIL_LOG:"
    tail -n 20 "$FAIL_LOG" >&2
  fi
}
trap on_exit EXIT

usage() {
  sed -n 's/^#   //p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# One lock for every change of state (base root, allocations, nft, ip_forward), so that
# parallel `up`s and `down`s cannot interleave. Not held while waiting for SSH.
lock() {
  mkdir -p "$STATE_DIR"
  exec {LOCK_FD}>"$STATE_DIR/lock"
  flock "$LOCK_FD"
}
unlock() {
  [[ -n $LOCK_FD ]] || return 0
  exec {LOCK_FD}>&-
  LOCK_FD=
}

check_name() {
  [[ ${1:-} =~ ^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$ ]] ||
    die "bad host name '${1:-}': lowercase letters, digits and '-', at most 32"
}

ensure_key() {
  [[ -f $KEY && -f $KEY.pub ]] && return 0
  install -d -m 700 "$(dirname "$KEY")"
  ssh-keygen -q -t ed25519 -N '' -C hbnb-stack-test-hosts -f "$KEY"
}

# --- cgroups ---------------------------------------------------------------------------
# This machine is cgroup-hybrid and its shells sit in the root cgroup: two nspawns started from
# there collide on /supervisor and /payload. Each host gets its own cgroup in every hierarchy
# nspawn uses (the v2 `unified` and the v1 `name=systemd` one).
cg_name() { printf 'nspawn-hbnb-%s\n' "$1"; }

cg_roots() {
  if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
    echo /sys/fs/cgroup
    return
  fi
  local h
  for h in unified systemd; do
    mountpoint -q "/sys/fs/cgroup/$h" && echo "/sys/fs/cgroup/$h"
  done
  return 0
}

# PIDs of every process in cgroup CG (all hierarchies, subgroups included).
cg_pids() {
  local root
  while read -r root; do
    # Subgroups vanish while the guest shuts down: ignore those races.
    [[ -d $root/$1 ]] && find "$root/$1" -name cgroup.procs -exec cat {} + 2>/dev/null
  done < <(cg_roots)
  return 0
}

# Removes cgroup CG in every hierarchy, children first; retries briefly because a cgroup stays
# busy for a moment after its last process died.
cg_remove() {
  local root try
  while read -r root; do
    for ((try = 0; try < 20; try++)); do
      [[ -d $root/$1 ]] || break
      find "$root/$1" -depth -type d -exec rmdir {} + 2>/dev/null && break
      sleep 0.1
    done
    [[ ! -d $root/$1 ]] || log "warning: could not remove cgroup $root/$1"
  done < <(cg_roots)
}

# --- data disks ---------------------------------------------------------------------------
# A server's data disk, the local EBS volume (components/aws-data-volume.ts): an image file
# outside the server's directory, so that it outlives the server's root, attached to a loop
# device that nspawn gives the guest as a block device. The plan's volume step
# (files/scripts/volume.sh) then does what it does on AWS: formats it once (a new disk is blank,
# as a new EBS volume), adds it to /etc/fstab by UUID and mounts it at the data directory. A
# server replaced with `down NAME --keep-data` then `up NAME --data-disk` gets the same disk,
# its filesystem and data, back. `down NAME` and `down --all` delete it (as `pulumi destroy`
# deletes the volume).
disk_file() { printf '%s/%s.img\n' "$DISKS_DIR" "$1"; }

# The loop devices NAME's disk file is attached to (one, or none).
disk_loops() {
  [[ -f $(disk_file "$1") ]] || return 0
  losetup --noheadings --output NAME --associated "$(disk_file "$1")"
}

# Attaches NAME's data disk (made blank if there is none) and prints its loop device. Lock held.
disk_attach() {
  local file loop
  file=$(disk_file "$1")
  if [[ ! -f $file ]]; then
    mkdir -p "$DISKS_DIR"
    truncate -s "$DISK_SIZE" "$file"
    log "made a blank data disk for $1: $file ($DISK_SIZE)"
  else
    log "the data disk of $1 is kept from before: $file"
  fi
  loop=$(disk_loops "$1" | head -n 1)
  [[ -n $loop ]] || loop=$(losetup --find --show "$file")
  printf '%s\n' "$loop"
}

# Detaches NAME's data disk from its loop device (the guest is gone). Lock held.
disk_detach() {
  local loop
  while read -r loop; do
    [[ -z $loop ]] || losetup --detach "$loop"
  done < <(disk_loops "$1")
}

# In a container (/sys read-only) systemd's fstab generator skips fstab's device lines
# (src/fstab-generator/fstab-generator.c: "Running in a container, ignoring fstab device
# entry"): on a VM they mount the data volume at every boot, before local-fs.target. This unit
# stands in for that on a local server with a data disk, so that a reboot mounts it again.
# Written into the root of host DIR, enabled.
disk_mount_unit() {
  local unit=$1/root/etc/systemd/system/hbnb-local-fstab-disks.service
  cat >"$unit" <<'EOF'
# Written by local/host.sh: systemd skips fstab's device lines in a container; this mounts
# fstab's ext4 disks (the data disk the volume step added) at boot, as a VM's systemd does.
[Unit]
Description=Mount fstab's ext4 disks (the local stand-in for systemd's fstab generator)
# Early, as the mounts of fstab are: before local-fs.target, so before every service.
DefaultDependencies=no
After=local-fs-pre.target
Before=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
# Every ext4 line of fstab not mounted yet; nofail lines whose disk is absent are skipped.
ExecStart=/bin/mount --all --types ext4

[Install]
WantedBy=local-fs.target
EOF
  mkdir -p "$1/root/etc/systemd/system/local-fs.target.wants"
  ln -sf ../hbnb-local-fstab-disks.service "$1/root/etc/systemd/system/local-fs.target.wants/"
}

# --- the supervisor -----------------------------------------------------------------------
# Runs detached (setsid, in `bash -c`, so editing this file never affects a running host).
# It moves itself into the host's cgroups, then runs nspawn; exit status 133 means the guest
# rebooted (what systemd-nspawn@.service restarts on), so it relaunches on the same root and
# netns, and a `reboot` inside a guest behaves as on a VM. A `stop` file from `down` ends it.
host_supervise() {
  local dir=$1 cgroups=$2 fd cg child=
  local -i rc
  shift 2
  # Inherited descriptors (a caller's pipes) would keep that caller waiting for EOF forever.
  for fd in "/proc/$$/fd/"*; do
    fd=${fd##*/}
    ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
  done
  for cg in $cgroups; do
    mkdir -p "$cg" && echo $$ >"$cg/cgroup.procs"
  done
  echo $$ >"$dir/wrapper.pid"
  # shellcheck disable=SC2317 # invoked by the trap
  forward() {
    touch "$dir/stop"
    [[ -n $child ]] && kill -TERM "$child" 2>/dev/null
  }
  trap forward TERM INT HUP
  while :; do
    "$@" &
    child=$!
    echo "$child" >"$dir/nspawn.pid"
    # `wait` returns early when a trapped signal arrives; wait again until nspawn is gone.
    while :; do
      rc=0
      wait "$child" || rc=$?
      kill -0 "$child" 2>/dev/null || break
    done
    [[ $rc -eq 133 && ! -e $dir/stop ]] || break
    # nspawn leaves its (now empty) payload/supervisor subgroups behind: start clean.
    for cg in $cgroups; do
      find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    done
    echo "host.sh: guest rebooted, relaunching $(date -u +%T)"
  done
  echo "host.sh: nspawn exited with status $rc $(date -u +%T)"
}

host_dir() { printf '%s/%s\n' "$HOSTS_DIR" "$1"; }

# How NAME is reached, written at creation: its image, login user and SSH port, and the loop
# device of its data disk (DATA, may be empty).
host_env_write() {
  printf 'image=%s\nuser=%s\nport=%s\ndata=%s\n' "$2" "$(root_user "$2")" "$3" "${4:-}" >"$(host_dir "$1")/host.env"
}

# Sets host_image, host_user, host_port and host_data of NAME. A host without the file was made
# before there were two images: a debian one.
host_env_load() {
  local file key value
  file=$(host_dir "$1")/host.env
  host_image=debian host_user=admin host_port=22 host_data=
  [[ -f $file ]] || return 0
  while IFS='=' read -r key value; do
    case $key in
      image) host_image=$value ;;
      user) host_user=$value ;;
      port) host_port=$value ;;
      data) host_data=$value ;;
    esac
  done <"$file"
}

# True if NAME's supervisor runs (checked by cgroup membership, so a recycled PID never counts).
host_running() {
  local pid
  pid=$(cat "$(host_dir "$1")/wrapper.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && grep -q ":/$(cg_name "$1")\$" "/proc/$pid/cgroup" 2>/dev/null || return 1
  # A killed supervisor may linger as a zombie: PID 1 here is no init that reaps promptly.
  [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}

# With "but-address", an address reservation alone (cmd_address) is no leftover.
host_has_leftovers() {
  local root allocation=$NET_DIR/$1.env
  [[ ${2:-} == but-address ]] && allocation=/nonexistent
  [[ -e $(host_dir "$1") || -e /run/netns/$(net_netns "$1") || -e $allocation ]] && return 0
  while read -r root; do
    [[ -d $root/$(cg_name "$1") ]] && return 0
  done < <(cg_roots)
  return 1
}

# Starts the supervisor for NAME, detached from the caller (own session, no inherited lock).
host_launch() {
  local name=$1 dir cgroups root i
  dir=$(host_dir "$name")
  rm -f "$dir/stop" "$dir/wrapper.pid" "$dir/nspawn.pid"
  cgroups=$(cg_roots | sed "s|\$|/$(cg_name "$name")|" | tr '\n' ' ')
  local cmd=(systemd-nspawn --boot --directory="$dir/root"
    --machine="hbnb-$name" --hostname="$name"
    # Without both of these nspawn wants the (absent) systemd of this machine.
    --register=no --keep-unit
    # Both: the netns for addressing, --private-network for CAP_NET_ADMIN, without which
    # iptables/ufw inside fail with "Permission denied (you must be root)".
    --private-network --network-namespace-path="/run/netns/$(net_netns "$name")"
    --resolv-conf=copy-host --link-journal=no --console=read-only)
  host_env_load "$name"
  # The data disk under its own name: blkid, and mount's UUID= of fstab, find a disk through
  # /proc/partitions (this machine's: loopN), and look for /dev/loopN.
  [[ -z $host_data ]] || cmd+=(--bind="$host_data")
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "${cmd[*]}" >>"$dir/console.log"
  # TERM=dumb: the guest's systemd then writes its console (a log file here) without colours.
  TERM=dumb setsid bash -c "$(declare -f host_supervise); host_supervise \"\$@\"" \
    hbnb-supervise "$dir" "$cgroups" "${cmd[@]}" \
    </dev/null >>"$dir/console.log" 2>&1 {LOCK_FD}>&- &
  for ((i = 0; i < 50; i++)); do
    host_running "$name" && return 0
    sleep 0.1
  done
  die "the supervisor of $name did not start; $dir/console.log:$(printf '\n'; tail -n 20 "$dir/console.log")"
}

# Waits until `ssh USER@NAME true` works on its port, or fails with the tail of the console log.
host_wait_ssh() {
  local name=$1 dir deadline timeout=60
  dir=$(host_dir "$name")
  net_load "$name"
  host_env_load "$name"
  [[ $host_image == cloud ]] && timeout=180
  timeout=${HBNB_BOOT_TIMEOUT:-$timeout}
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    host_running "$name" ||
      die "$name stopped while booting; $dir/console.log:$(printf '\n'; tail -n 30 "$dir/console.log")"
    # A shorter connect timeout first (ssh keeps the first value given): the guest answers
    # within milliseconds once eth0 is up.
    if ssh -o ConnectTimeout=2 "${SSH_OPTS[@]}" -p "$host_port" "$host_user@$address" true </dev/null 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  die "no SSH to $name ($host_user@$address port $host_port) after $timeout s; $dir/console.log:$(printf '\n'; tail -n 30 "$dir/console.log")"
}

host_print() {
  net_load "$1"
  host_env_load "$1"
  printf 'address=%s\nport=%s\nuser=%s\nkey=%s\nname=%s\nimage=%s\n' \
    "$address" "$host_port" "$host_user" "$KEY" "$1" "$host_image"
  [[ -z $host_data ]] || printf 'data=%s\n' "$host_data"
}

# Sends the polite stop (SIGTERM to nspawn: the guest powers off cleanly).
host_signal_stop() {
  local dir pid
  dir=$(host_dir "$1")
  host_running "$1" || return 0
  touch "$dir/stop"
  pid=$(cat "$dir/nspawn.pid" 2>/dev/null) || pid=
  if [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null; then
    return 0
  fi
  kill -TERM "$(cat "$dir/wrapper.pid")" 2>/dev/null || true
}

# Removes every trace of NAME: processes, netns, veth, cgroups, files. Lock held.
host_teardown() {
  local name=$1 cg dir deadline i
  cg=$(cg_name "$name")
  dir=$(host_dir "$name")
  if host_running "$name"; then
    host_signal_stop "$name"
    deadline=$((SECONDS + STOP_TIMEOUT))
    while [[ -n $(cg_pids "$cg") ]] && ((SECONDS < deadline)); do
      sleep 0.1
    done
    [[ -z $(cg_pids "$cg") ]] || log "$name did not power off within ${STOP_TIMEOUT} s, killing it"
  fi
  # Without its supervisor (an interrupted run) a guest gets no polite stop: nothing waits
  # for its power-off, and an orphaned systemd would not hear SIGTERM from nspawn anyway.
  if [[ -n $(cg_pids "$cg") ]]; then
    # Killing the container's PID 1 from here ends its whole PID namespace.
    cg_pids "$cg" | xargs -r kill -KILL 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      [[ -z $(cg_pids "$cg") ]] && break
      sleep 0.1
    done
  fi
  net_down "$name"
  disk_detach "$name"
  cg_remove "$cg"
  # nspawn removes these itself unless it was killed; its image lock is named by inode.
  rm -rf "/run/systemd/nspawn/propagate/hbnb-$name" "/run/systemd/nspawn/unix-export/hbnb-$name"
  [[ -d $dir/root ]] && rm -f "/run/systemd/nspawn/locks/inode-$(stat -c %d:%i "$dir/root")"
  if [[ -d $dir ]]; then
    # nspawn's mounts live in its own mount namespace; never delete through a mount anyway.
    if grep -qF " $dir/" /proc/self/mountinfo; then
      die "something is mounted under $dir; not deleting it"
    fi
    root_harvest_debs "$dir"
    rm -rf --one-file-system "$dir"
  fi
}

# When the last host is gone: no NAT table, ip_forward as before the first one. Lock held.
hosts_gone_cleanup() {
  if ! compgen -G "$HOSTS_DIR/*" >/dev/null && ! compgen -G "$NET_DIR/*.env" >/dev/null; then
    net_nat_down
  fi
}

# --- commands ------------------------------------------------------------------------------
cmd_up() {
  local name=$1 image=debian userdata='' port=22 disk='' data='' dir started=$EPOCHREALTIME
  local -a mirrors
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --image) image=${2:-} ;;
      --user-data) userdata=${2:-} ;;
      --ssh-port) port=${2:-} ;;
      --data-disk)
        disk=yes
        shift
        continue
        ;;
      *) usage ;;
    esac
    shift 2 || usage
  done
  check_name "$name"
  root_select "$image"
  if ! [[ $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
    die "bad --ssh-port '$port': a port from 1 to 65535"
  fi
  if [[ $image != cloud ]]; then
    [[ -z $userdata && $port == 22 ]] || die "--user-data and --ssh-port need --image cloud (only it runs cloud-init)"
  fi
  [[ -z $userdata || -r $userdata ]] || die "cannot read the user data file '$userdata'"
  dir=$(host_dir "$name")
  lock
  ensure_key
  if host_running "$name"; then
    unlock
    host_env_load "$name"
    [[ $host_image == "$image" ]] || die "$name runs the $host_image image; \`local/host.sh down $name\` first"
    if [[ -n $disk && -z $host_data ]]; then
      die "$name runs without a data disk; \`local/host.sh down $name\` first"
    elif [[ -z $disk && -n $host_data ]]; then
      die "$name runs with a data disk; \`local/host.sh down $name --keep-data\` first"
    fi
    log "$name is already up"
    host_wait_ssh "$name"
    host_print "$name"
    return
  fi
  if host_has_leftovers "$name" but-address; then
    log "cleaning leftovers of an earlier $name"
    host_teardown "$name"
  fi
  root_ensure
  log "creating $name"
  mkdir -p "$dir"
  net_load_new "$name"
  root_make_host "$dir" "$name" "$address/30" "$gateway" "$KEY.pub" "$userdata"
  if [[ -n $disk ]]; then
    data=$(disk_attach "$name")
    disk_mount_unit "$dir"
  fi
  host_env_write "$name" "$image" "$port" "$data"
  mapfile -t mirrors < <(root_mirror_hosts)
  net_up "$name" "${mirrors[@]}"
  host_launch "$name"
  unlock
  host_wait_ssh "$name"
  log "$name is up at $address ($(elapsed "$started") s)"
  host_print "$name"
}

cmd_address() {
  local name=$1
  check_name "$name"
  lock
  # shellcheck disable=SC2034 # all set by net_load_new, not all used
  local index address gateway veth netns
  net_load_new "$name"
  unlock
  printf 'address=%s\ngateway=%s\n' "$address" "$gateway"
}

cmd_down() {
  local name=$1 keep=${2:-} started=$EPOCHREALTIME
  check_name "$name"
  lock
  if ! host_has_leftovers "$name"; then
    log "$name is not up"
  else
    host_teardown "$name"
    log "$name is down ($(elapsed "$started") s)"
  fi
  if [[ -f $(disk_file "$name") ]]; then
    if [[ -n $keep ]]; then
      log "kept the data disk of $name: $(disk_file "$name")"
    else
      rm -f "$(disk_file "$name")"
      rmdir "$DISKS_DIR" 2>/dev/null || true
      log "deleted the data disk of $name"
    fi
  fi
  hosts_gone_cleanup
}

cmd_down_all() {
  local d name root cg started=$EPOCHREALTIME
  lock
  # Polite stop for all at once, so their power-offs overlap.
  for d in "$HOSTS_DIR"/*/; do
    [[ -d $d ]] || continue
    host_signal_stop "$(basename "$d")"
  done
  for d in "$HOSTS_DIR"/*/; do
    [[ -d $d ]] || continue
    name=$(basename "$d")
    host_teardown "$name"
    log "$name is down"
  done
  # Leftovers no host directory accounts for (an interrupted run, a removed directory).
  while read -r root; do
    for cg in "$root"/nspawn-hbnb-*; do
      [[ -d $cg ]] || continue
      name=${cg##*/nspawn-hbnb-}
      log "removing stale cgroup $cg"
      host_teardown "$name"
    done
  done < <(cg_roots)
  net_clean_stale
  # Every data disk, kept ones too, and the loop devices of disks a killed run left attached.
  for d in "$DISKS_DIR"/*.img; do
    [[ -f $d ]] || continue
    name=$(basename "$d" .img)
    disk_detach "$name"
    rm -f "$d"
    log "deleted the data disk of $name"
  done
  rmdir "$DISKS_DIR" 2>/dev/null || true
  rm -rf /run/systemd/nspawn/propagate/hbnb-* /run/systemd/nspawn/unix-export/hbnb-*
  # Image locks of killed nspawns whose root is already gone (named by inode, so not mappable
  # to a host): only when no nspawn at all runs here, so no lock can be in use.
  pgrep -x systemd-nspawn >/dev/null || rm -f /run/systemd/nspawn/locks/inode-*
  # nspawn's own runtime directories, if nothing (of anyone's) is left in them.
  rmdir /run/systemd/nspawn/{propagate,unix-export,locks} /run/systemd/nspawn 2>/dev/null || true
  net_nat_down
  root_clean_partial
  log "all hosts down ($(elapsed "$started") s)"
}

cmd_reboot() {
  local name=$1 dir old new i err started=$EPOCHREALTIME
  check_name "$name"
  dir=$(host_dir "$name")
  host_running "$name" || die "$name is not running"
  old=$(cat "$dir/nspawn.pid")
  log "rebooting $name"
  # The connection may drop while the reboot starts: its status says nothing, and its
  # complaint is only shown if the reboot does not happen.
  err=$(cmd_ssh "$name" sudo systemctl reboot 2>&1) || true
  # The supervisor relaunches nspawn (new PID) when the guest reboots.
  for ((i = 0; i < 300; i++)); do
    new=$(cat "$dir/nspawn.pid" 2>/dev/null) || new=
    [[ -n $new && $new != "$old" ]] && break
    if ! host_running "$name"; then
      # The supervisor ended instead (nspawn did not report a reboot): relaunch it here.
      log "relaunching $name"
      lock
      host_launch "$name"
      unlock
      break
    fi
    sleep 0.1
  done
  ((i < 300)) || die "$name did not go down for the reboot within 30 s${err:+ ($err)}"
  host_wait_ssh "$name"
  log "$name rebooted ($(elapsed "$started") s)"
  host_print "$name"
}

cmd_ssh() {
  local name=$1
  shift
  check_name "$name"
  host_running "$name" || die "$name is not running"
  net_load "$name"
  host_env_load "$name"
  # shellcheck disable=SC2029 # CMD is meant to run on the guest, as with plain ssh
  ssh "${SSH_OPTS[@]}" -p "$host_port" "$host_user@$address" "$@"
}

cmd_list() {
  local d name
  for d in "$HOSTS_DIR"/*/; do
    [[ -d $d ]] || continue
    name=$(basename "$d")
    host_running "$name" || continue
    net_load "$name"
    printf '%s\t%s\n' "$name" "$address"
  done
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

main() {
  [[ $(id -u) -eq 0 ]] || die "run as root (netns, cgroups, nspawn)"
  local verb=${1:-}
  shift || true
  case $verb in
    up) [[ $# -ge 1 ]] || usage; cmd_up "$@" ;;
    address) [[ $# -eq 1 ]] || usage; cmd_address "$1" ;;
    down)
      if [[ $# -eq 1 && $1 == --all ]]; then
        cmd_down_all
      elif [[ $# -eq 1 ]]; then
        cmd_down "$1"
      elif [[ $# -eq 2 && $2 == --keep-data ]]; then
        cmd_down "$1" keep
      else
        usage
      fi
      ;;
    reboot) [[ $# -eq 1 ]] || usage; cmd_reboot "$1" ;;
    ssh) [[ $# -ge 1 ]] || usage; cmd_ssh "$@" ;;
    list) [[ $# -eq 0 ]] || usage; cmd_list ;;
    *) usage ;;
  esac
}

main "$@"
