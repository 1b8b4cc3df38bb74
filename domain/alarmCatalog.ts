/**
 * The alarm catalog: every alarm the stack declares, as typed data built from the runbook
 * (`domain/runbook.ts`) and the effective, possibly tightened, stack settings. `AlarmSet`
 * turns each definition into one CloudWatch alarm per region role; the metric contract
 * (docs/reference/metric-contract.md, by `npm run docs`) is rendered from the same definitions
 * (`renderMetricContract`), so the metrics the hosts must publish and the metrics the alarms
 * watch cannot drift apart. Its types are in `alarmTypes.ts`; how an alarm behaves per region in
 * `alarmSettingsByRole.ts`; the contract's rendering in `metricContract.ts`.
 *
 * Pure data and pure functions only: no resources here.
 */
import { repositoryWalAlarms } from "./alarmCatalogWal";
import { drillAgeAlarmDays, DRILL_METRICS } from "./drillRun";
import { drills } from "./testingSchedule";
import { HOST_METRICS, MONITOR_INTERVAL_MINUTES } from "./hostMetrics";
import type { TriggerRowId, MetricUnit, CustomMetric, HealthCheckMetric, WalRuleMetric, Comparison, MetricRegion, AlarmDefinition, CatalogSettings } from "./alarmTypes";
import {
  backups,
  certExpiryUrgentDays,
  recoveryObjectives,
  rollbackTriggers,
  type ComponentId,
  type RunbookSection,
  type Severity,
} from "./runbook";

const TRIGGERS: RunbookSection = "Automated Rollback Triggers";
const RPO: RunbookSection = "Recovery Time Objectives (RTO) & Recovery Point Objectives (RPO)";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Window for rows the runbook gives no duration for (latency, query time, web and business
 * rates): five one-minute periods, all of them breaching, so one bad minute does not page.
 */
export const unsustainedRowWindowMinutes = 5;

/**
 * Grace on top of the full-backup interval before `backup-missed` fires, in hours. The age is
 * measured from the newest full backup's stop time, so it exceeds the interval by however much
 * longer today's backup runs than yesterday's; two hours covers that for the database sizes the
 * runbook names, and the alarm still fires well before a second daily backup is missed.
 */
export const fullBackupGraceHours = 2;

/**
 * Longest gap between two monthly restore tests that run on the same day of the month, in days
 * (31: a 31-day month), plus one day of grace for the test's own run time and a retry the next
 * morning. A monthly schedule cannot be checked tighter without paging every 31-day month.
 */
export const restoreTestMaxGapDays = 31;
export const restoreTestGraceDays = 1;

/** Anomaly band width for suspicious API usage, in standard deviations (CloudWatch's default). */
export const suspiciousUsageBandWidth = 2;

/**
 * Route53's `HealthCheckStatus` is 1 while healthy, 0 while not; the runbook gives no number for
 * `/health` (any non-200 is a failure), so the alarm fires below 1.
 */
const healthyStatus = 1;

/** How often the database hosts' monitor.sh publishes (its systemd timer), in seconds. */
const monitorEverySeconds = MONITOR_INTERVAL_MINUTES * MINUTE;

const apiMetric = (name: string, unit: MetricUnit, meaning: string): CustomMetric => ({
  kind: "custom", namespace: "CrazyGary/API", name, unit, publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning,
});

