/**
 * The database host's preflight scripts (components/databaseHost/preflight/*.sh), run as the
 * stack runs them (`bash -s`, settings before the text: preflight.ts) against stand-ins for the
 * instance metadata service (`curl`) and Secrets Manager (`aws`) put first on PATH; real EC2 and
 * AWS cannot be reached here. Each stand-in answers as the documented API does (cited in the scripts).
 * The AWS CLI's side of it (the JMESPath queries and their `--output text` / `json` printing:
 * `AWSCURRENT`, `None`, `Failed<TAB>message`) was checked by hand against AWS CLI 1.45.11 with a
 * stand-in Secrets Manager endpoint (`AWS_ENDPOINT_URL`); CI has no AWS CLI, so no test runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { instanceProfileCheckScript, secretReplicaWaitScript } from "../components/databaseHost/preflight";

const scratch = mkdtempSync(join(tmpdir(), "host-preflight-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

/** Runs `script` with `bash -s` and the stand-ins in a fresh folder; `env` configures them. */
function run(script: string, stands: Record<string, string>, env: Record<string, string>) {
  const dir = join(scratch, `run-${++runs}`);
  const bin = join(dir, "bin");
  spawnSync("mkdir", ["-p", bin]);
  for (const [name, text] of Object.entries(stands)) writeFileSync(join(bin, name), text, { mode: 0o755 });
  const calls = join(dir, "calls");
  writeFileSync(calls, "");
  const result = spawnSync("/bin/bash", ["-s"], { input: script, encoding: "utf8", timeout: 60_000, env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_CALLS: calls, FAKE_DIR: dir, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls: readFileSync(calls, "utf8").trim().split("\n").filter(Boolean) };
}

/**
 * The instance metadata service behind `curl`: IMDSv2 (a token from PUT /latest/api/token, required
 * as X-aws-ec2-metadata-token on each GET, else 401), instance-id, and iam/info when FAKE_PROFILE_ARN
 * is set (404 otherwise, as for an instance without a profile). FAKE_IMDS=down: nothing answers.
 */
const fakeCurl = String.raw`#!/usr/bin/env bash
method=GET output=/dev/stdout format="" url="" token=""
while (($#)); do
  case "$1" in
    -X) method="$2"; shift ;;
    -H) [[ "$2" == X-aws-ec2-metadata-token:* ]] && token="${"$"}{2#X-aws-ec2-metadata-token: }"; shift ;;
    --output) output="$2"; shift ;;
    --write-out) format="$2"; shift ;;
    --max-time) shift ;;
    -*) ;;
    *) url="$1" ;;
  esac
  shift
done
echo "curl $method $url" >>"$FAKE_CALLS"
[[ "${"$"}{FAKE_IMDS:-up}" == down ]] && { echo "curl: (7) Failed to connect to 169.254.169.254 port 80" >&2; exit 7; }
answer() { printf '%s' "$2" >"$output"; [[ -n "$format" ]] && printf '%s' "$1"; [[ "$1" == 200 || -n "$format" ]]; }
if [[ "$method" == PUT && "$url" == http://169.254.169.254/latest/api/token ]]; then answer 200 "AQAEAtoken"; exit; fi
[[ "$token" == AQAEAtoken ]] || { answer 401 ""; exit; }
case "${"$"}{url#http://169.254.169.254/latest/meta-data/}" in
  instance-id) answer 200 i-0abc1234def567890 ;;
  iam/info) if [[ -n "${"$"}{FAKE_PROFILE_ARN:-}" ]]; then
      answer 200 "{
  \"Code\" : \"Success\",
  \"LastUpdated\" : \"2026-12-07T12:00:00Z\",
  \"InstanceProfileArn\" : \"$FAKE_PROFILE_ARN\",
  \"InstanceProfileId\" : \"AIPAEXAMPLE\"
}"
    else answer 404 "<title>404 - Not Found</title>"; fi ;;
  *) answer 404 "" ;;
esac
`;

const expected = "arn:aws:iam::123456789012:instance-profile/database-host-iam-primary-profile-1a2b3c4";
const profileCheck = instanceProfileCheckScript({ host: "database-host-primary (db-use1.ops.crazy-gary.app)", region: "us-east-1", expectedArn: expected });
const checkProfile = (env: Record<string, string>) => run(profileCheck, { curl: fakeCurl }, env);

describe("instance-profile.sh: the host's first step", () => {
  it("passes, exit 0, when iam/info shows the stack's instance profile, asked with an IMDSv2 token", () => {
    const result = checkProfile({ FAKE_PROFILE_ARN: expected });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`instance-profile: database-host-primary (db-use1.ops.crazy-gary.app) (i-0abc1234def567890) carries the instance profile ${expected}\n`);
    expect(result.calls).toEqual([
      "curl PUT http://169.254.169.254/latest/api/token",
      "curl GET http://169.254.169.254/latest/meta-data/instance-id",
      "curl GET http://169.254.169.254/latest/meta-data/iam/info",
    ]);
  });

  it("fails, exit 1, when the instance has no profile: names the host, the instance, the expected profile and the associate command", () => {
    const result = checkProfile({});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        `instance-profile: ERROR: database-host-primary (db-use1.ops.crazy-gary.app) (i-0abc1234def567890) has no instance profile; the stack's is ${expected}: nothing else runs on this host. Attach it, then run pulumi up again:`,
        "  aws ec2 associate-iam-instance-profile --region us-east-1 --instance-id i-0abc1234def567890 --iam-instance-profile Name=database-host-iam-primary-profile-1a2b3c4",
        "",
      ].join("\n"),
    );
  });

  it("fails, exit 1, when the instance carries another profile: names both and the replace commands", () => {
    const other = "arn:aws:iam::123456789012:instance-profile/legacy-db";
    const result = checkProfile({ FAKE_PROFILE_ARN: other });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database-host-primary (db-use1.ops.crazy-gary.app) (i-0abc1234def567890) carries the instance profile ${other}, not the stack's ${expected}: nothing else runs on this host.`);
    expect(result.stderr).toContain("aws ec2 describe-iam-instance-profile-associations --region us-east-1 --filters Name=instance-id,Values=i-0abc1234def567890");
    expect(result.stderr).toContain("aws ec2 replace-iam-instance-profile-association --region us-east-1 --association-id <the id printed above> --iam-instance-profile Name=database-host-iam-primary-profile-1a2b3c4");
  });

  it("fails, exit 2, when the instance metadata service does not answer (not EC2, or its endpoint off)", () => {
    const result = checkProfile({ FAKE_IMDS: "down" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("instance-profile: ERROR: database-host-primary (db-use1.ops.crazy-gary.app): the instance metadata service (http://169.254.169.254) gave no IMDSv2 token");
    expect(result.stderr).toContain(`The host needs its instance profile ${expected}`);
  });

  it("refuses, exit 64, an expected value that is not an instance profile ARN, before asking anything", () => {
    const script = instanceProfileCheckScript({ host: "h", region: "us-east-1", expectedArn: "arn:aws:iam::123456789012:role/not-a-profile" });
    const result = run(script, { curl: fakeCurl }, {});
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("EXPECTED_INSTANCE_PROFILE_ARN='arn:aws:iam::123456789012:role/not-a-profile' is not an instance profile ARN");
    expect(result.calls).toEqual([]);
  });
});

