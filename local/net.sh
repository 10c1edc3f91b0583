#!/usr/bin/env bash
# Networking of the local test hosts: one network namespace per host, a /30 veth link to it
# from this machine, NAT out for apt, and the ip_forward switch that NAT needs.
# Sourced by local/host.sh (which provides log/die and holds the state lock while these run).
#
# Layout for host NAME with subnet index I (0..16383) in 10.213.0.0/16:
#   netns hbnb-NAME; veth hbnb-vI (this machine, .1/30) <-> eth0 (in the netns, .2/30).
# The veth is named by index, not by NAME, because interface names are limited to 15 bytes.

readonly NET_DIR=/var/lib/hbnb-stack/net
readonly NET_RANGE=10.213.0.0/16
readonly NET_SLOTS=16384 # /30 subnets in the /16
readonly NET_TABLE=hbnb-stack
# The value ip_forward had before the first host came up; restored when the last one goes.
readonly NET_FORWARD_SAVED=$NET_DIR/ip_forward.saved

net_netns() { printf 'hbnb-%s\n' "$1"; }

# Prints the address at OFFSET in /30 subnet INDEX.
net_addr() {
  local n=$(($1 * 4 + $2))
  printf '10.213.%d.%d\n' $((n / 256)) $((n % 256))
}

# Allocates (or returns the stored) subnet of NAME and prints its settings as shell
# assignments: index, address, gateway, veth, netns. Call with the state lock held.
net_alloc() {
  local name=$1 file=$NET_DIR/$1.env index tries
  mkdir -p "$NET_DIR"
  if [[ ! -f $file ]]; then
    # Deterministic: the same NAME gets the same subnet run after run, which makes logs and
    # known addresses comparable. Collisions move to the next free slot.
    index=$(($(printf '%s' "$name" | cksum | cut -d' ' -f1) % NET_SLOTS))
    for ((tries = 0; tries < NET_SLOTS; tries++)); do
      net_slot_free "$index" && break
      index=$(((index + 1) % NET_SLOTS))
    done
    ((tries < NET_SLOTS)) || die "no free /30 left in $NET_RANGE"
    {
      printf 'index=%d\n' "$index"
      printf 'address=%s\n' "$(net_addr "$index" 2)"
      printf 'gateway=%s\n' "$(net_addr "$index" 1)"
      printf 'veth=hbnb-v%d\n' "$index"
      printf 'netns=%s\n' "$(net_netns "$name")"
    } >"$file.tmp"
    mv "$file.tmp" "$file"
  fi
  cat "$file"
}

# Sets index, address, gateway, veth and netns (globals) from NAME's stored allocation.
net_load() {
  [[ -f $NET_DIR/$1.env ]] || die "no network allocation for $1"
  # shellcheck disable=SC1090 # written by net_alloc
  source "$NET_DIR/$1.env"
}

# The same, allocating first if needed. Call with the state lock held.
net_load_new() {
  eval "$(net_alloc "$1")"
}