/** Every custom metric an alarm watches, by a short key. */
export const customMetrics = {
  dbConnectTime: { kind: "custom", namespace: "CrazyGary/Database", name: "ConnectTime", unit: "Milliseconds", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "longest time to open a database connection in the period (timeouts count as the timeout)" },
  dbQueryTime: { kind: "custom", namespace: "CrazyGary/Database", name: "QueryTime", unit: "Milliseconds", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "duration of each database query" },
  webLoadFailures: { kind: "custom", namespace: "CrazyGary/Web", name: "LoadFailures", unit: "Count", publishEverySeconds: MINUTE, publisher: "web app", publishedBy: "both", meaning: "page loads that failed (publish 0 in a quiet minute)" },
  webLoadAttempts: { kind: "custom", namespace: "CrazyGary/Web", name: "LoadAttempts", unit: "Count", publishEverySeconds: MINUTE, publisher: "web app", publishedBy: "both", meaning: "page loads attempted" },
  apiErrors: apiMetric("Errors", "Count", "requests answered with a 5xx status (publish 0 in a quiet minute)"),
  apiRequests: apiMetric("Requests", "Count", "requests answered"),
  apiLatency: apiMetric("Latency", "Milliseconds", "time to answer each request"),
  memory: { kind: "custom", namespace: "CrazyGary/Host", name: "MemoryUtilization", unit: "Percent", publishEverySeconds: MINUTE, publisher: "every host", publishedBy: "both", meaning: "memory in use on the host" },
  cpu: { kind: "custom", namespace: "CrazyGary/Host", name: "CPUUtilization", unit: "Percent", publishEverySeconds: MINUTE, publisher: "every host", publishedBy: "both", meaning: "CPU in use on the host" },
  authFailures: { kind: "custom", namespace: "CrazyGary/Auth", name: "Failures", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "failed logins and token checks (publish 0 in a quiet minute)" },
  authAttempts: { kind: "custom", namespace: "CrazyGary/Auth", name: "Attempts", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "logins and token checks attempted" },
  taskCreateFailures: { kind: "custom", namespace: "CrazyGary/Tasks", name: "CreateFailures", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "background tasks that could not be created (publish 0 in a quiet minute)" },
  taskCreateAttempts: { kind: "custom", namespace: "CrazyGary/Tasks", name: "CreateAttempts", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "background tasks the API tried to create" },
  modelApiFailures: { kind: "custom", namespace: "CrazyGary/ModelApi", name: "Failures", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "AI model API calls that failed (publish 0 in a quiet minute)" },
  modelApiCalls: { kind: "custom", namespace: "CrazyGary/ModelApi", name: "Calls", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "AI model API calls made" },
  unauthorizedRequests: { kind: "custom", namespace: "CrazyGary/Security", name: "UnauthorizedRequests", unit: "Count", publishEverySeconds: MINUTE, publisher: "API service", publishedBy: "both", meaning: "requests refused with 401 or 403" },
  tlsDaysToExpiry: { kind: "custom", namespace: "CrazyGary/TLS", name: "DaysToExpiry", unit: "None", publishEverySeconds: HOUR, publisher: "API service", publishedBy: "both", meaning: "days until the soonest-expiring certificate the region serves (api and app hostnames) expires" },
  replicationLag: { kind: "custom", namespace: HOST_METRICS.databaseNamespace, name: HOST_METRICS.replicationLagSeconds, unit: "Seconds", publishEverySeconds: monitorEverySeconds, publisher: "database host (monitor.sh)", publishedBy: "standby", meaning: "age of the replicated heartbeat row on the standby" },
  fullBackupAge: { kind: "custom", namespace: HOST_METRICS.backupNamespace, name: HOST_METRICS.fullBackupAgeHours, unit: "None", publishEverySeconds: monitorEverySeconds, publisher: "database host (monitor.sh)", publishedBy: "both", meaning: "hours since the newest full backup in the region's repository stopped" },
  restoreTestAge: { kind: "custom", namespace: HOST_METRICS.backupNamespace, name: HOST_METRICS.restoreTestAgeDays, unit: "None", publishEverySeconds: monitorEverySeconds, publisher: "database host (monitor.sh)", publishedBy: "active", meaning: "days since the last successful restore test" },
  drillAge: { kind: "custom", namespace: DRILL_METRICS.namespace, name: DRILL_METRICS.ageDays, unit: "None", publishEverySeconds: DAY, publisher: "drills workflow (npm run drill)", publishedBy: "both", meaning: "days since the youngest passed drill of the testing schedule (0 after a passed drill; daily `npm run drill -- age` in between)" },
} as const satisfies Record<string, CustomMetric>;

