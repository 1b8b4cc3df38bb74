import { sharedPlan } from "./support/plans";
import { beforeAll, describe, expect, it } from "vitest";
import { alarmRegionOf, alarmRegions } from "../domain/alarmPlacement";
import { rollbackAlarmRule } from "../domain/rollbackComposites";
import { validateLogRetentionDays } from "../components/applicationLogs";
import { StackConfigError } from "../infra/parseConfig";
import { mockAccountId, planStack, type CapturedResource, type Plan } from "../tools/offline";

const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";
const topicType = "aws:sns/topic:Topic";

type Role = "primary" | "secondary";
type Missing = "breaching" | "notBreaching";
type Metric =
  | { kind: "metric"; namespace: string; name: string; statistic: string }
  | { kind: "percent"; namespace: string; numerator: string; denominator: string }
  | { kind: "anomaly"; namespace: string; name: string; statistic: string };

interface ExpectedAlarm {
  id: string;
  metric: Metric;
  comparison: string;
  threshold: number | undefined;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** treatMissingData by role while primary is active (the secondary-active plan swaps the one-sided rows). */
  missing: Record<Role, Missing>;
  /** Where the alarm lives: its role's region, or us-east-1 (Route53 metrics). */
  inRoute53Region: boolean;
  /** Severity in the active region and in the passive one. */
  severity: { active: string; passive: string };
  /** actionsEnabled by role while primary is active (one-sided rows page only where their metric is published). */
  actions?: Record<Role, boolean>;
  /** The role whose region is the `Region` dimension, when not the alarm's own (per-repository WAL alarms). */
  repository?: Role;
}

const m = (namespace: string, name: string, statistic: string): Metric => ({ kind: "metric", namespace, name, statistic });
const pct = (namespace: string, numerator: string, denominator: string): Metric => ({ kind: "percent", namespace, numerator, denominator });
const both = (missing: Missing) => ({ primary: missing, secondary: missing });
const fixed = (severity: string) => ({ active: severity, passive: severity });
const follows = { active: "P0", passive: "P1" };
const window = (period: number, periods: number) => ({ period, evaluationPeriods: periods, datapointsToAlarm: periods });

