#!/usr/bin/env bash
# Builds and caches the base roots of the local test hosts, and makes per-host writable copies.
# Sourced by local/host.sh (which provides log/die and holds the state lock while these run).
#
# Two images, each its own cached root and recipe stamp (root_select picks one):
# - debian: what a fresh Debian 12 cloud image looks like to provisioning code: systemd as PID 1,
#   sshd, sudo, curl, python3, an `admin` user with passwordless sudo, apt sources with updates
#   and security, empty package lists (so provisioning must `apt-get update`, as on a real VM).
# - cloud: Debian 13 made to boot like Ubuntu's cloud images (see root_configure_cloud): real
#   cloud-init with the NoCloud datasource creates the `ubuntu` user from the host's meta-data and
#   applies the host's user data (the stack's EC2 user data), SSH is socket-activated, apt-daily
#   and unattended-upgrades run at first boot, needrestart is installed.
# Everything that must differ between hosts (hostname, machine-id, SSH host keys, address,
# authorized key, seed) is written into each host's copy instead, so the caches stay shareable.

readonly CACHE_DIR=/var/cache/hbnb-stack
# Shared between all hosts and runs through a bind mount: packages downloaded once are reused.
readonly APT_ARCHIVES=$CACHE_DIR/apt-archives
readonly ROOT_STAMP=etc/hbnb-stack-base
# Set by root_select.
ROOT_IMAGE=
ROOT_SUITE=
ROOT_RECIPE=
BASE_ROOT=

# Picks IMAGE (debian or cloud) for the root_* functions below.
root_select() {
  case $1 in
    # Bump a recipe when its recipe below changes: a root with another stamp is rebuilt on the
    # next `up` of that image.
    debian) ROOT_SUITE=bookworm ROOT_RECIPE=3 BASE_ROOT=$CACHE_DIR/root-bookworm ;;
    cloud) ROOT_SUITE=trixie ROOT_RECIPE=1 BASE_ROOT=$CACHE_DIR/root-trixie-cloud ;;
    *) die "unknown image '$1': debian (Debian 12, the default) or cloud (Debian 13 booted by cloud-init)" ;;
  esac
  ROOT_IMAGE=$1
}

# The login user of IMAGE's hosts: Debian's cloud images call it admin; Ubuntu's, ubuntu.
root_user() {
  case $1 in
    debian) echo admin ;;
    cloud) echo ubuntu ;;
  esac
}

# minbase plus what the provisioning (and a person debugging a host) can expect on a cloud image.
# debootstrap cannot install cloud-init itself on trixie (it leaves it and two of its
# dependencies unconfigured): the cloud image adds it with apt afterwards.
readonly ROOT_PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,iproute2,ca-certificates,sudo,curl,python3,procps,less,netbase,iputils-ping

