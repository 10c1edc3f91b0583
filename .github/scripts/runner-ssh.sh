#!/usr/bin/env bash
# SSH for the GitHub runner that runs `pulumi up` (.github/workflows/main.yml; README, "CI").
# The runner's address is in no admin range, so the job opens SSH to that one address for its
# own duration and closes it whatever happens:
#   runner-ssh.sh open STACK          adds the runner's IPv4 address (/32) to the stack's
#                                     adminCidrs in this checkout only (never committed); the `up`
#                                     that follows creates its SSH rule like any admin's: before the
#                                     first SSH step, and checked by the policy pack
#   runner-ssh.sh close STACK CIDR    revokes that rule in AWS (one API call, whatever state the
#                                     `up` left Pulumi in), then refreshes it out of the stack's state
# Needs the Pulumi CLI (logged in), AWS credentials, curl and jq. `open` writes `cidr=...` to
# $GITHUB_OUTPUT: empty when the address was already an admin's (then nothing is closed).
set -euo pipefail

usage() {
  echo "usage: $0 open STACK | close STACK CIDR" >&2
  exit 2
}

# The tags every resource of the stack carries (index.ts): they find the stack's rules in AWS.
stack_filters() {
  printf '%s\n' "Name=tag:Project,Values=hbnb-stack" "Name=tag:hbnb-stack:stack,Values=$1"
}

open_ssh() {
  local stack=$1 ip cidr current n
  # AWS's own address echo (the README's too): the deploy trusts AWS already, and no third
  # party learns of the run. It answers with the IPv4 address the SSH connections leave from.
  ip=$(curl --fail --silent --show-error --max-time 20 --retry 3 https://checkip.amazonaws.com | tr -d '[:space:]')
  if ! [[ $ip =~ ^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$ ]]; then
    echo "runner-ssh: checkip.amazonaws.com answered '$ip', not an IPv4 address; SSH stays closed" >&2
    exit 1
  fi
  cidr="$ip/32"
  # `config get --json` prints {"value": ..., "objectValue": [...], "secret": false} for a list.
  # Only "not found" means an empty list: on any other failure, appending at index 0 would
  # overwrite an admin's address.
  local got err
  err=$(mktemp)
  if got=$(pulumi config get adminCidrs --json --stack "$stack" 2>"$err"); then
    current=$(jq -c '.objectValue // []' <<<"$got")
  elif grep -q "not found" "$err"; then
    current='[]'
  else
    echo "runner-ssh: cannot read adminCidrs of stack $stack: $(cat "$err")" >&2
    rm -f "$err"
    exit 1
  fi
  rm -f "$err"
  if jq -e --arg cidr "$cidr" 'index($cidr) != null' <<<"$current" >/dev/null; then
    # An admin's own rule: closing it after the run would lock that admin out.
    echo "unchanged: $cidr is already in adminCidrs; nothing to close after the up"
    cidr=""
  else
    n=$(jq length <<<"$current")
    # --path with the index one past the end appends to the list (the CLI stores a real list).
    pulumi config set --stack "$stack" --path "adminCidrs[$n]" "$cidr"
    echo "changed: adminCidrs[$n] = $cidr in this checkout's Pulumi.$stack.yaml (this run only)"
  fi
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then echo "cidr=$cidr" >>"$GITHUB_OUTPUT"; fi
}

close_ssh() {
  local stack=$1 cidr=$2 region rules group rule urn revoked=0
  local -a urns
  if [[ -z $cidr ]]; then
    echo "unchanged: no SSH rule was opened for this runner"
    return 0
  fi
  # The stack's region, so the rule is looked for where `up` made it.
  region=$(pulumi config get aws:region --stack "$stack" 2>/dev/null) || region=${AWS_REGION:-}
  local -a where=() filters
  if [[ -n $region ]]; then where=(--region "$region"); fi
  mapfile -t filters < <(stack_filters "$stack")
  if ! rules=$(aws ec2 describe-security-group-rules "${where[@]}" --filters "${filters[@]}" --output json |
    jq -r --arg cidr "$cidr" '.SecurityGroupRules[] | select(.IsEgress == false and .CidrIpv4 == $cidr) | "\(.GroupId) \(.SecurityGroupRuleId)"'); then
    echo "::error::could not list the stack's security group rules: SSH from $cidr may still be open; revoke it by hand"
    exit 1
  fi
  while read -r group rule; do
    [[ -n $rule ]] || continue
    if ! aws ec2 revoke-security-group-ingress "${where[@]}" --group-id "$group" --security-group-rule-ids "$rule" >/dev/null; then
      echo "::error::could not revoke $rule (SSH from $cidr) in $group; revoke it by hand"
      exit 1
    fi
    echo "changed: revoked $rule (SSH from $cidr) in $group"
    revoked=$((revoked + 1))
  done <<<"$rules"
  if [[ $revoked -eq 0 ]]; then echo "unchanged: no rule for $cidr in AWS (the up did not get to create it)"; fi

  # The rule is gone from AWS but still in the stack's state: a targeted refresh drops it (and
  # the instances' dependencies on it), so an admin's next preview shows no change. If the state
  # is busy, the next `up --refresh` does the same.
  local state
  if ! state=$(pulumi stack export --stack "$stack"); then
    echo "::warning::could not read the state of stack $stack; the next up's --refresh drops the revoked rule from it"
    return 0
  fi
  mapfile -t urns < <(jq -r --arg cidr "$cidr" '.deployment.resources[]? | select(.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" and .outputs.cidrIpv4 == $cidr) | .urn' <<<"$state")
  for urn in "${urns[@]}"; do
    if pulumi refresh --stack "$stack" --yes --skip-preview --target "$urn"; then
      echo "changed: $urn refreshed out of the state"
    else
      echo "::warning::$urn stays in the state until the next up (its --refresh drops it); the rule itself is revoked"
    fi
  done
}

case "${1:-}" in
  open) [[ $# -eq 2 ]] || usage; open_ssh "$2" ;;
  close) [[ $# -eq 3 ]] || usage; close_ssh "$2" "$3" ;;
  *) usage ;;
esac