# A slot is free if no other host holds it and nothing on this machine already uses its gateway
# address (e.g. a leftover veth that `down --all` has not yet removed).
net_slot_free() {
  local index=$1
  if compgen -G "$NET_DIR/*.env" >/dev/null && grep -qx "index=$index" "$NET_DIR"/*.env; then
    return 1
  fi
  ! ip -4 -o addr show | grep -qF " $(net_addr "$index" 1)/"
}

# Creates the netns and the veth of NAME (settings from net_alloc), NAT and forwarding.
# Further args: the mirror host names the guests may reach (see net_nat_up).
net_up() {
  # shellcheck disable=SC2034 # all set by the eval, not all used
  local name=$1 index address gateway veth netns
  eval "$(net_alloc "$name")"
  ip netns add "$netns"
  ip link add "$veth" type veth peer name eth0 netns "$netns"
  ip addr add "$gateway/30" dev "$veth"
  ip link set "$veth" up
  # eth0 itself is brought up and addressed by systemd-networkd inside the guest, at every boot.
  shift
  net_nat_up "$@"
}

# NAT for the guests' own traffic out of 10.213.0.0/16, limited to what a test host needs from
# outside: DNS to this machine's resolvers and HTTP(S) to the Debian mirrors (apt). Everything
# else forwarded out of the range is rejected, so no provisioning step can reach any other
# address by accident. Guest to guest and this machine to guest stay open.
# Args: the mirror host names (resolved here, now).
net_nat_up() {
  local dns mirrors rules
  dns=$(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ { print $2 }' /etc/resolv.conf | paste -sd, -)
  mirrors=$(getent ahostsv4 "$@" 2>/dev/null | awk '{ print $1 }' | sort -u | paste -sd, -) || true
  [[ -n $mirrors ]] || log "warning: cannot resolve $*: apt inside the hosts will fail"
  rules="ip saddr $NET_RANGE ip daddr $NET_RANGE accept
    ct state established,related accept"
  [[ -n $dns ]] && rules+="
    ip saddr $NET_RANGE ip daddr { $dns } meta l4proto { tcp, udp } th dport 53 accept"
  [[ -n $mirrors ]] && rules+="
    ip saddr $NET_RANGE ip daddr { $mirrors } tcp dport { 80, 443 } accept"
  # Delete-and-recreate in one transaction: idempotent, never two copies of a rule, and the
  # mirror addresses are refreshed at every `up`.
  nft -f - <<EOF
add table ip $NET_TABLE
delete table ip $NET_TABLE
table ip $NET_TABLE {
  chain forward {
    type filter hook forward priority filter; policy accept;
    $rules
    ip saddr $NET_RANGE counter reject with icmp type admin-prohibited
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $NET_RANGE ip daddr != $NET_RANGE masquerade
  }
}
EOF
  mkdir -p "$NET_DIR"
  if [[ ! -f $NET_FORWARD_SAVED ]]; then
    cat /proc/sys/net/ipv4/ip_forward >"$NET_FORWARD_SAVED.tmp"
    mv "$NET_FORWARD_SAVED.tmp" "$NET_FORWARD_SAVED"
  fi
  echo 1 >/proc/sys/net/ipv4/ip_forward
}

# Removes the netns, the veth and the allocation of NAME. Safe on partial or missing state.
net_down() {
  local name=$1 netns file=$NET_DIR/$1.env veth=
  netns=$(net_netns "$name")
  [[ -f $file ]] && veth=$(sed -n 's/^veth=//p' "$file")
  # The veth first: deleting one end removes both, before `ip link` returns. Deleting the
  # netns first would destroy the pair too, but later, in the kernel's own time: a delete of
  # the veth right after it then fails by chance ("Cannot find device").
  if [[ -n $veth ]] && ip link show "$veth" >/dev/null 2>&1; then
    ip link delete "$veth"
  fi
  if [[ -e /run/netns/$netns ]]; then
    ip netns delete "$netns"
  fi
  rm -f "$file"
}

# When no host is left: drops the NAT table and puts ip_forward back as it was.
net_nat_down() {
  if nft list table ip "$NET_TABLE" >/dev/null 2>&1; then
    nft delete table ip "$NET_TABLE"
  fi
  if [[ -f $NET_FORWARD_SAVED ]]; then
    cat "$NET_FORWARD_SAVED" >/proc/sys/net/ipv4/ip_forward
    rm -f "$NET_FORWARD_SAVED"
  fi
}

# Leftovers of an interrupted run that no allocation file accounts for: netns hbnb-* and
# veths hbnb-v*. Prints what it removes on stderr.
net_clean_stale() {
  local netns veth
  # Veths before namespaces, for the reason given in net_down.
  while read -r veth; do
    log "removing stale veth $veth"
    ip link delete "$veth"
  done < <(ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep '^hbnb-v' || true)
  while read -r netns _; do
    [[ $netns == hbnb-* ]] || continue
    log "removing stale netns $netns"
    # Anything still running inside would keep the namespace alive.
    ip netns pids "$netns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns delete "$netns"
  done < <(ip netns list)
  rm -f "$NET_DIR"/*.env
}