/** The table, row by row, with the numbers a user depends on written out. */
const expected: ExpectedAlarm[] = [
  { id: "api-health", metric: m("AWS/Route53", "HealthCheckStatus", "Minimum"), comparison: "LessThanThreshold", threshold: 1, ...window(60, 1), missing: both("breaching"), inRoute53Region: true, severity: follows },
  { id: "db-connect-time", metric: m("CrazyGary/Database", "ConnectTime", "Maximum"), comparison: "GreaterThanThreshold", threshold: 5000, ...window(60, 1), missing: both("breaching"), inRoute53Region: false, severity: follows },
  { id: "web-load-failures", metric: pct("CrazyGary/Web", "LoadFailures", "LoadAttempts"), comparison: "GreaterThanThreshold", threshold: 50, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "api-error-rate", metric: pct("CrazyGary/API", "Errors", "Requests"), comparison: "GreaterThanThreshold", threshold: 10, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "api-latency-p95", metric: m("CrazyGary/API", "Latency", "p95"), comparison: "GreaterThanThreshold", threshold: 2000, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "db-query-time", metric: m("CrazyGary/Database", "QueryTime", "Average"), comparison: "GreaterThanThreshold", threshold: 1000, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "memory", metric: m("CrazyGary/Host", "MemoryUtilization", "Average"), comparison: "GreaterThanThreshold", threshold: 90, ...window(60, 10), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "cpu", metric: m("CrazyGary/Host", "CPUUtilization", "Average"), comparison: "GreaterThanThreshold", threshold: 90, ...window(60, 15), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P2") },
  { id: "auth-failure-rate", metric: pct("CrazyGary/Auth", "Failures", "Attempts"), comparison: "GreaterThanThreshold", threshold: 5, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "task-create-failure-rate", metric: pct("CrazyGary/Tasks", "CreateFailures", "CreateAttempts"), comparison: "GreaterThanThreshold", threshold: 10, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P2") },
  { id: "model-api-failure-rate", metric: pct("CrazyGary/ModelApi", "Failures", "Calls"), comparison: "GreaterThanThreshold", threshold: 20, ...window(60, 5), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P2") },
  { id: "unauthorized-access", metric: m("CrazyGary/Security", "UnauthorizedRequests", "Sum"), comparison: "GreaterThanThreshold", threshold: 100, ...window(300, 1), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "suspicious-usage", metric: { kind: "anomaly", namespace: "CrazyGary/API", name: "Requests", statistic: "Sum" }, comparison: "LessThanLowerOrGreaterThanUpperThreshold", threshold: undefined, ...window(300, 3), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "cert-expiry-warning", metric: m("CrazyGary/TLS", "DaysToExpiry", "Minimum"), comparison: "LessThanThreshold", threshold: 30, ...window(86400, 1), missing: both("breaching"), inRoute53Region: false, severity: fixed("P3") },
  { id: "cert-expiry-urgent", metric: m("CrazyGary/TLS", "DaysToExpiry", "Minimum"), comparison: "LessThanThreshold", threshold: 7, ...window(86400, 1), missing: both("notBreaching"), inRoute53Region: false, severity: fixed("P1") },
  { id: "wal-archive-freshness", metric: m("AWS/Events", "MatchedEvents", "Sum"), comparison: "LessThanThreshold", threshold: 1, ...window(300, 1), missing: both("breaching"), inRoute53Region: false, severity: follows },
  // The standby publishes its lag (every 5 min, monitor.sh): one period per datum; missing data breaches only in the passive region.
  { id: "replica-lag", metric: m("CrazyGary/Database", "ReplicationLagSeconds", "Maximum"), comparison: "GreaterThanThreshold", threshold: 300, ...window(300, 1), missing: { primary: "notBreaching", secondary: "breaching" }, inRoute53Region: false, severity: fixed("P0"), actions: { primary: false, secondary: true } },
  { id: "backup-missed", metric: m("CrazyGary/Backup", "FullBackupAgeHours", "Maximum"), comparison: "GreaterThanThreshold", threshold: 26, ...window(300, 1), missing: both("breaching"), inRoute53Region: false, severity: fixed("P1") },
  // The active primary measures every repository and publishes to its own region (Region = the repository's):
  // each repository is watched from both regions; missing data breaches only where the primary is.
  ...(["primary", "secondary"] as const).map((repository): ExpectedAlarm => ({
    id: `repository-wal-age-${repository}`, metric: m("CrazyGary/Backup", "RepositoryWalAgeSeconds", "Maximum"), comparison: "GreaterThanThreshold", threshold: 300, ...window(300, 1),
    missing: { primary: "breaching", secondary: "notBreaching" }, inRoute53Region: false, severity: fixed("P1"), repository, actions: { primary: true, secondary: false },
  })),
  // The active role runs the restore test: missing data breaches only in the active region.
  { id: "restore-test-missed", metric: m("CrazyGary/Backup", "RestoreTestAgeDays", "Maximum"), comparison: "GreaterThanThreshold", threshold: 32, ...window(300, 1), missing: { primary: "breaching", secondary: "notBreaching" }, inRoute53Region: false, severity: fixed("P2"), actions: { primary: true, secondary: false } },
  { id: "drill-overdue", metric: m("CrazyGary/Drills", "DrDrillAgeDays", "Maximum"), comparison: "GreaterThanThreshold", threshold: 107, ...window(86400, 1), missing: { primary: "breaching", secondary: "breaching" }, inRoute53Region: false, severity: fixed("P2"), actions: { primary: true, secondary: true } },
];

const roles: Role[] = ["primary", "secondary"];
const prodRegions: Record<Role, string> = { primary: "us-east-1", secondary: "us-west-2" };
const drRegions: Record<Role, string> = { primary: "us-east-2", secondary: "us-west-1" };

function alarmsOf(plan: Plan): CapturedResource[] {
  return plan.resources.filter((r) => r.type === alarmType);
}

function alarm(plan: Plan, id: string, role: Role): CapturedResource {
  const found = alarmsOf(plan).filter((r) => r.name === `alarms-${id}-${role}`);
  expect(found, `alarm alarms-${id}-${role}`).toHaveLength(1);
  return found[0];
}

/** The ARN (as the mocks make it) of the severity's topic in `region`. */
function topicArn(plan: Plan, region: string, severity: string): string {
  const topics = plan.resources.filter((r) => r.type === topicType && r.region === region && r.inputs.name === `crazy-gary-${plan.stack}-alerts-${severity}`);
  expect(topics, `${severity} topic in ${region}`).toHaveLength(1);
  return `arn:aws:sns:${region}:${mockAccountId}:${topics[0].name}`;
}

function dimensionsFor(plan: Plan, row: ExpectedAlarm, role: Role, region: string): Record<string, string> {
  if (row.metric.namespace === "AWS/Route53") return { HealthCheckId: (plan.outputs.healthCheckIds as Record<string, Record<Role, string>>).api[role] };
  if (row.metric.namespace === "AWS/Events") return { RuleName: `crazy-gary-${plan.stack}-wal-archive-${role}` };
  return { Environment: plan.stack, Region: row.repository ? (plan.stack === "prod" ? prodRegions : drRegions)[row.repository] : region };
}

function expectMetric(resource: CapturedResource, row: ExpectedAlarm, dimensions: Record<string, string>) {
  const inputs = resource.inputs;
  const query = (id: string, name: string, stat: string, returnData: boolean) => ({
    id,
    returnData,
    metric: { namespace: row.metric.namespace, metricName: name, dimensions, period: row.period, stat },
  });
  switch (row.metric.kind) {
    case "metric": {
      const statistic = /^p\d+$/.test(row.metric.statistic) ? { extendedStatistic: row.metric.statistic } : { statistic: row.metric.statistic };
      expect(inputs).toMatchObject({ namespace: row.metric.namespace, metricName: row.metric.name, dimensions, period: row.period, ...statistic });
      expect(inputs.metricQueries).toBeUndefined();
      break;
    }
    case "percent":
      expect(inputs.metricName).toBeUndefined();
      expect(inputs.metricQueries).toEqual([
        query("failures", row.metric.numerator, "Sum", false),
        query("attempts", row.metric.denominator, "Sum", false),
        { id: "percent", expression: "100 * FILL(failures, 0) / attempts", label: `${row.metric.numerator} as % of ${row.metric.denominator}`, returnData: true },
      ]);
      break;
    case "anomaly":
      expect(inputs.thresholdMetricId).toBe("band");
      expect(inputs.metricQueries).toEqual([
        query("observed", row.metric.name, row.metric.statistic, true),
        { id: "band", expression: "ANOMALY_DETECTION_BAND(observed, 2)", label: `expected ${row.metric.name}`, returnData: true },
      ]);
      break;
  }
}

let prod: Plan;
let prodFlipped: Plan;
let dr: Plan;

beforeAll(async () => {
  // One evaluation at a time: the mock engine is per process.
  prod = await sharedPlan("prod");
  prodFlipped = await sharedPlan("prod", ["activeRegion=secondary"]);
  dr = await sharedPlan("dr");
});

describe("every catalog row is one alarm per region role", () => {
  it("declares exactly the table's alarms, in both region roles", () => {
    expect(alarmsOf(prod).map((r) => r.name).sort()).toEqual(expected.flatMap((row) => roles.map((role) => `alarms-${row.id}-${role}`)).sort());
  });

  describe.each(expected.flatMap((row) => roles.map((role) => [row.id, role, row] as const)))("%s in %s", (_id, role, row) => {
    it("watches the exact metric, statistic, comparison, threshold and window", () => {
      const resource = alarm(prod, row.id, role);
      expectMetric(resource, row, dimensionsFor(prod, row, role, prodRegions[role]));
      expect(resource.inputs).toMatchObject({
        name: `crazy-gary-prod-${row.id}-${role}`,
        comparisonOperator: row.comparison,
        evaluationPeriods: row.evaluationPeriods,
        datapointsToAlarm: row.datapointsToAlarm,
        actionsEnabled: row.actions?.[role] ?? true,
      });
      expect(resource.inputs.threshold).toBe(row.threshold);
      // An alarm with a unit ignores data published with another; the contract states units, alarms match any.
      expect(resource.inputs.unit).toBeUndefined();
    });

    it("lives where its metric lives and pages its severity's topic there (alarm and OK)", () => {
      const resource = alarm(prod, row.id, role);
      const region = row.inRoute53Region ? "us-east-1" : prodRegions[role];
      expect(resource.region).toBe(region);
      expect(resource.provider).toContain(row.inRoute53Region ? "::aws-route53-metrics::" : `::aws-${role}::`);
      const severity = role === "primary" ? row.severity.active : row.severity.passive;
      const topic = topicArn(prod, region, severity);
      expect(resource.inputs.alarmActions).toEqual([topic]);
      expect(resource.inputs.okActions).toEqual([topic]);
      expect(resource.inputs.tags).toEqual({ Severity: severity, RegionRole: role, AlarmId: row.id });
    });

    it("treats missing data as the row says, and follows activeRegion", () => {
      const other: Role = role === "primary" ? "secondary" : "primary";
      expect(alarm(prod, row.id, role).inputs.treatMissingData).toBe(row.missing[role]);
      // One-sided rows swap with the flip (missing data and actions); the others do not change.
      expect(alarm(prodFlipped, row.id, role).inputs.treatMissingData).toBe(row.missing[other]);
      expect(alarm(prodFlipped, row.id, role).inputs.actionsEnabled).toBe(row.actions?.[other] ?? true);
    });

    it("pages P0 in the active region and one level lower in the passive one, or a fixed severity", () => {
      const flippedSeverity = role === "secondary" ? row.severity.active : row.severity.passive;
      const flipped = alarm(prodFlipped, row.id, role);
      expect(flipped.inputs.tags).toMatchObject({ Severity: flippedSeverity });
      const region = row.inRoute53Region ? "us-east-1" : prodRegions[role];
      expect(flipped.inputs.alarmActions).toEqual([topicArn(prodFlipped, region, flippedSeverity)]);
    });
  });
});

describe("the dr stack (neither region is us-east-1)", () => {
  const drRegions: Record<Role, string> = { primary: "us-east-2", secondary: "us-west-1" };

  it.each(roles)("puts the %s health alarm in us-east-1 and pages topics there", (role) => {
    const health = alarm(dr, "api-health", role);
    expect(health.region).toBe("us-east-1");
    const severity = role === "primary" ? "P0" : "P1";
    expect(health.inputs.alarmActions).toEqual([topicArn(dr, "us-east-1", severity)]);
  });

  it.each(roles)("keeps the %s region's other alarms in that region", (role) => {
    for (const row of expected.filter((r) => !r.inRoute53Region)) {
      const resource = alarm(dr, row.id, role);
      expect(resource.region, row.id).toBe(drRegions[role]);
      expect(resource.inputs.dimensions ?? {}, row.id).not.toMatchObject({ Region: "us-east-1" });
    }
  });
});

describe("thresholds come from the runbook, tightened by config", () => {
  it("a tightened threshold reaches both regions' alarms", async () => {
    const plan = await sharedPlan("prod", ["thresholds.api-latency-p95=1500"]);
    for (const role of roles) expect(alarm(plan, "api-latency-p95", role).inputs.threshold).toBe(1500);
    expect(alarm(plan, "api-error-rate", "primary").inputs.threshold).toBe(10);
  });

  it("a longer certificate warning reaches the P3 alarm; the P1 stays at 7 days", async () => {
    const plan = await sharedPlan("prod", ["thresholds.cert-expiry=45"]);
    expect(alarm(plan, "cert-expiry-warning", "primary").inputs.threshold).toBe(45);
    expect(alarm(plan, "cert-expiry-urgent", "primary").inputs.threshold).toBe(7);
  });

  it("a shorter RPO shortens the WAL window and the replica-lag threshold", async () => {
    const plan = await sharedPlan("prod", ["recovery.databaseRpoMinutes=3", "recovery.archiveTimeoutSeconds=36"]);
    expect(alarm(plan, "wal-archive-freshness", "secondary").inputs).toMatchObject({ period: 180, evaluationPeriods: 1, threshold: 1 });
    expect(alarm(plan, "replica-lag", "secondary").inputs.threshold).toBe(180);
    for (const id of ["repository-wal-age-primary", "repository-wal-age-secondary"]) expect(alarm(plan, id, "primary").inputs.threshold).toBe(180);
  });

  it.each([
    ["thresholds.api-latency-p95=2500", "crazy-gary-dr:thresholds.api-latency-p95: 2500 is looser than the runbook's 2000 ms"],
    ["thresholds.unauthorized-access=150", "crazy-gary-dr:thresholds.unauthorized-access: 150 is looser than the runbook's 100 count"],
    ["thresholds.cert-expiry=20", "crazy-gary-dr:thresholds.cert-expiry: 20 is looser than the runbook's 30 days"],
  ])("refuses a loosened threshold (%s), naming the key", async (setting, message) => {
    const error = await planStack("prod", { set: [setting] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems.join("\n")).toContain(message);
  });
});

describe("a region's S3 down: its repository's WAL age pages from the surviving region", () => {
  it("after a flip to us-west-2, the us-east-1 repository's alarm lives in us-west-2, watches Region us-east-1, breaches on silence and pages P1 there", () => {
    const resource = alarm(prodFlipped, "repository-wal-age-primary", "secondary");
    expect(resource.region).toBe("us-west-2");
    expect(resource.inputs).toMatchObject({
      namespace: "CrazyGary/Backup",
      metricName: "RepositoryWalAgeSeconds",
      dimensions: { Environment: "prod", Region: "us-east-1" },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 300,
      period: 300,
      treatMissingData: "breaching",
      tags: { Severity: "P1", RegionRole: "secondary", AlarmId: "repository-wal-age-primary" },
      actionsEnabled: true,
    });
    expect(resource.inputs.alarmActions).toEqual([topicArn(prodFlipped, "us-west-2", "P1")]);
  });
});

describe("WAL freshness: EventBridge counts WAL objects per region", () => {
  it.each(roles)("the %s rule matches Object Created under archive/ of that region's bucket", (role) => {
    const rules = prod.resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && r.name === `alarms-wal-archive-${role}-rule`);
    expect(rules).toHaveLength(1);
    expect(rules[0].region).toBe(prodRegions[role]);
    expect(rules[0].inputs.name).toBe(`crazy-gary-prod-wal-archive-${role}`);
    const pattern = JSON.parse(rules[0].inputs.eventPattern as string);
    expect(pattern).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [expect.any(String)] }, object: { key: [{ prefix: "archive/" }] } },
    });
    // The mocks name a bucket without a `bucket` input `<logical name>-0a1b2c3`.
    expect(pattern.detail.bucket.name).toEqual([`wal-archive-${role}-bucket-0a1b2c3`]);
    expect(prod.resources.filter((r) => r.type === "aws:s3/bucket:Bucket" && r.name === `wal-archive-${role}-bucket`).map((b) => b.region)).toEqual([prodRegions[role]]);
  });
});