/**
 * Secrets Manager behind `aws`, for one secret `crazy-gary/prod/postgres/monitor` at home in
 * us-east-1, replicated to us-west-2. The replica (DescribeSecret in us-west-2) lists version
 * FAKE_VERSION as AWSCURRENT from its FAKE_READY_AFTER-th look on (0: never; before that it does not
 * exist yet: ResourceNotFoundException); its current version otherwise is "v-old". The primary's
 * ReplicationStatus for us-west-2 is FAKE_HOME ("InProgress", "InSync", "Failed", or "down": the
 * region does not answer), with FAKE_HOME_MESSAGE.
 */
const fakeAws = String.raw`#!/usr/bin/env bash
region="" secret="" query="" output=""
service="$1" op="$2"; shift 2
while (($#)); do
  case "$1" in --region) region="$2" ;; --secret-id) secret="$2" ;; --query) query="$2" ;; --output) output="$2" ;; esac
  shift 2
done
echo "aws $service $op $region $secret $query" >>"$FAKE_CALLS"
[[ "$service $op" == "secretsmanager describe-secret" ]] || { echo "unexpected call: $service $op" >&2; exit 255; }
if [[ "$region" == us-east-1 ]]; then
  [[ "$FAKE_HOME" == down ]] && { echo "Could not connect to the endpoint URL: https://secretsmanager.us-east-1.amazonaws.com/" >&2; exit 255; }
  [[ "$query" == "ReplicationStatus[?Region=='us-west-2'] | [0].[Status, StatusMessage]" ]] || { echo "unexpected query $query" >&2; exit 255; }
  printf '%s\t%s\n' "$FAKE_HOME" "${"$"}{FAKE_HOME_MESSAGE:-None}"
  exit 0
fi
if [[ "${"$"}{FAKE_REPLICA_DENIED:-no}" == yes ]]; then
  echo "An error occurred (AccessDeniedException) when calling the DescribeSecret operation: User: arn:aws:sts::123456789012:assumed-role/database-host-iam-secondary-role/i-0abc is not authorized to perform: secretsmanager:DescribeSecret" >&2
  exit 254
fi
looks=$(($(cat "$FAKE_DIR/looks" 2>/dev/null || echo 0) + 1))
[[ "$query" == VersionIdsToStages ]] || echo "$looks" >"$FAKE_DIR/looks"
ready=$((FAKE_READY_AFTER > 0 && looks >= FAKE_READY_AFTER))
if ((!ready)) && [[ "${"$"}{FAKE_REPLICA_EXISTS:-no}" == no ]]; then
  echo "An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret." >&2
  exit 254
fi
if [[ "$query" == VersionIdsToStages && "$output" == json ]]; then
  if ((ready)); then printf '{\n    "v-old": [\n        "AWSPREVIOUS"\n    ],\n    "%s": [\n        "AWSCURRENT"\n    ]\n}\n' "$FAKE_VERSION"; else printf '{\n    "v-old": [\n        "AWSCURRENT"\n    ]\n}\n'; fi
  exit 0
fi
[[ "$query" == "VersionIdsToStages.\"$FAKE_VERSION\"" ]] || { echo "unexpected query $query" >&2; exit 255; }
if ((ready)); then echo AWSCURRENT; else echo None; fi
`;

