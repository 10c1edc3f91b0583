#!/usr/bin/env bash
# Builds and caches the base root of the local test hosts, and makes per-host writable copies.
# Sourced by local/host.sh (which provides log/die and holds the state lock while these run).
#
# The base root is what a fresh Debian 12 cloud image looks like to provisioning code: systemd
# as PID 1, sshd, sudo, curl, python3, an `admin` user with passwordless sudo, apt sources with
# updates and security, empty package lists (so provisioning must `apt-get update`, as on a real
# VM). Everything that must differ between hosts (hostname, machine-id, SSH host keys, address,
# authorized key) is written into each host's copy instead, so the cache stays shareable.

readonly CACHE_DIR=/var/cache/hbnb-stack
readonly BASE_ROOT=$CACHE_DIR/root-bookworm
# Shared between all hosts and runs through a bind mount: packages downloaded once are reused.
readonly APT_ARCHIVES=$CACHE_DIR/apt-archives
# Bump when the recipe below changes: a root with another stamp is rebuilt on the next `up`.
readonly ROOT_RECIPE=3
readonly ROOT_STAMP=etc/hbnb-stack-base

# minbase plus what the provisioning (and a person debugging a host) can expect on a cloud image.
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
  for tmp in "$CACHE_DIR"/root-bookworm.tmp.* "$CACHE_DIR"/root-bookworm.old.*; do
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
  local main sec tmp started buildlog=$CACHE_DIR/build.log
  { read -r main; read -r sec; } < <(root_mirrors)
  started=$SECONDS
  # Built next to the final path (same file system), then renamed: the cache path only ever
  # holds a complete root.
  tmp=$(mktemp -d "$CACHE_DIR/root-bookworm.tmp.XXXXXX")
  chmod 755 "$tmp"
  log "building the base root from $main (about two minutes; log: $buildlog)"
  # Not `if ! ...`: that would switch off set -e inside root_configure. host.sh's exit trap
  # shows the tail of FAIL_LOG if any step fails.
  # shellcheck disable=SC2034 # read by host.sh's exit trap
  FAIL_LOG=$buildlog
  # Own mount namespace: debootstrap mounts /proc and /sys in the target and would leave them
  # mounted if interrupted. --cache-dir keeps the .debs for the next build (and the guests'
  # apt finds them there too).
  unshare --mount --propagation private -- debootstrap --variant=minbase \
    --cache-dir="$APT_ARCHIVES" --include="$ROOT_PACKAGES" bookworm "$tmp" "$main" >"$buildlog" 2>&1
  log "debootstrap done after $((SECONDS - started)) s; updating and configuring"
  root_configure "$tmp" "$main" "$sec" >>"$buildlog" 2>&1
  # shellcheck disable=SC2034
  FAIL_LOG=
  if [[ -e $BASE_ROOT ]]; then
    # An older recipe: swap it out. Running hosts use their own copies, so this is safe.
    mv -T "$BASE_ROOT" "$(mktemp -u "$CACHE_DIR/root-bookworm.old.XXXXXX")"
  fi
  mv -T "$tmp" "$BASE_ROOT"
  root_clean_partial
  log "base root built in $((SECONDS - started)) s ($(du -sh "$BASE_ROOT" | cut -f1))"
}

root_configure() {
  local dir=$1 main=$2 sec=$3
  set -x
  # Nothing may start services from a maintainer script during the build.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"

  # debootstrap writes only `bookworm main`; a cloud image also follows updates and security.
  rm -f "$dir/etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $main
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $sec
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  root_chroot "$dir" apt-get update -q
  # Cloud images are built with the pending updates applied.
  root_chroot "$dir" apt-get dist-upgrade -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold

  # The default user of Debian's cloud images: key-only login, passwordless sudo. '*' rather
  # than a locked '!' password, so no sshd configuration can refuse the account as locked.
  root_chroot "$dir" useradd --create-home --shell /bin/bash --groups sudo,adm admin
  root_chroot "$dir" usermod --password '*' admin
  printf 'admin ALL=(ALL) NOPASSWD:ALL\n' >"$dir/etc/sudoers.d/90-cloud-init-users"
  chmod 440 "$dir/etc/sudoers.d/90-cloud-init-users"
  install -d -m 700 -o "$(root_uid "$dir" admin)" -g "$(root_gid "$dir" admin)" "$dir/home/admin/.ssh"

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
  printf 'recipe=%s\nbuilt=%s\nmirror=%s\n' "$ROOT_RECIPE" "$(date -u +%FT%TZ)" "$main" >"$dir/$ROOT_STAMP"
  set +x
}

# The uid/gid of USER in the root DIR (not this machine's, which may differ or not exist).
root_uid() { awk -F: -v u="$2" '$1 == u { print $3 }' "$1/etc/passwd"; }
root_gid() { awk -F: -v u="$2" '$1 == u { print $4 }' "$1/etc/passwd"; }

# Makes DIR/root, a writable copy of the base root for host NAME, with its own identity.
# ADDRESS/PREFIX and GATEWAY are its eth0 settings; PUBKEY the file authorized for admin.
root_make_host() {
  local dir=$1 name=$2 address=$3 gateway=$4 pubkey=$5
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
  ssh-keygen -q -A -f "$tmp" >/dev/null

  install -m 600 -o "$(root_uid "$tmp" admin)" -g "$(root_gid "$tmp" admin)" \
    "$pubkey" "$tmp/home/admin/.ssh/authorized_keys"

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
