/**
 * The metric part of one alarm's `MetricAlarm` args (`AlarmSet`): a single metric with its
 * dimensions, or metric math for a percentage or an anomaly band.
 */
import type * as aws from "../aws";
import type * as pulumi from "@pulumi/pulumi";
import type { customMetricDimensions } from "../../domain/metricContract";
import type { AlarmDefinition, CustomMetric, WatchedMetric } from "../../domain/alarmTypes";

/** Values an alarm's metric dimensions need, per role. */
export interface DimensionValues {
  environment: string;
  region: string;
  healthCheckId: pulumi.Input<string>;
  walRuleName: pulumi.Input<string>;
}

function customDimensions(values: DimensionValues): Record<(typeof customMetricDimensions)[number], string> {
  return { Environment: values.environment, Region: values.region };
}

function dimensionsOf(metric: WatchedMetric, values: DimensionValues): Record<string, pulumi.Input<string>> {
  if (metric.kind === "route53-health") return { HealthCheckId: values.healthCheckId };
  if (metric.kind === "wal-rule") return { RuleName: values.walRuleName };
  return customDimensions(values);
}

const statisticArgs = (statistic: string) => (/^p\d+(\.\d+)?$/.test(statistic) ? { extendedStatistic: statistic } : { statistic });

const metricQuery = (id: string, metric: CustomMetric, stat: string, periodSeconds: number, values: DimensionValues, returnData: boolean) => ({
  id,
  returnData,
  metric: { namespace: metric.namespace, metricName: metric.name, dimensions: customDimensions(values), period: periodSeconds, stat },
});

/** The metric part of a `MetricAlarm`'s args for a catalog entry: one metric, or metric math. */
export function alarmMetricArgs(alarm: AlarmDefinition, values: DimensionValues): Partial<aws.cloudwatch.MetricAlarmArgs> {
  const e = alarm.expression;
  switch (e.kind) {
    case "metric":
      return { namespace: e.metric.namespace, metricName: e.metric.name, dimensions: dimensionsOf(e.metric, values), ...statisticArgs(e.statistic), period: alarm.periodSeconds, threshold: alarm.threshold! };
    case "percent":
      return {
        threshold: alarm.threshold!,
        metricQueries: [
          metricQuery("failures", e.numerator, "Sum", alarm.periodSeconds, values, false),
          metricQuery("attempts", e.denominator, "Sum", alarm.periodSeconds, values, false),
          // FILL: a quiet minute without a failures datum is 0 %, not missing.
          { id: "percent", expression: "100 * FILL(failures, 0) / attempts", label: `${e.numerator.name} as % of ${e.denominator.name}`, returnData: true },
        ],
      };
    case "anomaly-band":
      return {
        thresholdMetricId: "band",
        metricQueries: [
          metricQuery("observed", e.metric, e.statistic, alarm.periodSeconds, values, true),
          { id: "band", expression: `ANOMALY_DETECTION_BAND(observed, ${e.bandWidth})`, label: `expected ${e.metric.name}`, returnData: true },
        ],
      };
  }
}