const version = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
const waitScript = (waitSeconds: number) =>
  secretReplicaWaitScript({
    host: "database-host-secondary (db-usw2.ops.crazy-gary.app)",
    region: "us-west-2",
    homeRegion: "us-east-1",
    secrets: [{ name: "crazy-gary/prod/postgres/monitor", versionId: version }],
    waitSeconds,
    pollSeconds: 0.05,
  });
const wait = (env: Record<string, string>, waitSeconds = 60) => run(waitScript(waitSeconds), { aws: fakeAws }, { FAKE_VERSION: version, FAKE_READY_AFTER: "1", FAKE_HOME: "InSync", ...env });
const replicaLook = `aws secretsmanager describe-secret us-west-2 crazy-gary/prod/postgres/monitor VersionIdsToStages."${version}"`;
const homeLook = "aws secretsmanager describe-secret us-east-1 crazy-gary/prod/postgres/monitor ReplicationStatus[?Region=='us-west-2'] | [0].[Status, StatusMessage]";

describe("secret-replicas.sh: a host reads a replica only once it holds the version pulumi up wrote", () => {
  it("passes at once, exit 0, when the replica holds the version, asking nothing of the home region (its outage cannot stop the step)", () => {
    const result = wait({ FAKE_HOME: "down" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`secret-replicas: database-host-secondary (db-usw2.ops.crazy-gary.app): the replica of crazy-gary/prod/postgres/monitor in us-west-2 holds version ${version} (AWSCURRENT)\n`);
    expect(result.calls).toEqual([replicaLook]);
  });

  it("waits while the replica is being created (InProgress), then passes, exit 0", () => {
    const result = wait({ FAKE_READY_AFTER: "4", FAKE_HOME: "InProgress" });
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([replicaLook, homeLook, replicaLook, homeLook, replicaLook, homeLook, replicaLook]);
  });

  it("waits for a new version to reach an existing replica (it still holds the old one), then passes", () => {
    const result = wait({ FAKE_READY_AFTER: "3", FAKE_REPLICA_EXISTS: "yes", FAKE_HOME: "InSync" });
    expect(result.code).toBe(0);
    expect(result.calls.filter((c) => c === replicaLook)).toHaveLength(3);
  });

  it("stops at once, exit 1, when the home region says the replication Failed, with its StatusMessage and the fix", () => {
    const result = wait({ FAKE_READY_AFTER: "0", FAKE_HOME: "Failed", FAKE_HOME_MESSAGE: "Secret with this name already exists in this region" });
    expect(result.code).toBe(1);
    expect(result.calls).toEqual([replicaLook, homeLook]);
    expect(result.stderr).toBe(
      "secret-replicas: ERROR: database-host-secondary (db-usw2.ops.crazy-gary.app): replicating crazy-gary/prod/postgres/monitor to us-west-2 failed (us-east-1 says: Secret with this name already exists in this region); nothing on this host read it. Fix the cause; when a secret of that name already exists in us-west-2, overwrite it with the replica: aws secretsmanager replicate-secret-to-regions --region us-east-1 --secret-id crazy-gary/prod/postgres/monitor --add-replica-regions Region=us-west-2 --force-overwrite-replica-secret; then run pulumi up again\n",
    );
  });

  it("gives up, exit 2, after its bound, naming the expected and the replica's current version and what the home region said", () => {
    const result = wait({ FAKE_READY_AFTER: "0", FAKE_REPLICA_EXISTS: "yes", FAKE_HOME: "InSync" }, 1);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `secret-replicas: ERROR: database-host-secondary (db-usw2.ops.crazy-gary.app): the replica of crazy-gary/prod/postgres/monitor in us-west-2 does not hold version ${version} (the one pulumi up wrote) as AWSCURRENT after 1 s (its current version: v-old; us-east-1 says InSync). Nothing on this host read it. Check: aws secretsmanager describe-secret --region us-east-1 --secret-id crazy-gary/prod/postgres/monitor --query ReplicationStatus; then run pulumi up again\n`,
    );
  });

  it("with the home region down and no replica yet, waits out its bound and says so, exit 2", () => {
    const result = wait({ FAKE_READY_AFTER: "0", FAKE_HOME: "down" }, 1);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "(its current version: none (no replica answers in us-west-2); us-east-1 did not answer; us-west-2 answered: An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret.)",
    );
  });

  it("says what the replica's region answered when the host may not describe it (a missing IAM right), exit 2", () => {
    const result = wait({ FAKE_REPLICA_DENIED: "yes", FAKE_HOME: "InSync" }, 1);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "us-east-1 says InSync; us-west-2 answered: An error occurred (AccessDeniedException) when calling the DescribeSecret operation: User: arn:aws:sts::123456789012:assumed-role/database-host-iam-secondary-role/i-0abc is not authorized to perform: secretsmanager:DescribeSecret)",
    );
  });

  it("refuses, exit 64, a malformed entry before any call", () => {
    const script = secretReplicaWaitScript({ host: "h", region: "us-west-2", homeRegion: "us-east-1", secrets: [{ name: "a secret", versionId: "v" }], waitSeconds: 10, pollSeconds: 1 });
    const result = run(script, { aws: fakeAws }, {});
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("SECRET_VERSIONS entry 'a' is not <secret name>=<version id>");
    expect(result.calls).toEqual([]);
  });

  it("is never built for a host in the secrets' home region", () => {
    expect(() => secretReplicaWaitScript({ host: "h", region: "us-east-1", homeRegion: "us-east-1", secrets: [{ name: "s", versionId: "v" }], waitSeconds: 10, pollSeconds: 1 })).toThrow(
      "secretReplicaWaitScript: h is in us-east-1, the secrets' home region; it reads no replica",
    );
  });
});
