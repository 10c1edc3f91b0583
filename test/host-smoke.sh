#!/usr/bin/env bash
# Smoke test of the local test-host harness (local/host.sh): two hosts side by side, SSH,
# systemd state, apt through the NAT, a guest port reachable from this machine, a reboot on
# the same root, and a teardown that leaves this machine as it found it.
# Needs root and the packages of `bash local/deps.sh host`. Exits non-zero on the first failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST=$REPO/local/host.sh
HOSTS=(hs1 hs2)
passed=0

say() { printf 'host-smoke: %s\n' "$*" >&2; }
fail() {
  say "FAIL: $*"
  printf 'host-smoke: %d passed, 1 failed\n' "$passed"
  exit 1
}
ok() {
  passed=$((passed + 1))
  say "ok: $*"
}
host() { bash "$HOST" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Leave nothing behind when a check fails half-way (only our own hosts: others may be in use).
cleanup() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    say "cleaning up after the failure"
    for name in "${HOSTS[@]}"; do host down "$name" >/dev/null 2>&1 || true; done
  fi
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || fail "run as root"
for tool in systemd-nspawn debootstrap nft ip ssh curl; do
  command -v "$tool" >/dev/null || fail "$tool missing: run 'bash local/deps.sh host'"
done

# Leftovers of an interrupted earlier run of this test would skew the checks below.
for name in "${HOSTS[@]}"; do host down "$name" 2>/dev/null; done
others=$(host list | awk -v a="${HOSTS[0]}" -v b="${HOSTS[1]}" '$1 != a && $1 != b { print $1 }')
# With other people's hosts running, the machine-wide state (nft table, ip_forward) is theirs.
[[ -z $others ]] || say "other hosts are running ($others): machine-wide checks are skipped"
forward_before=$(cat /proc/sys/net/ipv4/ip_forward)

# `up` prints exactly five shell assignments on stdout; anything else would break callers
# that eval it.
declare -A address
for name in "${HOSTS[@]}"; do
  start=$(now)
  out=$(host up "$name") || fail "up $name failed"
  [[ $(wc -l <<<"$out") -eq 5 ]] || fail "up $name printed something else than 5 lines: $out"
  grep -qvE '^(address|port|user|key|name)=[^[:space:]]*$' <<<"$out" &&
    fail "up $name printed a line that is no plain assignment: $out"
  addr=$(sed -n 's/^address=//p' <<<"$out")
  [[ $addr =~ ^10\.213\.[0-9]+\.[0-9]+$ ]] || fail "up $name: bad address '$addr'"
  grep -qx "name=$name" <<<"$out" || fail "up $name: no name=$name line"
  address[$name]=$addr
  ok "up $name at $addr ($(since "$start") s)"
done
[[ ${address[hs1]} != "${address[hs2]}" ]] || fail "hs1 and hs2 got the same address"

out=$(host up hs1) || fail "second up hs1 failed"
grep -qx "address=${address[hs1]}" <<<"$out" || fail "second up hs1 changed the address"
ok "up is idempotent"

for name in "${HOSTS[@]}"; do
  got=$(host ssh "$name" hostname) || fail "ssh $name failed"
  [[ $got == "$name" ]] || fail "ssh $name: hostname is '$got'"
  host ssh "$name" sudo -n true || fail "passwordless sudo for admin on $name"
done
ok "ssh and sudo on both hosts"

# is-system-running exits non-zero for `degraded`: read its output, not its status.
check_system() {
  local state
  state=$(timeout 60 bash "$HOST" ssh "$1" systemctl is-system-running --wait) || true
  case $state in
    running) ok "$1 is-system-running: running" ;;
    degraded)
      say "$1 degraded; failed units: $(host ssh "$1" systemctl --failed --no-legend | tr '\n' ' ')"
      ok "$1 is-system-running: degraded"
      ;;
    *) fail "$1 is-system-running: '$state'" ;;
  esac
}
check_system hs1

start=$(now)
host ssh hs1 sudo apt-get update -q >/dev/null || fail "apt-get update inside hs1"
ok "apt-get update inside hs1 ($(since "$start") s)"

# A port opened inside the guest answers from this machine at the guest's address.
host ssh hs1 sudo systemd-run --quiet --unit=smoke --working-directory=/tmp \
  python3 -m http.server 8080 || fail "starting the smoke http server in hs1"
code=000
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://${address[hs1]}:8080/") || true
  [[ $code == 200 ]] && break
  sleep 0.2
done
[[ $code == 200 ]] || fail "curl http://${address[hs1]}:8080/ from this machine: HTTP $code"
ok "port 8080 of hs1 answers curl from this machine"

start=$(now)
out=$(host reboot hs1) || fail "reboot hs1"
grep -qx "address=${address[hs1]}" <<<"$out" || fail "hs1 has another address after reboot"
host ssh hs1 true || fail "ssh hs1 after reboot"
# The transient unit is gone and the marker of the old boot with it: it really rebooted.
host ssh hs1 systemctl is-active --quiet smoke && fail "the smoke unit survived the reboot"
ok "reboot hs1 and ssh again ($(since "$start") s)"
check_system hs1

start=$(now)
host down hs1 || fail "down hs1"
ok "down hs1 ($(since "$start") s)"
host ssh hs2 true || fail "hs2 unreachable after down hs1"
ok "hs2 still works after down hs1"
host down hs2 || fail "down hs2"

# The machine is as before: no netns, veth, cgroup, nft table, host dir; ip_forward restored.
for name in "${HOSTS[@]}"; do
  [[ ! -e /run/netns/hbnb-$name ]] || fail "netns hbnb-$name left behind"
  [[ ! -e /var/lib/hbnb-stack/hosts/$name ]] || fail "host dir of $name left behind"
  for cg in /sys/fs/cgroup/*/nspawn-hbnb-"$name" /sys/fs/cgroup/nspawn-hbnb-"$name"; do
    [[ ! -e $cg ]] || fail "cgroup $cg left behind"
  done
done
pgrep -f "hosts/(hs1|hs2)/root" >/dev/null && fail "processes of hs1/hs2 left behind"
if [[ -z $others ]]; then
  leftover=$(ip netns list | grep '^hbnb-' || true)
  [[ -z $leftover ]] || fail "netns left behind: $leftover"
  leftover=$(ip -o link show | grep -o 'hbnb-v[0-9]*' || true)
  [[ -z $leftover ]] || fail "veth left behind: $leftover"
  nft list table ip hbnb-stack >/dev/null 2>&1 && fail "nft table hbnb-stack left behind"
  leftover=$(find /sys/fs/cgroup -maxdepth 2 -name 'nspawn-hbnb-*' 2>/dev/null || true)
  [[ -z $leftover ]] || fail "cgroups left behind: $leftover"
  forward_after=$(cat /proc/sys/net/ipv4/ip_forward)
  [[ $forward_after == "$forward_before" ]] ||
    fail "ip_forward is $forward_after, was $forward_before"
fi
ok "teardown left no trace"

printf 'host-smoke: %d passed, 0 failed\n' "$passed"
