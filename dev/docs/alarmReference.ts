/**
 * docs/reference/alarms.md and docs/reference/metric-contract.md, rendered from the alarm
 * catalog (`domain/alarmCatalog.ts`). Pure: the caller passes the catalog built from a stack's
 * effective settings.
 */
import { renderMetricContract } from "../../domain/metricContract";
import type { AlarmDefinition, AlarmExpression, WatchedMetric } from "../../domain/alarmTypes";
import { generatedNotice, markdownTable } from "./markdown";

const metricName = (metric: WatchedMetric) => `${metric.namespace} ${metric.name}`;

function expressionText(expression: AlarmExpression): string {
  switch (expression.kind) {
    case "metric":
      return `${expression.statistic} of ${metricName(expression.metric)}`;
    case "percent":
      return `100 × Sum of ${metricName(expression.numerator)} / Sum of ${metricName(expression.denominator)}`;
    case "anomaly-band":
      return `${expression.statistic} of ${metricName(expression.metric)}, anomaly band of ${expression.bandWidth} standard deviations`;
  }
}

/** The threshold's unit: a percentage, the metric's own unit, or nothing for unitless metrics. */
function thresholdUnit(alarm: AlarmDefinition): string {
  const { expression } = alarm;
  if (expression.kind === "percent") return " %";
  const metric = expression.metric;
  if (metric.kind === "route53-health") return " (1 = healthy)";
  if (metric.kind === "wal-rule") return " events";
  return metric.unit === "None" || metric.unit === "Count" ? "" : ` ${metric.unit}`;
}

const comparisonSymbol: Record<AlarmDefinition["comparison"], string> = {
  GreaterThanThreshold: ">",
  LessThanThreshold: "<",
  LessThanLowerOrGreaterThanUpperThreshold: "outside the band",
};

function thresholdText(alarm: AlarmDefinition): string {
  if (alarm.threshold === null) return comparisonSymbol[alarm.comparison];
  return `${comparisonSymbol[alarm.comparison]} ${alarm.threshold}${thresholdUnit(alarm)}`;
}

function periodText(alarm: AlarmDefinition): string {
  const s = alarm.periodSeconds;
  const period = s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;
  return `${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} × ${period}`;
}

function severityText(alarm: AlarmDefinition): string {
  return alarm.severity.kind === "fixed" ? alarm.severity.severity : `${alarm.severity.active} in the active region, one level lower in the passive one`;
}

const regionRule: Record<AlarmDefinition["metricRegion"], string> = {
  "own-region": "one per region role, in that region",
  "route53-metrics": "one per region role, in us-east-1 (Route53 metrics live there only)",
};

export function renderAlarmReference(alarms: readonly AlarmDefinition[], stack: string): string {
  const rows = alarms.map((alarm) => [
    `\`${alarm.id}\``,
    expressionText(alarm.expression),
    thresholdText(alarm),
    periodText(alarm),
    severityText(alarm),
    regionRule[alarm.metricRegion],
    alarm.rollbackTrigger ? "yes" : "no",
    `${alarm.treatMissingData}: ${alarm.missingDataReason}`,
    `${alarm.description} (${alarm.source})`,
  ]);
  return [
    "# Alarms",
    "",
    generatedNotice(`the alarm catalog (\`alarmCatalog\` in \`domain/alarmCatalog.ts\`) with the ${stack} stack's settings`),
    "",
    "Every CloudWatch alarm the stack declares, named `crazy-gary-<environment>-<id>-<role>`, with the",
    `thresholds the ${stack} stack's settings give (the runbook's, or tighter from \`thresholds.<row>\`;`,
    "thresholds are shared settings, so dr has the same). Period: datapoints that must breach, of the",
    "periods evaluated, × the period. Rollback trigger: whether the deploy pipeline's composite",
    "rollback alarm includes it (active region only). How alarms page: [guides/alarms.md](../guides/alarms.md).",
    "",
    markdownTable(["alarm", "metric", "threshold", "period", "severity", "region rule", "rollback trigger", "missing data", "meaning (runbook section)"], rows),
    "",
  ].join("\n");
}

export const metricContractStart = "<!-- metric-contract:start -->";
export const metricContractEnd = "<!-- metric-contract:end -->";

export function renderMetricContractReference(alarms: readonly AlarmDefinition[]): string {
  return [
    "# Metric contract",
    "",
    generatedNotice("`renderMetricContract` in `domain/metricContract.ts`"),
    "",
    "The API, the web app and the database hosts must publish these metrics, each with dimensions",
    "`Environment` (the stack's `environment`) and `Region` (the region code the publisher runs in), to",
    "CloudWatch in their own region. Counts must be published as 0 in a quiet minute (the alarms read a",
    "missing failure count as 0, but a missing attempt count as no traffic). The alarms that read them:",
    "[alarms.md](alarms.md).",
    "",
    metricContractStart,
    renderMetricContract(alarms),
    metricContractEnd,
    "",
  ].join("\n");
}
