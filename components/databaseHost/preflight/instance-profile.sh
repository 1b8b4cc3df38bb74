#!/usr/bin/env bash
# instance-profile.sh: a database host's first step (DatabaseHost `<name>-instance-profile`), run as
# root over SSH before any other step on the host. The host is an EC2 instance this stack does not
# own, so the stack cannot attach the instance profile it makes (DatabaseHostIam); every later step
# needs it (configure-postgres.sh reads the roles' secrets, pgBackRest writes to both buckets, the
# timers publish metrics), so this step checks it and, when it is missing or another, stops the
# host's later steps with the command that fixes it.
#   - IMDSv2: a session token from `PUT /latest/api/token` (header
#     X-aws-ec2-metadata-token-ttl-seconds), sent as X-aws-ec2-metadata-token on every GET
#     (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html);
#   - `GET /latest/meta-data/iam/info`: "If there is an IAM role associated with the instance,
#     contains information about the last time the instance profile was updated, including the
#     instance's LastUpdated date, InstanceProfileArn, and InstanceProfileId. Otherwise, not
#     present." (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html),
#     so 404 means no profile;
#   - `GET /latest/meta-data/instance-id`, for the command that fixes it
#     (`aws ec2 associate-iam-instance-profile`, or `replace-iam-instance-profile-association` when
#     another profile is attached: an instance has at most one).
# Settings (assigned before this text by components/databaseHost/preflight.ts): PREFLIGHT_HOST
# (the step's name and SSH address, for messages), PREFLIGHT_REGION (the instance's region),
# EXPECTED_INSTANCE_PROFILE_ARN.
# Exit 0: the instance carries the expected profile; 1: none, or another (the message says what to
# run); 2: the instance metadata service does not answer; 64: a setting is missing.
set -euo pipefail

readonly IMDS=http://169.254.169.254

die() {
  local code="$1"
  shift
  printf 'instance-profile: ERROR: %s\n' "$*" >&2
  exit "$code"
}

for name in PREFLIGHT_HOST PREFLIGHT_REGION EXPECTED_INSTANCE_PROFILE_ARN; do
  [[ -n "${!name:-}" ]] || die 64 "setting $name is missing or empty"
done
[[ "$EXPECTED_INSTANCE_PROFILE_ARN" =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/.+$ ]] ||
  die 64 "EXPECTED_INSTANCE_PROFILE_ARN='$EXPECTED_INSTANCE_PROFILE_ARN' is not an instance profile ARN (arn:aws:iam::<account>:instance-profile/<name>)"
expected_name="${EXPECTED_INSTANCE_PROFILE_ARN##*/}"

body=$(mktemp)
trap 'rm -f "$body"' EXIT

token=$(curl --silent --show-error --fail --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token") ||
  die 2 "$PREFLIGHT_HOST: the instance metadata service ($IMDS) gave no IMDSv2 token: is this an EC2 instance with its metadata endpoint on? (aws ec2 modify-instance-metadata-options --region $PREFLIGHT_REGION --instance-id <id> --http-endpoint enabled). The host needs its instance profile $EXPECTED_INSTANCE_PROFILE_ARN"

# metadata PATH: the HTTP status of GET PATH; its body in $body.
metadata() {
  curl --silent --output "$body" --write-out '%{http_code}' --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1" || true
}

status=$(metadata instance-id)
[[ "$status" == "200" ]] || die 2 "$PREFLIGHT_HOST: the instance metadata service answered $status to GET /latest/meta-data/instance-id"
instance_id=$(<"$body")

status=$(metadata iam/info)
case "$status" in
  200)
    pattern='"InstanceProfileArn"[[:space:]]*:[[:space:]]*"([^"]+)"'
    [[ "$(<"$body")" =~ $pattern ]] || die 2 "$PREFLIGHT_HOST ($instance_id): iam/info holds no InstanceProfileArn: $(<"$body")"
    found="${BASH_REMATCH[1]}"
    if [[ "$found" == "$EXPECTED_INSTANCE_PROFILE_ARN" ]]; then
      printf 'instance-profile: %s (%s) carries the instance profile %s\n' "$PREFLIGHT_HOST" "$instance_id" "$found"
      exit 0
    fi
    die 1 "$PREFLIGHT_HOST ($instance_id) carries the instance profile $found, not the stack's $EXPECTED_INSTANCE_PROFILE_ARN: nothing else runs on this host. Replace it, then run pulumi up again:
  aws ec2 describe-iam-instance-profile-associations --region $PREFLIGHT_REGION --filters Name=instance-id,Values=$instance_id --query 'IamInstanceProfileAssociations[0].AssociationId' --output text
  aws ec2 replace-iam-instance-profile-association --region $PREFLIGHT_REGION --association-id <the id printed above> --iam-instance-profile Name=$expected_name"
    ;;
  404)
    die 1 "$PREFLIGHT_HOST ($instance_id) has no instance profile; the stack's is $EXPECTED_INSTANCE_PROFILE_ARN: nothing else runs on this host. Attach it, then run pulumi up again:
  aws ec2 associate-iam-instance-profile --region $PREFLIGHT_REGION --instance-id $instance_id --iam-instance-profile Name=$expected_name"
    ;;
  *)
    die 2 "$PREFLIGHT_HOST ($instance_id): the instance metadata service answered $status to GET /latest/meta-data/iam/info"
    ;;
esac