const route53Health: HealthCheckMetric = { kind: "route53-health", namespace: "AWS/Route53", name: "HealthCheckStatus" };
const walRule: WalRuleMetric = { kind: "wal-rule", namespace: "AWS/Events", name: "MatchedEvents" };

/** CloudWatch's comparison for a runbook row's direction. */
export const comparisonFor = (breachWhen: "above" | "below"): Comparison => (breachWhen === "above" ? "GreaterThanThreshold" : "LessThanThreshold");

/**
 * The effective threshold of a rollback-trigger row: the config's tightened value where set
 * (`thresholds.<row>`; config.ts refuses a looser one), else the runbook's.
 */
export function effectiveThreshold(id: TriggerRowId, thresholds: CatalogSettings["thresholds"]): number {
  const configured = (thresholds as Partial<Record<TriggerRowId, number>>)[id];
  const runbook = rollbackTriggers[id].threshold;
  const value = configured ?? runbook;
  if (value === null) throw new Error(`rollbackTriggers.${id} has no threshold; its alarm must set one itself`);
  return value;
}

/**
 * The window a row's runbook duration asks for: `sustainedMinutes` split into periods of
 * `periodSeconds`, all of which must breach. Rows without a duration use `fallbackMinutes`.
 */
export function windowFor(sustainedMinutes: number | null, periodSeconds: number, fallbackMinutes: number): { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number } {
  const minutes = sustainedMinutes ?? fallbackMinutes;
  const periods = (minutes * MINUTE) / periodSeconds;
  if (!Number.isInteger(periods) || periods < 1) {
    throw new Error(`a window of ${minutes} min is not a whole number of ${periodSeconds} s periods`);
  }
  return { periodSeconds, evaluationPeriods: periods, datapointsToAlarm: periods };
}

const oneMinute = { periodSeconds: MINUTE, evaluationPeriods: 1, datapointsToAlarm: 1 };

const MISSING = {
  health: "a silent health check or database probe is an outage, not good news",
  rate: "no traffic means no failures: a quiet region (the passive one) must not page",
  freshness: "a silent publisher is a stale backup or WAL stream until proven otherwise",
  usage: "no requests is not an attack; the band judges traffic that exists",
} as const;

