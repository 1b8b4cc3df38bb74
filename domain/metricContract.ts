/**
 * The metric contract (docs/reference/metric-contract.md): the custom metrics the API, web app
 * and database hosts must publish, derived from the alarm catalog so the two cannot drift apart.
 */
import type { AlarmDefinition, AlarmId, CustomMetric, PublishedBy } from "./alarmTypes";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every custom metric the catalog watches, once each, in catalog order. */
export function contractMetrics(alarms: readonly AlarmDefinition[]): { metric: CustomMetric; alarms: AlarmId[] }[] {
  const byKey = new Map<string, { metric: CustomMetric; alarms: AlarmId[] }>();
  for (const alarm of alarms) {
    const expression = alarm.expression;
    const metrics = expression.kind === "percent" ? [expression.numerator, expression.denominator] : expression.metric.kind === "custom" ? [expression.metric] : [];
    for (const metric of metrics) {
      const key = `${metric.namespace}/${metric.name}`;
      const entry = byKey.get(key) ?? { metric, alarms: [] };
      if (!entry.alarms.includes(alarm.id)) entry.alarms.push(alarm.id);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** Dimensions every custom metric carries. */
export const customMetricDimensions = ["Environment", "Region"] as const;

const every = (seconds: number) => (seconds % DAY === 0 ? `${seconds / DAY} d` : seconds % HOUR === 0 ? `${seconds / HOUR} h` : seconds % MINUTE === 0 ? `${seconds / MINUTE} min` : `${seconds} s`);
const publishedByNote = (publishedBy: PublishedBy) => (publishedBy === "standby" ? " (standby only)" : publishedBy === "active" ? " (active region only)" : "");

/**
 * The metric contract (docs/reference/metric-contract.md): the custom metrics the API, web app and database hosts must
 * publish, one markdown table row per metric, rendered from the alarm catalog.
 */
export function renderMetricContract(alarms: readonly AlarmDefinition[]): string {
  const header = [
    "| namespace | name | unit | dimensions | how often | who publishes | meaning | alarms |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const rows = contractMetrics(alarms).map(
    ({ metric, alarms: ids }) =>
      `| ${metric.namespace} | ${metric.name} | ${metric.unit} | ${customMetricDimensions.join(", ")} | every ${every(metric.publishEverySeconds)} | ${metric.publisher}${publishedByNote(metric.publishedBy)} | ${metric.meaning} | ${ids.join(", ")} |`,
  );
  return [...header, ...rows].join("\n");
}