# Prints the Debian mirror and the security mirror this machine uses (one per line), read from
# its deb822 sources: they are the only Debian mirrors reachable from here.
root_mirrors() {
  local sources=/etc/apt/sources.list.d/debian.sources main sec
  [[ -r $sources ]] || die "cannot read $sources to find the Debian mirror"
  # Paragraph mode: one stanza per record; keep the first URI of `deb` stanzas by suite.
  { read -r main; read -r sec; } < <(awk -v RS= '
    {
      uri = ""; suites = ""; deb = 0
      n = split($0, line, "\n")
      for (i = 1; i <= n; i++) {
        if (line[i] ~ /^Types:/ && line[i] ~ /[ \t]deb([ \t]|$)/) deb = 1
        if (line[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line[i]); split(line[i], u, /[ \t]+/); uri = u[1] }
        if (line[i] ~ /^Suites:/) { sub(/^Suites:/, "", line[i]); suites = line[i] " " }
      }
      if (!deb || uri == "") next
      if (suites ~ /[ \t]bookworm-security[ \t]/ && sec == "") sec = uri
      else if (suites ~ /[ \t]bookworm[ \t]/ && main == "") main = uri
    }
    END { print main; print sec }' "$sources")
  [[ -n $main ]] || die "no 'bookworm' deb stanza in $sources"
  # Debian's layout puts the security archive next to the main one.
  [[ -n $sec ]] || sec=${main%/debian}/debian-security
  printf '%s\n%s\n' "$main" "$sec"
}

# Prints the host names of those mirrors (what the guests' apt must be able to reach).
root_mirror_hosts() {
  root_mirrors | sed -E 's|^[a-z]+://([^/:]+).*|\1|' | sort -u
}

# Runs a command chrooted into DIR with /proc mounted in a private mount namespace, so an
# interrupted build can never leave a mount behind on this machine.
root_chroot() {
  local dir=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner sh
  unshare --mount --propagation private -- \
    sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$dir" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# Removes the half-built roots of interrupted builds. Call with the state lock held.
root_clean_partial() {
  local tmp
  # Every image's: builds of all images run under the same state lock.
  for tmp in "$CACHE_DIR"/root-*.tmp.* "$CACHE_DIR"/root-*.old.*; do
    [[ -d $tmp ]] || continue
    log "removing leftover $tmp"
    # debootstrap and the chroot run in private mount namespaces, so nothing should be mounted
    # here; --one-file-system guards against deleting through a mount all the same.
    rm -rf --one-file-system "$tmp"
  done
}

root_is_current() {
  [[ -f $BASE_ROOT/$ROOT_STAMP ]] && grep -qx "recipe=$ROOT_RECIPE" "$BASE_ROOT/$ROOT_STAMP"
}

# Makes sure a complete base root of the current recipe is cached. Call with the state lock held.
root_ensure() {
  mkdir -p "$CACHE_DIR" "$APT_ARCHIVES/partial"
  root_is_current && return 0
  root_clean_partial
  root_build
}

root_build() {
  local main sec tmp started buildlog=$CACHE_DIR/build-$ROOT_IMAGE.log
  { read -r main; read -r sec; } < <(root_mirrors)
  started=$SECONDS
  # Built next to the final path (same file system), then renamed: the cache path only ever
  # holds a complete root.
  tmp=$(mktemp -d "$BASE_ROOT.tmp.XXXXXX")
  chmod 755 "$tmp"
  log "building the $ROOT_IMAGE base root ($ROOT_SUITE) from $main (about two minutes; log: $buildlog)"
  # Not `if ! ...`: that would switch off set -e inside root_configure. host.sh's exit trap
  # shows the tail of FAIL_LOG if any step fails.
  # shellcheck disable=SC2034 # read by host.sh's exit trap
  FAIL_LOG=$buildlog
  # Own mount namespace: debootstrap mounts /proc and /sys in the target and would leave them
  # mounted if interrupted. --cache-dir keeps the .debs for the next build (and the guests'
  # apt finds them there too).
  unshare --mount --propagation private -- debootstrap --variant=minbase \
    --cache-dir="$APT_ARCHIVES" --include="$ROOT_PACKAGES" "$ROOT_SUITE" "$tmp" "$main" >"$buildlog" 2>&1
  log "debootstrap done after $((SECONDS - started)) s; updating and configuring"
  root_configure "$tmp" "$main" "$sec" >>"$buildlog" 2>&1
  # shellcheck disable=SC2034
  FAIL_LOG=
  if [[ -e $BASE_ROOT ]]; then
    # An older recipe: swap it out. Running hosts use their own copies, so this is safe.
    mv -T "$BASE_ROOT" "$(mktemp -u "$BASE_ROOT.old.XXXXXX")"
  fi
  mv -T "$tmp" "$BASE_ROOT"
  root_clean_partial
  log "$ROOT_IMAGE base root built in $((SECONDS - started)) s ($(du -sh "$BASE_ROOT" | cut -f1))"
}

root_configure() {
  local dir=$1 main=$2 sec=$3
  set -x
  # Nothing may start services from a maintainer script during the build.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"

  # debootstrap writes only `SUITE main`; a cloud image also follows updates and security.
  rm -f "$dir/etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $main
Suites: $ROOT_SUITE $ROOT_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $sec
Suites: $ROOT_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  root_chroot "$dir" apt-get update -q
  # Cloud images are built with the pending updates applied.
  root_chroot "$dir" apt-get dist-upgrade -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold

  if [[ $ROOT_IMAGE == cloud ]]; then
    root_configure_cloud "$dir"
  else
    # The default user of Debian's cloud images: key-only login, passwordless sudo. '*' rather
    # than a locked '!' password, so no sshd configuration can refuse the account as locked.
    root_chroot "$dir" useradd --create-home --shell /bin/bash --groups sudo,adm admin
    root_chroot "$dir" usermod --password '*' admin
    printf 'admin ALL=(ALL) NOPASSWD:ALL\n' >"$dir/etc/sudoers.d/90-cloud-init-users"
    chmod 440 "$dir/etc/sudoers.d/90-cloud-init-users"
    install -d -m 700 -o "$(root_uid "$dir" admin)" -g "$(root_gid "$dir" admin)" "$dir/home/admin/.ssh"
  fi

  # eth0 is configured by systemd-networkd from a per-host file, so addresses survive a reboot
  # the way a server's own network configuration does.
  root_chroot "$dir" systemctl enable systemd-networkd.service

  # Per-host identity is written into each copy; a shared one would make hosts look cloned.
  rm -f "$dir"/etc/ssh/ssh_host_*
  : >"$dir/etc/machine-id"
  rm -f "$dir/var/lib/dbus/machine-id"

  root_chroot "$dir" apt-get clean
  # Like a fresh VM: provisioning has to run `apt-get update` itself.
  rm -rf "$dir"/var/lib/apt/lists/*
  rm -f "$dir/usr/sbin/policy-rc.d" "$dir/etc/resolv.conf"
  printf 'image=%s\nsuite=%s\nrecipe=%s\nbuilt=%s\nmirror=%s\n' "$ROOT_IMAGE" "$ROOT_SUITE" "$ROOT_RECIPE" \
    "$(date -u +%FT%TZ)" "$main" >"$dir/$ROOT_STAMP"
  set +x
}

# Debian 13 made to boot like Ubuntu's cloud images, in what the provisioning meets:
# - cloud-init (Debian's package) reads only the NoCloud seed each host gets, as Ubuntu's EC2
#   images read only IMDS: it creates the `ubuntu` user with the key from meta-data (EC2's key
#   pair) and applies the user data (the stack's EC2 user data, core/cloud-config.ts).
# - SSH is socket-activated: ssh.socket enabled, ssh.service disabled, as Ubuntu 24.04 ships it.
# - cloud-init writes its own sshd drop-in (50-cloud-init.conf, from `ssh_pwauth`), next to the
#   image's 60-cloudimg-settings.conf, as on Ubuntu's images.
# - apt-daily and apt-daily-upgrade (unattended-upgrades) start during the first boot and hold
#   the apt locks while the plan begins (root_first_boot_timer).
# - needrestart is installed, as on Ubuntu server images.
# What it cannot reproduce: apport as core_pattern handler (kernel.core_pattern belongs to this
# machine's kernel, not to the container), Ubuntu's own archive and AMIs (README).
root_configure_cloud() {
  local dir=$1
  root_chroot "$dir" apt-get install -y -q --no-install-recommends cloud-init unattended-upgrades needrestart

  install -m 644 /dev/stdin "$dir/etc/cloud/cloud.cfg.d/90-hbnb-stack-image.cfg" <<'EOF'
# Written by local/root.sh: what makes this Debian root boot the way Ubuntu's cloud images do.
# Only the seed directory that local/host.sh writes for each host (/var/lib/cloud/seed/nocloud/:
# meta-data and user-data), as Ubuntu's EC2 images use only the Ec2 datasource.
datasource_list: [NoCloud, None]
# The harness configures eth0 (systemd-networkd, a static address per host), not cloud-init.
network: {config: disabled}
# No SSH passwords: cloud-init writes it as /etc/ssh/sshd_config.d/50-cloud-init.conf.
ssh_pwauth: false
system_info:
  # Ubuntu's default user (its cloud.cfg), given the meta-data's public key, as EC2's key pair.
  default_user:
    name: ubuntu
    lock_passwd: true
    gecos: Ubuntu
    groups: [adm, cdrom, dip, sudo]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
EOF
  install -m 644 /dev/stdin "$dir/etc/ssh/sshd_config.d/60-cloudimg-settings.conf" <<'EOF'
# Written by local/root.sh, as Ubuntu's cloud images ship this file: no SSH passwords.
PasswordAuthentication no
EOF

  # Socket activation as on Ubuntu 24.04: systemd listens on 22 and starts sshd per connection.
  root_chroot "$dir" systemctl disable ssh.service
  root_chroot "$dir" systemctl enable ssh.socket

  root_first_boot_timer "$dir" apt-daily 5s "12 h"
  root_first_boot_timer "$dir" apt-daily-upgrade 20s "1 h"
  # The seed is written per host; cloud-init's state must be that of a never-booted image.
  rm -rf "$dir"/var/lib/cloud/* "$dir"/var/log/cloud-init*
}

# On a cloud server the apt timers are long overdue when it first boots, and Ubuntu's start
# apt-daily (apt-get update) and apt-daily-upgrade (unattended-upgrades) while cloud-init and the
# first SSH sessions work. Their packaged randomized delay would make that a matter of chance
# here, so timer NAME also fires DELAY after every boot; apt.systemd.daily's own stamps keep the
# later boots' runs to a quick check.
root_first_boot_timer() {
  local dir=$1 name=$2 delay=$3 packaged=$4
  install -d "$dir/etc/systemd/system/$name.timer.d"
  install -m 644 /dev/stdin "$dir/etc/systemd/system/$name.timer.d/first-boot.conf" <<EOF
# Written by local/root.sh: run during the first boot, as on a freshly started cloud server.
[Timer]
# Shortly after boot, while cloud-init and the plan's first steps run.
OnBootSec=$delay
# Without the packaged random delay (up to $packaged), so that it does so on every first boot.
RandomizedDelaySec=0
EOF
}

# The uid/gid of USER in the root DIR (not this machine's, which may differ or not exist).
root_uid() { awk -F: -v u="$2" '$1 == u { print $3 }' "$1/etc/passwd"; }
root_gid() { awk -F: -v u="$2" '$1 == u { print $4 }' "$1/etc/passwd"; }

# Makes DIR/root, a writable copy of the selected image's base root for host NAME, with its own
# identity. ADDRESS/PREFIX and GATEWAY are its eth0 settings; PUBKEY the file authorized for the
# image's user; USERDATA (cloud image only, may be empty) the file given to cloud-init as user data.
root_make_host() {
  local dir=$1 name=$2 address=$3 gateway=$4 pubkey=$5 userdata=${6:-} user
  local tmp=$dir/root.tmp
  rm -rf --one-file-system "$tmp"
  # A copy (reflinked where the file system can): the host must survive its own reboot with
  # everything the provisioning wrote, and the cache must stay pristine.
  cp -a --reflink=auto "$BASE_ROOT" "$tmp"
  # Packages downloaded by earlier hosts, as hard links: apt finds them in its own archive
  # directory and downloads nothing again. A directory of its own (not a shared bind mount)
  # because apt locks it: hosts provisioning side by side must not wait on each other.
  mkdir -p "$APT_ARCHIVES/partial"
  find "$APT_ARCHIVES" -maxdepth 1 -name '*.deb' -exec cp -l -t "$tmp/var/cache/apt/archives/" {} + 2>/dev/null || true

  printf '%s\n' "$name" >"$tmp/etc/hostname"
  # As cloud-init does; without it sudo warns "unable to resolve host".
  printf '127.0.1.1\t%s\n' "$name" >>"$tmp/etc/hosts"
  # A fixed machine-id per host keeps journald and the host's identity stable over reboots.
  tr -d - </proc/sys/kernel/random/uuid >"$tmp/etc/machine-id"

  user=$(root_user "$ROOT_IMAGE")
  if [[ $ROOT_IMAGE == cloud ]]; then
    # What EC2's metadata service tells cloud-init, as a NoCloud seed: a new instance id (so
    # cloud-init treats this as a first boot), the host name, the key pair's public key. Host
    # keys and the user are cloud-init's work at first boot, as on EC2.
    install -d -m 755 "$tmp/var/lib/cloud/seed/nocloud"
    {
      printf 'instance-id: i-hbnb-%s-%s\n' "$name" "$(tr -d - </proc/sys/kernel/random/uuid | cut -c1-12)"
      printf 'local-hostname: %s\n' "$name"
      printf 'public-keys:\n  - "%s"\n' "$(cat "$pubkey")"
    } >"$tmp/var/lib/cloud/seed/nocloud/meta-data"
    # No user data is an empty file (NoCloud requires the file), as an instance without any.
    if [[ -n $userdata ]]; then
      install -m 600 "$userdata" "$tmp/var/lib/cloud/seed/nocloud/user-data"
    else
      install -m 600 /dev/null "$tmp/var/lib/cloud/seed/nocloud/user-data"
    fi
  else
    ssh-keygen -q -A -f "$tmp" >/dev/null
    install -m 600 -o "$(root_uid "$tmp" "$user")" -g "$(root_gid "$tmp" "$user")" \
      "$pubkey" "$tmp/home/$user/.ssh/authorized_keys"
  fi

  cat >"$tmp/etc/systemd/network/10-eth0.network" <<EOF
# Written by local/host.sh: the static address of this test host on its veth link.
[Match]
Name=eth0

[Network]
Address=$address
Gateway=$gateway
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
  mv -T "$tmp" "$dir/root"
}

# Hands the packages a host downloaded to the cache (as hard links) before it is deleted.
root_harvest_debs() {
  local dir=$1
  [[ -d $dir/root/var/cache/apt/archives ]] || return 0
  mkdir -p "$APT_ARCHIVES"
  find "$dir/root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -ln -t "$APT_ARCHIVES/" {} + 2>/dev/null || true
}