/** The catalog's rows as the tightened settings make them; the order is the table. */
export function alarmCatalog(settings: CatalogSettings): AlarmDefinition[] {
  const t = settings.thresholds;
  const trigger = (id: TriggerRowId) => rollbackTriggers[id];
  const rowBase = (id: TriggerRowId) => ({ row: id, description: trigger(id).text, source: TRIGGERS, metricRegion: "own-region" as MetricRegion, rollbackTrigger: true });
  const unsustained = (id: TriggerRowId) => windowFor(trigger(id).sustainedMinutes, MINUTE, unsustainedRowWindowMinutes);
  const percentRow = (
    id: "web-load-failures" | "api-error-rate" | "auth-failure-rate" | "task-create-failure-rate" | "model-api-failure-rate",
    numerator: CustomMetric,
    denominator: CustomMetric,
    component: ComponentId,
    severity: Severity,
  ): AlarmDefinition => ({
    ...rowBase(id),
    id,
    component,
    tier: recoveryObjectives[component].tier,
    expression: { kind: "percent", numerator, denominator },
    comparison: comparisonFor(trigger(id).breachWhen),
    threshold: effectiveThreshold(id, t),
    ...unsustained(id),
    treatMissingData: "notBreaching",
    missingDataReason: MISSING.rate,
    severity: { kind: "fixed", severity },
  });
  const rpoMinutes = settings.recovery.databaseRpoMinutes;
  const database = recoveryObjectives.database;

  return [
    {
      ...rowBase("api-health"),
      id: "api-health",
      component: "api",
      tier: recoveryObjectives.api.tier,
      expression: { kind: "metric", metric: route53Health, statistic: "Minimum" },
      comparison: comparisonFor(trigger("api-health").breachWhen),
      threshold: healthyStatus,
      ...oneMinute,
      treatMissingData: "breaching",
      missingDataReason: MISSING.health,
      severity: { kind: "follows-active-region", active: "P0" },
      metricRegion: "route53-metrics",
    },
    {
      ...rowBase("db-connect-time"),
      id: "db-connect-time",
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.dbConnectTime, statistic: "Maximum" },
      comparison: comparisonFor(trigger("db-connect-time").breachWhen),
      threshold: effectiveThreshold("db-connect-time", t),
      ...oneMinute,
      treatMissingData: "breaching",
      missingDataReason: MISSING.health,
      severity: { kind: "follows-active-region", active: "P0" },
    },
    percentRow("web-load-failures", customMetrics.webLoadFailures, customMetrics.webLoadAttempts, "web", "P1"),
    percentRow("api-error-rate", customMetrics.apiErrors, customMetrics.apiRequests, "api", "P1"),
    {
      ...rowBase("api-latency-p95"),
      id: "api-latency-p95",
      component: "api",
      tier: recoveryObjectives.api.tier,
      expression: { kind: "metric", metric: customMetrics.apiLatency, statistic: "p95" },
      comparison: comparisonFor(trigger("api-latency-p95").breachWhen),
      threshold: effectiveThreshold("api-latency-p95", t),
      ...unsustained("api-latency-p95"),
      treatMissingData: "notBreaching",
      missingDataReason: MISSING.rate,
      severity: { kind: "fixed", severity: "P1" },
    },
    {
      ...rowBase("db-query-time"),
      id: "db-query-time",
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.dbQueryTime, statistic: "Average" },
      comparison: comparisonFor(trigger("db-query-time").breachWhen),
      threshold: effectiveThreshold("db-query-time", t),
      ...unsustained("db-query-time"),
      treatMissingData: "notBreaching",
      missingDataReason: "no queries means no slow queries; a database that cannot be reached is db-connect-time's alarm",
      // "Significant performance degradation" is the runbook's P1, like API latency.
      severity: { kind: "fixed", severity: "P1" },
    },
    ...(["memory", "cpu"] as const).map(
      (id): AlarmDefinition => ({
        ...rowBase(id),
        id,
        component: "api",
        tier: recoveryObjectives.api.tier,
        expression: { kind: "metric", metric: id === "memory" ? customMetrics.memory : customMetrics.cpu, statistic: "Average" },
        comparison: comparisonFor(trigger(id).breachWhen),
        threshold: effectiveThreshold(id, t),
        ...windowFor(trigger(id).sustainedMinutes, MINUTE, unsustainedRowWindowMinutes),
        treatMissingData: "notBreaching",
        missingDataReason: "a host that stops publishing is caught by the health and connect-time alarms; utilisation alarms judge only data that exists",
        severity: { kind: "fixed", severity: id === "memory" ? "P1" : "P2" },
      }),
    ),
    percentRow("auth-failure-rate", customMetrics.authFailures, customMetrics.authAttempts, "auth", "P1"),
    percentRow("task-create-failure-rate", customMetrics.taskCreateFailures, customMetrics.taskCreateAttempts, "backgroundTasks", "P2"),
    percentRow("model-api-failure-rate", customMetrics.modelApiFailures, customMetrics.modelApiCalls, "mcpTools", "P2"),
    {
      ...rowBase("unauthorized-access"),
      id: "unauthorized-access",
      component: "auth",
      tier: recoveryObjectives.auth.tier,
      expression: { kind: "metric", metric: customMetrics.unauthorizedRequests, statistic: "Sum" },
      comparison: comparisonFor(trigger("unauthorized-access").breachWhen),
      threshold: effectiveThreshold("unauthorized-access", t),
      // One period as long as the runbook's duration: the count is per 5 minutes, not per minute.
      periodSeconds: trigger("unauthorized-access").sustainedMinutes! * MINUTE,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      missingDataReason: MISSING.usage,
      // A possible attack in progress needs the 15-minute response, not a 4-hour one; a breach itself is P0 by the security team's tooling.
      severity: { kind: "fixed", severity: "P1" },
    },
    {
      ...rowBase("suspicious-usage"),
      id: "suspicious-usage",
      component: "api",
      tier: recoveryObjectives.api.tier,
      expression: { kind: "anomaly-band", metric: customMetrics.apiRequests, statistic: "Sum", bandWidth: suspiciousUsageBandWidth },
      comparison: "LessThanLowerOrGreaterThanUpperThreshold",
      threshold: null,
      // Five-minute sums: per-minute request counts are too noisy for a useful band.
      ...windowFor(trigger("suspicious-usage").sustainedMinutes, 5 * MINUTE, unsustainedRowWindowMinutes),
      treatMissingData: "notBreaching",
      missingDataReason: MISSING.usage,
      severity: { kind: "fixed", severity: "P1" },
    },
    ...certExpiryAlarms(effectiveThreshold("cert-expiry", t)),
    {
      id: "wal-archive-freshness",
      row: "wal-archive-freshness",
      description: `No WAL segment reached the region's archive bucket within the database RPO (${rpoMinutes} min)`,
      source: RPO,
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: walRule, statistic: "Sum" },
      comparison: "LessThanThreshold",
      // At least one WAL object per RPO window (archive_timeout forces one every RPO/5).
      threshold: 1,
      periodSeconds: rpoMinutes * MINUTE,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // EventBridge publishes MatchedEvents only when a rule matched: no data is exactly "no WAL arrived".
      treatMissingData: "breaching",
      missingDataReason: MISSING.freshness,
      severity: { kind: "follows-active-region", active: "P0" },
      metricRegion: "own-region",
      rollbackTrigger: false,
    },
    ...repositoryWalAlarms({ rpoMinutes, publishEverySeconds: monitorEverySeconds, tier: database.tier, source: RPO }),
    {
      id: "replica-lag",
      row: "replica-lag",
      description: `The standby replays WAL more than the database RPO (${rpoMinutes} min) behind the primary`,
      source: RPO,
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.replicationLag, statistic: "Maximum" },
      comparison: "GreaterThanThreshold",
      threshold: rpoMinutes * MINUTE,
      // One period per datum the standby's monitor publishes: a shorter period would breach on
      // the empty minutes between two data (missing data breaches here).
      periodSeconds: customMetrics.replicationLag.publishEverySeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "breaching",
      missingDataReason: "a standby that stops reporting its lag may have stopped replicating; only the standby's region expects the metric",
      // P0 (runbook "data loss") where it can fire: only the standby publishes the metric, so the
      // alarm pages from the standby's (passive) region; the active region's copy is silent
      // (actionsEnabledFor, treatMissingDataFor). A fixed severity keeps the topic unchanged on a flip.
      severity: { kind: "fixed", severity: "P0" },
      metricRegion: "own-region",
      rollbackTrigger: false,
    },
    {
      id: "backup-missed",
      row: "backup-missed",
      description: `No full backup in the region's repository for ${backups.full.intervalHours + fullBackupGraceHours} h (daily at ${backups.full.timeUtc} UTC, ${fullBackupGraceHours} h grace)`,
      source: backups.full.source,
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.fullBackupAge, statistic: "Maximum" },
      comparison: "GreaterThanThreshold",
      threshold: backups.full.intervalHours + fullBackupGraceHours,
      // CloudWatch cannot look back more than a day: the host publishes the age, the alarm checks the latest one.
      periodSeconds: customMetrics.fullBackupAge.publishEverySeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "breaching",
      missingDataReason: MISSING.freshness,
      // A missed daily full shortens the promised PITR window: major impairment, not an outage.
      severity: { kind: "fixed", severity: "P1" },
      metricRegion: "own-region",
      rollbackTrigger: false,
    },
    {
      id: "restore-test-missed",
      row: "restore-test-missed",
      description: `No successful restore test for ${restoreTestMaxGapDays + restoreTestGraceDays} days (monthly)`,
      source: backups.restoreTest.source,
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.restoreTestAge, statistic: "Maximum" },
      comparison: "GreaterThanThreshold",
      threshold: restoreTestMaxGapDays + restoreTestGraceDays,
      periodSeconds: customMetrics.restoreTestAge.publishEverySeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "breaching",
      missingDataReason: "a silent restore-test clock is an untested backup; only the active region expects the metric",
      // Overdue verification, nothing broken yet: an isolated failure.
      severity: { kind: "fixed", severity: "P2" },
      metricRegion: "own-region",
      rollbackTrigger: false,
    },
    {
      id: "drill-overdue",
      row: "drill-overdue",
      description: `No passed DR drill for ${drillAgeAlarmDays} days (quarterly: 3 × 31 d + ${drills["quarterly-dr-simulation"].graceDays} d grace)`,
      source: "Regular Testing Schedule",
      component: "database",
      tier: database.tier,
      expression: { kind: "metric", metric: customMetrics.drillAge, statistic: "Maximum" },
      comparison: "GreaterThanThreshold",
      threshold: drillAgeAlarmDays,
      // One period per daily datum. CloudWatch cannot look back a quarter: "An alarm's total current
      // evaluation period can be no longer than seven days, so Period multiplied by EvaluationPeriods
      // can't be more than 604,800 seconds" (PutMetricAlarm API reference, Period). So the age is
      // published every day (drill-age.yml) and the alarm judges the latest datum.
      periodSeconds: customMetrics.drillAge.publishEverySeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "breaching",
      missingDataReason: "a silent drill clock is an unpractised failover until proven otherwise (no passed drill publishes nothing)",
      // Overdue practice, nothing broken yet: an isolated failure, like the missed restore test.
      severity: { kind: "fixed", severity: "P2" },
      metricRegion: "own-region",
      rollbackTrigger: false,
    },
  ];
}

