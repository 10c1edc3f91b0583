#!/usr/bin/env bash
# volume: the server's data volume (an EBS volume of its own on AWS) mounted at the data
# directory, before the app's user and directories are made there. Formatted once: a volume that
# already holds a filesystem (the one of a replaced instance) is mounted as it is, never formatted
# again. An instance made before the volume existed keeps its data: what is in the directory is
# copied onto the new filesystem before it is mounted over it.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_DATA_DEVICE HBNB_DATA_DIR HBNB_DEVICE_WAIT HBNB_UNITS

device=$HBNB_DATA_DEVICE
dir=$HBNB_DATA_DIR
stopped=()
# The volume is attached after the instance starts: it may appear a little after SSH answers.
for ((waited = 0; waited < HBNB_DEVICE_WAIT; waited++)); do
  [[ -b $device ]] && break
  ((waited > 0)) || say "waiting up to ${HBNB_DEVICE_WAIT}s for $device"
  sleep 1
done
[[ -b $device ]] ||
  die "$device did not appear in ${HBNB_DEVICE_WAIT}s: is the data volume attached (its VolumeAttachment) and the instance type a Nitro one (t3, t4g, m5 and newer), whose EBS disks are NVMe?"

# blkid -p probes the device itself (not its cache): exit status 2 means no filesystem at all.
status=0
blkid -p "$device" >/dev/null || status=$?
if ((status == 2)); then
  # ext4, labelled for a reader of lsblk; no reserved blocks: only the app writes here.
  mkfs.ext4 -q -L hbnb-data -m 0 "$device"
  changed "made an ext4 filesystem on $device"
elif ((status != 0)); then
  die "blkid could not probe $device (exit status $status)"
fi
type=$(blkid -p -s TYPE -o value "$device")
[[ $type == ext4 ]] || die "$device holds a $type filesystem, not the ext4 this step makes: not formatting it; mount it by hand or detach it"
uuid=$(blkid -p -s UUID -o value "$device")

# By its filesystem's UUID: the same whatever name the kernel gives the disk. nofail: a boot
# without the volume still reaches SSH (and the app then fails on its missing data, visibly).
line="UUID=$uuid $dir ext4 defaults,nofail 0 2"
if ! grep -qxF "$line" /etc/fstab; then
  # Another line for the same directory (an earlier volume's) goes.
  awk -v dir="$dir" '!($2 == dir && $1 ~ /^UUID=/)' /etc/fstab >/etc/fstab.hbnb-stack
  printf '%s\n' "$line" >>/etc/fstab.hbnb-stack
  mv /etc/fstab.hbnb-stack /etc/fstab
  # systemd makes its mount units from fstab: it reads the file again before the mount below.
  systemctl daemon-reload
  changed "added $dir to /etc/fstab ($device, UUID $uuid)"
fi

if ! mountpoint -q "$dir"; then
  if [[ -d $dir ]] && [[ -n $(ls -A "$dir") ]]; then
    # Data written before the volume existed: onto the volume first, with owners and modes,
    # unless the volume holds data already (then the volume's wins, and the old stays beneath).
    # The app holds its database open: it is stopped while the data moves (its socket too, or a
    # request would start it again on the old files), and started again on the volume.
    mapfile -t names <<<"$HBNB_UNITS"
    stopped=()
    for name in "${names[@]}"; do
      for unit in "$name.socket" "$name.service"; do
        if systemctl is-active -q "$unit"; then stopped+=("$unit"); fi
      done
    done
    if ((${#stopped[@]} > 0)); then
      systemctl stop "${stopped[@]}"
      changed "stopped ${stopped[*]} while the data moves"
    fi
    staging=$(mktemp -d)
    mount "$device" "$staging"
    if [[ -z $(find "$staging" -mindepth 1 -maxdepth 1 ! -name lost+found -print -quit) ]]; then
      cp -a "$dir"/. "$staging"/
      changed "copied the data already in $dir onto the volume"
    fi
    umount "$staging"
    rmdir "$staging"
  fi
  mkdir -p "$dir"
  mount "$dir"
  changed "mounted $device at $dir"
  if ((${#stopped[@]} > 0)); then
    systemctl start "${stopped[@]}"
    changed "started ${stopped[*]} again"
  fi
fi
finish
