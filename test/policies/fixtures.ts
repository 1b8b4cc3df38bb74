/**
 * A compliant stack, as the offline plan shows it, for the policy tests: two regions, each
 * with a WAL archive bucket (and its S3 settings resources), a database host whose commands
 * carry the rendered pgBackRest config, PostgreSQL settings and timers, the RPO alarms, one
 * alarm per runbook rollback row, encrypted topics, and health-checked failover records.
 * Every test changes one property of it.
 */
import { describe, expect, it } from "vitest";
import { alarmedRows } from "../../policies/coverage";
import { evaluatePolicies, type PlannedResource } from "../../policies/engine";
import { createPolicies } from "../../policies/policies";
import { alertPaging, backupCopy } from "./securityFixtures";

const project = "crazy-gary-dr";
export const urnOf = (type: string, name: string) => `urn:pulumi:test::${project}::${type}::${name}`;

interface Options {
  region?: string;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  propertyDependencies?: Record<string, string[]>;
}

export function resource(type: string, name: string, inputs: Record<string, unknown>, options: Options = {}): PlannedResource {
  return {
    urn: urnOf(type, name),
    type,
    name,
    region: options.region ?? null,
    parent: options.parent ?? null,
    inputs,
    options: { protect: options.protect ?? false, retainOnDelete: options.retainOnDelete ?? false, dependsOn: Object.values(options.propertyDependencies ?? {}).flat() },
    propertyDependencies: options.propertyDependencies ?? {},
  };
}

export const regions = { primary: "us-east-1", secondary: "us-west-2" } as const;
export const bucketNames = { primary: "crazy-gary-test-wal-us-east-1", secondary: "crazy-gary-test-wal-us-west-2" } as const;

/** The pgBackRest config a host carries: one S3 repository per region, full backups kept 30 days by time. */
export function pgbackrestConf(overrides: Record<string, string> = {}): string {
  const repo = (index: number, role: "primary" | "secondary") => [
    `repo${index}-type=s3`,
    `repo${index}-path=/pgbackrest`,
    `repo${index}-s3-bucket=${bucketNames[role]}`,
    `repo${index}-s3-region=${regions[role]}`,
    `repo${index}-s3-endpoint=s3.${regions[role]}.amazonaws.com`,
    `repo${index}-retention-full-type=time`,
    `repo${index}-retention-full=30`,
  ];
  const lines = ["[global]", "archive-async=y", "start-fast=y", "compress-type=zst", "", "[crazy-gary]", "pg1-path=/var/lib/postgresql/15/main", ...repo(1, "primary"), ...repo(2, "secondary")];
  const keys = new Set(Object.keys(overrides));
  return [...lines.filter((l) => !keys.has(l.split("=")[0])), ...Object.entries(overrides).map(([k, v]) => `${k}=${v}`)].join("\n");
}

export const timerText = (unit: string, onCalendar: string) =>
  `# ${unit}.timer\n[Unit]\nDescription=${unit} (${onCalendar})\n\n[Timer]\nOnCalendar=${onCalendar}\nPersistent=true\nUnit=${unit}.service\n\n[Install]\nWantedBy=timers.target\n`;

/** The files the stack writes onto a host, by path. */
export function hostFiles(): Record<string, string> {
  return {
    "/etc/pgbackrest/pgbackrest.conf": pgbackrestConf(),
    "/etc/crazy-gary-dr/dr.env": "DR_STANZA=crazy-gary\nDR_ARCHIVE_TIMEOUT_SECONDS=60\n",
    "/opt/crazy-gary-dr/bin/configure-postgres.sh":
      "#!/usr/bin/env bash\nset -euo pipefail\narchive_command=\"pgbackrest --stanza=$DR_STANZA archive-push %p\"\npsql -v command=\"$archive_command\" <<'SQL'\nALTER SYSTEM SET archive_command = :'command';\nSQL\n",
    "/etc/systemd/system/crazy-gary-backup-full.timer": timerText("crazy-gary-backup-full", "*-*-* 02:00:00 UTC"),
    "/etc/systemd/system/crazy-gary-backup-incr.timer": timerText("crazy-gary-backup-incr", "*-*-* 00/6:00:00 UTC"),
    "/etc/systemd/system/crazy-gary-monitor.timer": timerText("crazy-gary-monitor", "*-*-* *:00/5:00 UTC"),
    "/etc/systemd/system/crazy-gary-heartbeat.timer": timerText("crazy-gary-heartbeat", "*-*-* *:*:00 UTC"),
  };
}