/**
 * The certificate row's two alarms: a P3 warning below the (tightenable) runbook threshold and a
 * P1 below `certExpiryUrgentDays`. Only the urgent one is a rollback trigger: the warning holds
 * for weeks before every renewal and would roll back every deploy in that time.
 */
function certExpiryAlarms(warningDays: number): AlarmDefinition[] {
  const row = rollbackTriggers["cert-expiry"];
  const base = {
    row: "cert-expiry" as const,
    source: TRIGGERS,
    component: "api" as const,
    tier: recoveryObjectives.api.tier,
    expression: { kind: "metric" as const, metric: customMetrics.tlsDaysToExpiry, statistic: "Minimum" as const },
    comparison: comparisonFor(row.breachWhen),
    periodSeconds: DAY,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    metricRegion: "own-region" as const,
  };
  return [
    {
      ...base,
      id: "cert-expiry-warning",
      description: `${row.text}: under ${warningDays} days left`,
      threshold: warningDays,
      treatMissingData: "breaching",
      missingDataReason: "a day without a certificate check hides an expiring certificate; at P3 a dead checker gets a ticket, not a page",
      severity: { kind: "fixed", severity: "P3" },
      rollbackTrigger: false,
    },
    {
      ...base,
      id: "cert-expiry-urgent",
      description: `${row.text}: under ${certExpiryUrgentDays} days left`,
      threshold: certExpiryUrgentDays,
      treatMissingData: "notBreaching",
      missingDataReason: "the P3 warning already breaches on a silent checker; a P1 page needs a measured short expiry",
      severity: { kind: "fixed", severity: "P1" },
      rollbackTrigger: true,
    },
  ];
}
