/**
 * CloudWatch: alarms by resolution and by the metrics they read, composite alarms, dashboards,
 * and log groups (ingestion and storage by the retention the plan declares).
 * Pricing: https://aws.amazon.com/cloudwatch/pricing/ (alarms are billed per metric they read:
 * a metric-math alarm per metric in its expression, an anomaly-detection alarm as three).
 */
import type { LineDraft, Pricer, PlannedResource } from "../context";
import { inputOf } from "../context";
import { logStoredGiB, walSegmentsPerDay } from "../usage";
import { activeRegionCode } from "../../activeRegion";

interface MetricQuery {
  expression?: string;
  metric?: { period?: number };
}

/** The type token of a URN (`crazygary:dr:ApplicationLogs`), the last of its `$`-joined parent types. */
export const typeOfUrn = (urn: string | null | undefined): string => (urn ? (urn.split("::")[2] ?? "").split("$").pop()! : "");

/** Metrics an alarm is billed for, and whether any of them is high-resolution (a period under 60 s). */
export function alarmMetrics(inputs: Record<string, unknown>): { metrics: number; anomalyDetection: boolean; highResolution: boolean } {
  const queries = (inputs.metricQueries as MetricQuery[] | undefined) ?? [];
  const periods = queries.length > 0 ? queries.flatMap((q) => (q.metric?.period !== undefined ? [q.metric.period] : [])) : [Number(inputs.period ?? 60)];
  const anomalyDetection = queries.some((q) => /ANOMALY_DETECTION_BAND/.test(q.expression ?? ""));
  const read = queries.length > 0 ? queries.filter((q) => q.metric).length : 1;
  return { metrics: anomalyDetection ? read * 3 : read, anomalyDetection, highResolution: periods.some((p) => p < 60) };
}

export const priceMetricAlarm: Pricer = (resource) => {
  const { metrics, anomalyDetection, highResolution } = alarmMetrics(resource.inputs);
  const what = anomalyDetection ? "anomaly-detection alarm (3 metrics per metric read)" : metrics > 1 ? `metric-math alarm reading ${metrics} metrics` : "alarm on one metric";
  return [{ item: `${highResolution ? "high-resolution" : "standard-resolution"} ${what}`, priceId: highResolution ? "cloudwatch.alarm.highResolution" : "cloudwatch.alarm.standard", quantity: metrics }];
};

export const priceCompositeAlarm: Pricer = () => [{ item: "composite alarm", priceId: "cloudwatch.alarm.composite", quantity: 1 }];

export const priceDashboard: Pricer = () => [{ item: "dashboard", priceId: "cloudwatch.dashboard", quantity: 1 }];

/** guess: an S3 event delivered by EventBridge to a log group is about 1 KiB of log data. */
export const eventLogKiB = 1;

/** GiB a log group ingests per day: the application logs of the active region from config, the WAL-archive event log from the WAL segments. */
function logGiBPerDay(resource: PlannedResource, context: Parameters<Pricer>[1], inActiveRegion: boolean): { perDay: number; basis: string } {
  const parentType = typeOfUrn(resource.parent);
  if (parentType === "crazygary:dr:ApplicationLogs") {
    if (!inActiveRegion) return { perDay: 0, basis: "application logs are written in the active region only" };
    return { perDay: context.settings.logGiBPerDay, basis: `cost.logGiBPerDay ${context.settings.logGiBPerDay} (active region's application log group)` };
  }
  if (parentType === "crazygary:dr:WalArchiveEvents") {
    const segments = walSegmentsPerDay(context.settings, context.archiveTimeoutSeconds);
    return { perDay: (segments.value * eventLogKiB) / 2 ** 20, basis: `one ~${eventLogKiB} KiB S3 event (guess) per WAL segment: ${Math.round(segments.value)} a day (${segments.basis})` };
  }
  return { perDay: 0, basis: "no estimate for this log group: counted empty" };
}

export const priceLogGroup: Pricer = (resource, context) => {
  const retention = inputOf<number>(resource, "retentionInDays");
  const { perDay, basis } = logGiBPerDay(resource, context, resource.region === activeRegionCode(context));
  const lines: LineDraft[] = [
    { item: "log ingestion", priceId: "cloudwatch.logs.ingestion", quantity: perDay * context.prices.daysPerMonth, estimate: basis },
    {
      item: `log storage (retention ${retention === undefined ? "none: a year counted" : `${retention} d`})`,
      priceId: "cloudwatch.logs.storage",
      quantity: logStoredGiB(perDay, retention),
      estimate: `${basis}, kept ${retention ?? "365 (no retention)"} d; uncompressed, an upper bound`,
    },
  ];
  return lines;
};
