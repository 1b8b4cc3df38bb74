/**
 * The alarm catalog's vocabulary: which rows have alarms, what an alarm watches (custom,
 * Route53 and WAL-rule metrics, ratios, anomaly bands), how it breaches, whom it pages. The
 * catalog (`alarmCatalog.ts`) is data of these types; `AlarmSet` turns each into CloudWatch alarms.
 */
import type { RecoverySettings, RegionRole } from "./topology";
import type { ComponentId, RollbackTriggerId, RunbookSection, Severity, Tier } from "./runbook";

/** Rows of "Automated Rollback Triggers" that have an alarm (the others carry a `noAlarmReason`). */
export type TriggerRowId = Exclude<RollbackTriggerId, "payment-failures" | "data-breach-indicators">;

/** Rows the runbook implies through its RPO and backup promises but never wrote down as alarms. */
export type RecoveryRowId = "wal-archive-freshness" | "repository-wal-age" | "replica-lag" | "backup-missed" | "restore-test-missed" | "drill-overdue";

export type AlarmRowId = TriggerRowId | RecoveryRowId;

/** Alarm ids: one per row, except `cert-expiry` (a warning and an urgent alarm) and `repository-wal-age` (one per repository). */
export type AlarmId =
  | Exclude<AlarmRowId, "cert-expiry" | "repository-wal-age">
  | "cert-expiry-warning"
  | "cert-expiry-urgent"
  | `repository-wal-age-${RegionRole}`;

/** CloudWatch units the contract asks publishers to use (CloudWatch has no hours or days unit). */
export type MetricUnit = "Count" | "Milliseconds" | "Seconds" | "Percent" | "None";

/** Who puts a custom metric into CloudWatch. */
export type Publisher = "API service" | "web app" | "every host" | "database host (monitor.sh)" | "drills workflow (npm run drill)";

/** Which region publishes a metric: both, only the active one (the leader's), or only the standby's. */
export type PublishedBy = "both" | "active" | "standby";

/** A metric the Crazy-Gary services publish themselves (namespace `CrazyGary/...`), with dimensions Environment and Region. */
export interface CustomMetric {
  kind: "custom";
  namespace: `CrazyGary/${string}`;
  name: string;
  unit: MetricUnit;
  /** How often the publisher sends a datum, in seconds. */
  publishEverySeconds: number;
  publisher: Publisher;
  /** Which region publishes it; alarms breach on missing data only where the metric is expected. */
  publishedBy: PublishedBy;
  /** What one datum measures, for the contract. */
  meaning: string;
}

/** Route53's `HealthCheckStatus` for the region role's `/health` check; lives in us-east-1 only. */
export interface HealthCheckMetric {
  kind: "route53-health";
  namespace: "AWS/Route53";
  name: "HealthCheckStatus";
}

/** EventBridge's `MatchedEvents` for the region's WAL-archive rule (dimension RuleName). */
export interface WalRuleMetric {
  kind: "wal-rule";
  namespace: "AWS/Events";
  name: "MatchedEvents";
}

export type WatchedMetric = CustomMetric | HealthCheckMetric | WalRuleMetric;

export type Statistic = "Minimum" | "Maximum" | "Average" | "Sum" | "p95";

/** What an alarm evaluates: one metric's statistic, a percentage of two counts, or an anomaly band. */
export type AlarmExpression =
  | { kind: "metric"; metric: WatchedMetric; statistic: Statistic }
  | {
      kind: "percent";
      /** The failures counted (summed per period). */
      numerator: CustomMetric;
      /** All attempts counted (summed per period). */
      denominator: CustomMetric;
    }
  | {
      kind: "anomaly-band";
      metric: CustomMetric;
      statistic: Statistic;
      /** Width of the expected band, in standard deviations. */
      bandWidth: number;
    };

export type Comparison = "GreaterThanThreshold" | "LessThanThreshold" | "LessThanLowerOrGreaterThanUpperThreshold";
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/** How an alarm's severity is chosen. */
export type SeverityRule =
  | {
      kind: "follows-active-region";
      /** Severity in the active region; the passive region pages one level lower. */
      active: Severity;
    }
  | { kind: "fixed"; severity: Severity };

/** Where the metric lives: in the region role's own region, or in Route53's metrics region (us-east-1). */
export type MetricRegion = "own-region" | "route53-metrics";

export interface AlarmDefinition {
  id: AlarmId;
  row: AlarmRowId;
  /** What the alarm means, in the runbook's words where it has them. */
  description: string;
  source: RunbookSection;
  /** The component the row watches (groups the dashboard by tier). */
  component: ComponentId;
  tier: Tier;
  expression: AlarmExpression;
  comparison: Comparison;
  /** In the unit of the expression (ms, percent, count, hours, days, events); `null` for anomaly bands. */
  threshold: number | null;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** How CloudWatch treats a period without data where the region is expected to publish (see `treatMissingDataFor`). */
  treatMissingData: TreatMissingData;
  /** Why `treatMissingData` is what it is. */
  missingDataReason: string;
  severity: SeverityRule;
  metricRegion: MetricRegion;
  /**
   * The region role whose region is the metric's `Region` dimension, when it is not the alarm's
   * own: the per-repository WAL alarms watch every repository from every region.
   * @default the alarm's own region role
   */
  repository?: RegionRole;
  /** Whether the deploy pipeline's rollback composite includes this alarm (active region only). */
  rollbackTrigger: boolean;
}

/** The effective settings the catalog depends on (the zod-parsed, possibly tightened config). */
export interface CatalogSettings {
  /** Thresholds tightened in stack config (`thresholds.<row>`); a missing row uses the runbook's. */
  thresholds: Partial<Record<TriggerRowId, number>>;
  /** The database RPO and `archive_timeout` in effect. */
  recovery: RecoverySettings;
}