/** One script writing every file through a heredoc, as the DatabaseHost component ships them. */
export function filesScript(files: Record<string, string>): string {
  return ["set -euo pipefail", ...Object.entries(files).map(([path, content], i) => `cat >"$tmp" <<'FILE_EOF_${i}'\n${content}\nFILE_EOF_${i}\ninstall -m 0644 "$tmp" '${path}'`)].join("\n");
}

/** Replaces one file the host's files script writes; returns the host's URN. */
export function setHostFile(plan: readonly PlannedResource[], role: "primary" | "secondary", path: string, content: string): string {
  const command = plan.find((r) => r.name === `db-${role}-files`)!;
  const script = String(command.inputs.stdin);
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const file = new RegExp(`(<<'(FILE_EOF_\\d+)'\\n)[\\s\\S]*?(\\n\\2\\ninstall -m 0644 "\\$tmp" '${escaped}')`);
  if (!file.test(script)) throw new Error(`fixture writes no file ${path}`);
  command.inputs.stdin = script.replace(file, (_m, start: string, _d: string, end: string) => `${start}${content}${end}`);
  return command.parent!;
}

function databaseHost(role: "primary" | "secondary"): PlannedResource[] {
  const host = resource("crazygary:dr:DatabaseHost", `db-${role}`, {});
  const command = (suffix: string, inputs: Record<string, unknown>) =>
    resource("command:remote:Command", `db-${role}-${suffix}`, { connection: "[secret]", ...inputs }, { parent: host.urn });
  return [
    host,
    command("files", { create: "sudo -n /bin/bash -s", stdin: filesScript(hostFiles()) }),
    command("timers", { create: "sudo -n /bin/bash -s", stdin: "systemctl daemon-reload\nsystemctl enable --now crazy-gary-backup-full.timer crazy-gary-backup-incr.timer" }),
  ];
}

function walArchiveBucket(role: "primary" | "secondary"): PlannedResource[] {
  const region = regions[role];
  const component = resource("crazygary:dr:WalArchiveBucket", `wal-${role}`, {});
  const at = { region, parent: component.urn };
  const key = resource("aws:kms/key:Key", `wal-${role}-key`, { enableKeyRotation: true, deletionWindowInDays: 30 }, { ...at, protect: true });
  const bucket = resource("aws:s3/bucket:Bucket", `wal-${role}-bucket`, { bucket: bucketNames[role] }, { ...at, protect: true });
  const onBucket = { ...at, propertyDependencies: { bucket: [bucket.urn] } };
  const arn = `arn:aws:s3:::${bucketNames[role]}`;
  return [
    component,
    key,
    bucket,
    resource("aws:s3/bucketVersioning:BucketVersioning", `wal-${role}-versioning`, { bucket: bucketNames[role], versioningConfiguration: { status: "Enabled" } }, onBucket),
    resource(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      `wal-${role}-encryption`,
      { bucket: bucketNames[role], rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: `arn:aws:kms:${region}:123456789012:key/${role}` }, bucketKeyEnabled: true }] },
      { ...at, propertyDependencies: { bucket: [bucket.urn], rules: [key.urn] } },
    ),
    resource(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      `wal-${role}-public-access`,
      { bucket: bucketNames[role], blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      onBucket,
    ),
    resource(
      "aws:s3/bucketPolicy:BucketPolicy",
      `wal-${role}-policy`,
      {
        bucket: bucketNames[role],
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
        }),
      },
      onBucket,
    ),
    resource(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      `wal-${role}-lifecycle`,
      {
        bucket: bucketNames[role],
        rules: [
          { id: "wal-orphans", status: "Enabled", filter: { prefix: "pgbackrest/archive/" }, expiration: { days: 33 } },
          { id: "backup-orphans", status: "Enabled", filter: { prefix: "pgbackrest/backup/" }, expiration: { days: 33 } },
          { id: "noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
          { id: "abort-multipart", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ],
      },
      onBucket,
    ),
    resource(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `alarm-wal-archive-freshness-${role}`,
      {
        name: `test-wal-archive-freshness-${region}`,
        namespace: "AWS/Events",
        metricName: "MatchedEvents",
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
        alarmActions: [`arn:aws:sns:${region}:123456789012:p0`],
      },
      { region },
    ),
  ];
}