describe("WAL arrival events are delivered, so the rule publishes MatchedEvents", () => {
  it.each(roles)("the %s rule writes to a protected log group kept as long as the logs, which EventBridge may write to", (role) => {
    const ofRole = (type: string, name: string) => prod.resources.filter((r) => r.type === type && r.name === name);
    const [group] = ofRole("aws:cloudwatch/logGroup:LogGroup", `alarms-wal-archive-${role}-log`);
    expect(group.inputs).toMatchObject({ name: "/aws/events/crazy-gary-prod/wal-archive", retentionInDays: 90 });
    expect([group.region, group.options.protect]).toEqual([prodRegions[role], true]);
    const groupArn = `arn:aws:logs:${prodRegions[role]}:${mockAccountId}:log-group:/aws/events/crazy-gary-prod/wal-archive`;
    const [target] = ofRole("aws:cloudwatch/eventTarget:EventTarget", `alarms-wal-archive-${role}-target`);
    expect(target.inputs).toMatchObject({ rule: `crazy-gary-prod-wal-archive-${role}`, arn: groupArn });
    expect(target.region).toBe(prodRegions[role]);
    const [policy] = ofRole("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", `alarms-wal-archive-${role}-log-policy`);
    expect(JSON.parse(policy.inputs.policyDocument as string).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] }, Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${groupArn}:*` }),
    ]);
  });
});

describe("replica lag pages P0 where the standby publishes it", () => {
  it.each([
    ["primary", () => prod, "secondary"],
    ["secondary", () => prodFlipped, "primary"],
  ] as const)("with %s active, the %s region's alarm pages P0 above the 300 s RPO, breaching when the standby falls silent", (_active, plan, standby) => {
    const active: Role = standby === "primary" ? "secondary" : "primary";
    const paging = alarm(plan(), "replica-lag", standby);
    expect([paging.region, paging.inputs.threshold, paging.inputs.comparisonOperator, paging.inputs.treatMissingData, paging.inputs.actionsEnabled]).toEqual([
      prodRegions[standby],
      300,
      "GreaterThanThreshold",
      "breaching",
      true,
    ]);
    expect(paging.inputs.tags).toMatchObject({ Severity: "P0" });
    expect(paging.inputs.alarmActions).toEqual([topicArn(plan(), prodRegions[standby], "P0")]);
    // The active region's copy exists permanently (nothing moves on a flip) but has no data and no actions.
    const silent = alarm(plan(), "replica-lag", active);
    expect([silent.region, silent.inputs.treatMissingData, silent.inputs.actionsEnabled]).toEqual([prodRegions[active], "notBreaching", false]);
  });
});

describe("rollback composites for the deploy pipeline", () => {
  const triggerIds = expected.map((r) => r.id).filter((id) => !["wal-archive-freshness", "repository-wal-age-primary", "repository-wal-age-secondary", "replica-lag", "backup-missed", "restore-test-missed", "drill-overdue", "cert-expiry-warning", "api-health"].includes(id));
  const composite = (plan: Plan, name: string) => plan.resources.find((r) => r.type === "aws:cloudwatch/compositeAlarm:CompositeAlarm" && r.name === name)!;

  it.each(roles)("declares the %s role's composites in its own region and us-east-1, the same whichever region is active", (role) => {
    for (const plan of [prod, prodFlipped]) {
      const main = composite(plan, `alarms-rollback-${role}`);
      expect([main.region, main.provider]).toEqual([prodRegions[role], expect.stringContaining(`::aws-${role}::`)]);
      expect(main.inputs.alarmName).toBe(`crazy-gary-prod-rollback-${role}`);
      expect(main.inputs.alarmRule).toBe(triggerIds.map((id) => `ALARM("crazy-gary-prod-${id}-${role}")`).join(" OR "));
      const health = composite(plan, `alarms-rollback-health-${role}`);
      expect([health.region, health.provider]).toEqual(["us-east-1", expect.stringContaining("::aws-route53-metrics::")]);
      expect(health.inputs.alarmRule).toBe(`ALARM("crazy-gary-prod-api-health-${role}")`);
    }
  });

  it.each([
    ["primary", () => prod, "us-east-1"],
    ["secondary", () => prodFlipped, "us-west-2"],
  ] as const)("names the active role's two composites in the rollbackAlarm output (%s active)", (active, plan, region) => {
    expect(plan().outputs.rollbackAlarm).toEqual([
      { name: `crazy-gary-prod-rollback-${active}`, arn: `arn:aws:cloudwatch:${region}:${mockAccountId}:alarms-rollback-${active}`, region, role: active },
      { name: `crazy-gary-prod-rollback-health-${active}`, arn: `arn:aws:cloudwatch:us-east-1:${mockAccountId}:alarms-rollback-health-${active}`, region: "us-east-1", role: active },
    ]);
  });
});

describe("dashboard and log groups", () => {
  it("declares one dashboard with health per region, tiers and alarm states", () => {
    const dashboards = prod.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards).toHaveLength(1);
    const body = JSON.parse(dashboards[0].inputs.dashboardBody as string) as { widgets: { type: string; properties: Record<string, unknown> }[] };
    const health = body.widgets.filter((w) => JSON.stringify(w.properties.metrics ?? []).includes("HealthCheckStatus"));
    expect(health.map((w) => w.properties.title)).toEqual(["API /health: primary (us-east-1)", "API /health: secondary (us-west-2)"]);
    expect(body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown)).toContain("## Tier 1: database, API, authentication");
    const states = body.widgets.filter((w) => w.type === "alarm");
    expect(states.flatMap((w) => w.properties.alarms as string[])).toHaveLength(alarmsOf(prod).length);
  });

  it.each(roles)("keeps api, web and database logs 90 days in the %s region, protected", (role) => {
    const groups = prod.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.name.startsWith(`logs-${role}-`));
    expect(groups.map((g) => [g.inputs.name, g.inputs.retentionInDays, g.region, g.options.protect])).toEqual([
      ["/crazy-gary/prod/api", 90, prodRegions[role], true],
      ["/crazy-gary/prod/database", 90, prodRegions[role], true],
      ["/crazy-gary/prod/web", 90, prodRegions[role], true],
    ]);
  });
});

describe("log retention from config", () => {
  it("a longer retention reaches every log group", async () => {
    const plan = await sharedPlan("prod", ["retention.logDays=365"]);
    const groups = plan.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && /^(logs-|alarms-)/.test(r.name));
    expect(groups.map((g) => g.inputs.retentionInDays)).toEqual(Array(8).fill(365));
  });

  it.each([
    ["retention.logDays=100", "crazy-gary-dr:retention.logDays: 100 is not a retention CloudWatch Logs accepts; use one of 90, 120, 150, 180, 365,"],
    ["retention.logDays=60", "crazy-gary-dr:retention.logDays: 60 is looser than the runbook's 90 d"],
  ])("refuses %s before anything is declared", async (setting, message) => {
    const error = await planStack("prod", { set: [setting] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems.join("\n")).toContain(message);
  });

  it("the component refuses a retention CloudWatch would reject, naming the arg", () => {
    expect(() => validateLogRetentionDays(100)).toThrow("retentionInDays: 100 is not a retention CloudWatch Logs accepts; use one of 1, 3, 5,");
    expect(validateLogRetentionDays(90)).toBe(90);
  });
});

describe("naming and providers", () => {
  it("gives every alarm resource an explicit provider and a name starting with its component's", () => {
    const ours = prod.resources.filter((r) => r.custom && r.parent && /crazygary:dr:(AlarmSet|AlertRouting|ApplicationLogs|WalArchiveEvents)/.test(r.parent));
    expect(ours.length).toBeGreaterThan(50);
    for (const resource of ours) {
      expect(resource.provider, resource.name).not.toBeNull();
      const parent = prod.resources.find((r) => r.urn === resource.parent)!;
      expect(resource.name.startsWith(`${parent.name}-`), resource.name).toBe(true);
    }
  });

  it("flipping activeRegion changes no URN of the alarms", () => {
    const urns = (plan: Plan) => plan.resources.filter((r) => /AlarmSet|AlertRouting|ApplicationLogs|WalArchiveEvents/.test(r.urn)).map((r) => r.urn).sort();
    expect(urns(prodFlipped)).toEqual(urns(prod));
  });
});

describe("pure parts", () => {
  it.each([
    [{ primary: "us-east-1", secondary: "us-west-2" }, ["primary=us-east-1", "secondary=us-west-2"], "primary"],
    [{ primary: "us-west-2", secondary: "us-east-1" }, ["primary=us-west-2", "secondary=us-east-1"], "secondary"],
    [{ primary: "us-east-2", secondary: "us-west-1" }, ["primary=us-east-2", "secondary=us-west-1", "route53-metrics=us-east-1"], "route53-metrics"],
  ] as const)("alarm regions for %j: %j; Route53 alarms at %s", (regions, expectedRegions, route53AlarmRegion) => {
    const placed = alarmRegions(regions, "us-east-1");
    expect(placed.map((s) => `${s.key}=${s.region}`)).toEqual(expectedRegions);
    for (const role of roles) {
      expect(alarmRegionOf({ metricRegion: "route53-metrics" }, role, placed, "us-east-1").key).toBe(route53AlarmRegion);
      expect(alarmRegionOf({ metricRegion: "own-region" }, role, placed, "us-east-1").key).toBe(role);
    }
  });

  it("joins alarms with OR and refuses an empty composite", () => {
    expect(rollbackAlarmRule(["a", "b"])).toBe('ALARM("a") OR ALARM("b")');
    expect(() => rollbackAlarmRule([])).toThrow("a rollback composite needs at least one alarm");
  });
});
