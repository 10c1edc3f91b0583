#!/usr/bin/env bash
# wait: the first step on a new server. SSH already answers (this runs over it); wait until the
# machine has finished booting and cloud-init has finished its first-boot work, which rewrites
# apt sources and holds the apt lock, and check that the system is one the stack supports.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"

. /etc/os-release
# Debian 12 and 13 are the local servers' systems (13: the image that stands in for Ubuntu 24.04).
case "${ID}:${VERSION_ID}" in
  ubuntu:22.04 | ubuntu:24.04 | debian:12 | debian:13) ;;
  *) die "unsupported system ${PRETTY_NAME:-$ID $VERSION_ID}; the stack supports Ubuntu 22.04, Ubuntu 24.04, Debian 12 and Debian 13" ;;
esac

# The boot driver (files/boot/boot.py) runs the plan inside cloud-init's final stage: the boot
# and cloud-init finish only after the plan has run, so waiting for either would wait for itself.
if [[ ${HBNB_BOOT_DRIVER:-} == cloud-init ]]; then
  say "ready: ${PRETTY_NAME}, run by cloud-init at first boot"
  finish
  exit 0
fi

# Returns once boot has finished; "degraded" (a unit failed) still lets us provision.
state=$(timeout 300 systemctl is-system-running --wait || true)
[[ $state == running || $state == degraded ]] || die "systemd is '$state' after 5 minutes of waiting for boot to finish"

if command -v cloud-init >/dev/null; then
  # Exit code 2 means done with recoverable errors: the machine is usable.
  rc=0
  timeout 600 cloud-init status --wait >/dev/null || rc=$?
  [[ $rc -eq 0 || $rc -eq 2 ]] || die "cloud-init did not finish (exit $rc); see /var/log/cloud-init-output.log"
fi

say "ready: ${PRETTY_NAME}, systemd $state"
finish