/** One alarm per runbook rollback row, at the runbook threshold, with actions. */
function rollbackAlarms(): PlannedResource[] {
  return alarmedRows.map(([id, row]) =>
    resource(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `alarm-${id}-primary`,
      {
        name: `test-${id}-us-east-1`,
        namespace: "CrazyGary/Test",
        metricName: id,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        comparisonOperator: row.breachWhen === "above" ? "GreaterThanThreshold" : "LessThanThreshold",
        threshold: row.threshold ?? 1,
        treatMissingData: "notBreaching",
        alarmActions: ["arn:aws:sns:us-east-1:123456789012:p1"],
        okActions: ["arn:aws:sns:us-east-1:123456789012:p1"],
      },
      { region: regions.primary },
    ),
  );
}

/**
 * Failover DNS as FailoverDns declares it: per region a Patroni `GET /primary` leader check; per
 * hostname and region an HTTPS endpoint check, a CALCULATED routing check over it and its region's
 * leader check (both required, neither disabled nor inverted), and a record with a fixed role
 * whose health check is the routing check.
 */
function failoverDns(): PlannedResource[] {
  const leaders = Object.fromEntries(
    (["primary", "secondary"] as const).map((role) => [
      role,
      resource(
        "aws:route53/healthCheck:HealthCheck",
        `dns-database-${role}`,
        { fqdn: `db-${role}.example.test`, port: 8008, type: "HTTPS", resourcePath: "/primary", requestInterval: 10, failureThreshold: 2, enableSni: true, regions: ["us-east-1", "us-west-2", "eu-west-1"], tags: { RegionRole: role } },
        { region: regions.primary, protect: true },
      ),
    ]),
  );
  const out: PlannedResource[] = [...Object.values(leaders)];
  for (const hostname of ["api", "app"]) {
    for (const role of ["primary", "secondary"] as const) {
      const check = resource(
        "aws:route53/healthCheck:HealthCheck",
        `dns-${hostname}-${role}-health`,
        { fqdn: `${hostname}-${role}.example.test`, port: 443, type: "HTTPS", resourcePath: "/health", requestInterval: 10, failureThreshold: 2, measureLatency: true, enableSni: true, regions: ["us-east-1", "us-west-2", "eu-west-1"], tags: { RegionRole: role } },
        { region: regions.primary, protect: true },
      );
      const routing = resource(
        "aws:route53/healthCheck:HealthCheck",
        `dns-${hostname}-${role}-routing`,
        { type: "CALCULATED", childHealthchecks: [`hc-${check.name}`, `hc-${leaders[role].name}`], childHealthThreshold: 2, tags: { RegionRole: role } },
        { region: regions.primary, protect: true, propertyDependencies: { childHealthchecks: [check.urn, leaders[role].urn] } },
      );
      out.push(
        check,
        routing,
        resource(
          "aws:route53/record:Record",
          `dns-${hostname}-${role}`,
          {
            zoneId: "Z0TESTZONE",
            name: `${hostname}.example.test`,
            type: "CNAME",
            ttl: 30,
            records: [`${hostname}-${role}.example.test`],
            setIdentifier: regions[role],
            failoverRoutingPolicies: [{ type: role === "primary" ? "PRIMARY" : "SECONDARY" }],
            healthCheckId: `hc-${routing.name}`,
          },
          { region: regions.primary, protect: true, propertyDependencies: { healthCheckId: [routing.urn] } },
        ),
      );
    }
  }
  return out;
}

