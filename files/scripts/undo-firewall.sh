#!/usr/bin/env bash
# undo-firewall: takes out the ufw rules the firewall step added (SSH, 80 and 443, each with its
# comment; on the database host, MariaDB's port from each web server), as `pulumi destroy` does on a server the stack did not create. ufw goes back off only
# when no rule but the stack's is left: a firewall that was the stack's alone (a fresh server has
# ufw off) is off again, while one the owner also uses keeps running with the owner's rules, and
# then with the stack's SSH rule too, so that nobody is locked out. ufw's default policies are
# left alone: deny in, allow out are the package's own defaults.
set -euo pipefail
# shellcheck source=lib.sh
declare -F say >/dev/null || source "$(dirname "$0")/lib.sh"
need HBNB_SSH_PORT

if ! command -v ufw >/dev/null; then
  say "ufw is not installed: no rule to take out"
  finish
  exit 0
fi

# The rules as the firewall step adds them: `ufw show added` prints each as the command that
# added it (ufw allow 80/tcp comment 'http').
ssh_rule="ufw allow $HBNB_SSH_PORT/tcp comment 'ssh'"
web_rules=("ufw allow 80/tcp comment 'http'" "ufw allow 443/tcp comment 'https'")
added() { ufw show added 2>/dev/null | grep '^ufw ' || true; }

remove_rule() {
  local rule=$1 spec
  grep -qxF "$rule" <<<"$(added)" || return 0
  # The rule without "ufw " and its comment: what `ufw delete` matches.
  spec=${rule#ufw }
  spec=${spec% comment *}
  # shellcheck disable=SC2086 # "allow 80/tcp": two words, on purpose
  ufw delete $spec >/dev/null
  changed "removed the ufw rule: ${rule#ufw }"
}

for rule in "${web_rules[@]}"; do remove_rule "$rule"; done
# The database host's rules, one a web server (files/scripts/firewall.sh).
while IFS= read -r rule; do
  [[ -n $rule ]] && remove_rule "$rule"
done < <(added | grep "^ufw allow from \S* to any port 3306 proto tcp comment 'mariadb'$" || true)

others=$(added | grep -vxF "$ssh_rule" || true)
if [[ -z $others ]]; then
  # Off first, then the SSH rule: SSH is never blocked, not even for a moment.
  if ufw status | grep -q '^Status: active'; then
    ufw --force disable >/dev/null
    changed "disabled ufw (only the stack's rules were in it)"
  fi
  remove_rule "$ssh_rule"
  # ufw rewrites its rules files in full once it has had rules; with none left, they go back to
  # the package's templates, as the package's postinst copies them on a new install.
  for file in user.rules user6.rules; do
    template=/usr/share/ufw/iptables/$file
    if [[ -f $template ]] && ! cmp -s "$template" "/etc/ufw/$file"; then
      install -m 0640 "$template" "/etc/ufw/$file"
      changed "put back the package's /etc/ufw/$file (no rule left in it)"
    fi
  done
elif grep -qxF "$ssh_rule" <<<"$(added)"; then
  say "kept the ufw rule ${ssh_rule#ufw }: ufw has rules of its own and stays on; without it SSH could be locked out"
fi
finish
