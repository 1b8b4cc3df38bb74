#!/usr/bin/env bash
# secret-replicas.sh: run as root over SSH on a database host whose region holds REPLICAS of the
# secrets it reads (DatabaseHost `<name>-secret-replicas`), before configure-postgres.sh reads them
# there. Waits, bounded, until the replica in this region holds the version the stack just wrote.
#   - CreateSecret and ReplicateSecretToRegions return before the replicas exist: their answer's
#     ReplicationStatus lists each replica as "InProgress, which indicates that Secrets Manager is
#     in the process of creating the replica", "InSync, which indicates that the replica was
#     created" or "Failed, which indicates that the replica was not created"
#     (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html,
#     API_ReplicationStatusType.html: Status InSync | Failed | InProgress, StatusMessage such as
#     "Secret with this name already exists in this region"). DescribeSecret on the primary
#     returns the same list (API_DescribeSecret.html: ReplicationStatus). A new value
#     (PutSecretValue, a new password) "propagates to all of the associated replica secrets"
#     (https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html), later.
#   - Ready: DescribeSecret on the replica, in this region, lists the expected version id with the
#     AWSCURRENT stage (VersionIdsToStages). That a replica keeps its primary's version ids is
#     relied on but not stated in the AWS documentation found: a guess. Were it wrong, this step
#     would time out naming both the expected id and the replica's current one.
#   - Only while not ready does it ask the primary's region (DescribeSecret's ReplicationStatus for
#     this region): Failed stops at once with its StatusMessage (common causes: a secret of that
#     name already in the region, to overwrite; no KMS rights to re-encrypt for the replica:
#     https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets_troubleshoot.html). When the primary's region does not
#     answer (its outage) it keeps waiting on the replica alone: a ready replica needs nothing from
#     the other region (static stability, docs/architecture/README.md).
# Settings (assigned before this text by components/databaseHost/preflight.ts): PREFLIGHT_HOST,
# SECRETS_REGION (this host's region, where the replicas are), SECRETS_HOME_REGION (the primary
# secrets' region), SECRET_VERSIONS ("name=versionId ..."), WAIT_SECONDS (the bound), POLL_SECONDS.
# Exit 0: every replica ready; 1: a replica's replication Failed; 2: not ready within WAIT_SECONDS;
# 64: a setting is missing or malformed.
set -euo pipefail

die() {
  local code="$1"
  shift
  printf 'secret-replicas: ERROR: %s\n' "$*" >&2
  exit "$code"
}

for name in PREFLIGHT_HOST SECRETS_REGION SECRETS_HOME_REGION SECRET_VERSIONS WAIT_SECONDS POLL_SECONDS; do
  [[ -n "${!name:-}" ]] || die 64 "setting $name is missing or empty"
done
[[ "$WAIT_SECONDS" =~ ^[0-9]+$ ]] || die 64 "WAIT_SECONDS='$WAIT_SECONDS' is not a whole number of seconds"
[[ "$POLL_SECONDS" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die 64 "POLL_SECONDS='$POLL_SECONDS' is not a number of seconds"

# The AWS CLI's last error from the replica's region (for the timeout's message: not yet
# replicated, or a missing right).
replica_error=$(mktemp)
trap 'rm -f "$replica_error"' EXIT

# The replica's stages of VERSION in this region ("AWSCURRENT", "None" when it lacks the version),
# empty when the replica does not exist yet or does not answer.
replica_stages() {
  aws secretsmanager describe-secret --region "$SECRETS_REGION" --secret-id "$1" \
    --query "VersionIdsToStages.\"$2\"" --output text 2>"$replica_error" || true
}

# The replica's current (AWSCURRENT) version id, for the timeout's message (DescribeSecret only:
# the one right the host has on the secrets beside GetSecretValue).
replica_current() {
  local stages pattern='"([A-Za-z0-9_-]+)"[[:space:]]*:[[:space:]]*\[[^]]*"AWSCURRENT"'
  stages=$(aws secretsmanager describe-secret --region "$SECRETS_REGION" --secret-id "$1" --query VersionIdsToStages --output json 2>/dev/null || true)
  if [[ "$stages" =~ $pattern ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
  else
    printf 'none (no replica answers in %s)\n' "$SECRETS_REGION"
  fi
}

# "Status<TAB>StatusMessage" of this region's replica, as the primary's region says; empty when it
# does not answer.
home_status() {
  aws secretsmanager describe-secret --region "$SECRETS_HOME_REGION" --secret-id "$1" \
    --query "ReplicationStatus[?Region=='$SECRETS_REGION'] | [0].[Status, StatusMessage]" --output text 2>/dev/null || true
}

start=$SECONDS
for entry in $SECRET_VERSIONS; do
  secret="${entry%%=*}"
  version="${entry#*=}"
  [[ "$secret" =~ ^[A-Za-z0-9/_+=.@-]+$ && "$version" =~ ^[A-Za-z0-9_-]+$ && "$entry" == *=* ]] ||
    die 64 "SECRET_VERSIONS entry '$entry' is not <secret name>=<version id>"
  said=""
  until [[ "$(replica_stages "$secret" "$version")" =~ (^|[[:space:]])AWSCURRENT($|[[:space:]]) ]]; do
    status=$(home_status "$secret")
    case "$status" in
      Failed*)
        reason="${status#Failed}"
        die 1 "$PREFLIGHT_HOST: replicating $secret to $SECRETS_REGION failed ($SECRETS_HOME_REGION says: ${reason#$'\t'}); nothing on this host read it. Fix the cause; when a secret of that name already exists in $SECRETS_REGION, overwrite it with the replica: aws secretsmanager replicate-secret-to-regions --region $SECRETS_HOME_REGION --secret-id $secret --add-replica-regions Region=$SECRETS_REGION --force-overwrite-replica-secret; then run pulumi up again"
        ;;
      "") said="$SECRETS_HOME_REGION did not answer" ;;
      *) said="$SECRETS_HOME_REGION says ${status%%$'\t'*}" ;;
    esac
    if ((SECONDS - start >= WAIT_SECONDS)); then
      answered=""
      last_error=$(tr -s '\n' ' ' <"$replica_error")
      if [[ -n "$last_error" ]]; then
        answered="; $SECRETS_REGION answered: ${last_error% }"
      fi
      die 2 "$PREFLIGHT_HOST: the replica of $secret in $SECRETS_REGION does not hold version $version (the one pulumi up wrote) as AWSCURRENT after ${WAIT_SECONDS} s (its current version: $(replica_current "$secret"); $said$answered). Nothing on this host read it. Check: aws secretsmanager describe-secret --region $SECRETS_HOME_REGION --secret-id $secret --query ReplicationStatus; then run pulumi up again"
    fi
    sleep "$POLL_SECONDS"
  done
  printf 'secret-replicas: %s: the replica of %s in %s holds version %s (AWSCURRENT)\n' "$PREFLIGHT_HOST" "$secret" "$SECRETS_REGION" "$version"
done