/** A complete compliant stack; a fresh copy on every call. */
export function compliantPlan(): PlannedResource[] {
  return [
    resource("pulumi:providers:aws", "aws-primary", { region: regions.primary }, { region: regions.primary }),
    resource("pulumi:providers:aws", "aws-secondary", { region: regions.secondary }, { region: regions.secondary }),
    ...walArchiveBucket("primary"),
    ...walArchiveBucket("secondary"),
    ...databaseHost("primary"),
    ...databaseHost("secondary"),
    ...rollbackAlarms(),
    ...(["primary", "secondary"] as const).map((role) =>
      resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        `alarm-replica-lag-${role}`,
        {
          name: `test-replica-lag-${regions[role]}`,
          namespace: "CrazyGary/Database",
          metricName: "ReplicationLagSeconds",
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold: 300,
          // The standby (secondary while primary is active) pages; the active role's copy is silent.
          treatMissingData: role === "secondary" ? "breaching" : "notBreaching",
          actionsEnabled: role === "secondary",
          alarmActions: [`arn:aws:sns:${regions[role]}:123456789012:p0`],
          tags: { Severity: "P0", RegionRole: role },
        },
        { region: regions[role] },
      ),
    ),
    resource("aws:sns/topic:Topic", "alerts-p0-primary", { kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/alerts" }, { region: regions.primary, protect: true }),
    resource("aws:cloudwatch/logGroup:LogGroup", "backup-logs-primary", { retentionInDays: 90 }, { region: regions.primary, protect: true }),
    resource("aws:secretsmanager/secret:Secret", "db-primary-pgbackrest", {}, { region: regions.primary, retainOnDelete: true }),
    ...failoverDns(),
    ...alertPaging(),
    ...backupCopy(),
  ];
}

/** Finds one resource of the plan by logical name (throws when absent, so a typo fails loudly). */
export function byName(plan: readonly PlannedResource[], name: string): PlannedResource {
  const found = plan.find((r) => r.name === name);
  if (!found) throw new Error(`fixture has no resource named ${name}`);
  return found;
}

/** Violations of the named policy of the pack (built with `overrides`) over `plan`. */
export async function violationsOf(policyName: string, plan: readonly PlannedResource[], overrides: Record<string, unknown> = {}) {
  const policy = createPolicies(overrides).find((p) => p.name === policyName);
  if (!policy) throw new Error(`the pack has no policy named ${policyName}`);
  const [outcome] = await evaluatePolicies([policy], plan);
  return outcome.violations;
}

/** A case: change one property of the compliant plan; the policy reports `message` on the returned URN. */
export interface ViolationCase {
  policy: string;
  change: string;
  /** Mutates the plan; returns the URN the violation must name (`undefined`: the stack). */
  mutate: (plan: PlannedResource[]) => string | undefined;
  message: RegExp;
  overrides?: Record<string, unknown>;
}

/** One test per case: the one-property change is reported, mandatory, with its message, on its URN. */
export function describeViolationCases(cases: readonly ViolationCase[]): void {
  describe.each(cases)("$policy when $change", ({ policy, mutate, message, overrides }) => {
    it("reports the violation on the resource", async () => {
      const plan = compliantPlan();
      const urn = mutate(plan);
      const violations = await violationsOf(policy, plan, overrides);
      expect(violations).toContainEqual(expect.objectContaining({ policy, enforcementLevel: "mandatory", urn, message: expect.stringMatching(message) }));
    });
  });
}
