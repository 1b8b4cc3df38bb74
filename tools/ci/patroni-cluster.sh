#!/usr/bin/env bash
# Prints Patroni's GET /cluster body (the DCS's view: which member leads, in which state), asked
# over SSH of the first database host that answers among the region ROLEs given, in order:
#   tools/ci/patroni-cluster.sh STACK ROLE [ROLE...]
# The REST API admits only Route53's health checkers from outside (docs/guides/failover-workflow.md),
# so the request is made on the host itself. Needs PULUMI_ORG, a logged-in Pulumi CLI (the SSH key
# is the stack secret databaseSecrets.<role>.sshPrivateKey) and python3 on the host (Patroni's own
# runtime). PATRONI_REST_API_PORT: the REST port (default 8008, patroni.restApiPort).
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: tools/ci/patroni-cluster.sh STACK ROLE [ROLE...]" >&2
  exit 2
fi
stack=$1
shift
port=${PATRONI_REST_API_PORT:-8008}
key=$(mktemp)
trap 'rm -f "$key"' EXIT
fetch="import ssl, sys, urllib.request as u; sys.stdout.write(u.urlopen('https://127.0.0.1:$port/cluster', context=ssl._create_unverified_context(), timeout=5).read().decode())"
for role in "$@"; do
  describe=$(npm run -s flip:state -- --stack "$stack" --target "$role" --describe)
  target=$(sed -n 's/^target_ssh=//p' <<<"$describe")
  ssh_port=$(sed -n 's/^target_ssh_port=//p' <<<"$describe")
  pulumi config get --path "databaseSecrets.$role.sshPrivateKey" --stack "$PULUMI_ORG/$stack" > "$key"
  if ssh -i "$key" -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new "$target" "python3 -c \"$fetch\""; then
    exit 0
  fi
  echo "patroni-cluster.sh: $role ($target) did not answer; trying the next region" >&2
done
echo "patroni-cluster.sh: no database host of $stack answered ($*)" >&2
exit 1
