/**
 * Reads CloudWatch metric alarms as the engine shows them: which metrics an alarm watches
 * (directly or through metric math) and over how long a window it decides. Pure functions.
 */
import type { PolicyResource } from "@pulumi/policy";
import { knownString } from "./stackView";

export const metricAlarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";

export interface WatchedMetric {
  namespace?: string;
  metricName?: string;
  /** Seconds. */
  period?: number;
}

type Props = Record<string, any>;

/** The metrics an alarm watches: its own, or those of its metric queries. */
export function watchedMetrics(props: Props): WatchedMetric[] {
  const own: WatchedMetric[] = props.metricName ? [{ namespace: props.namespace, metricName: props.metricName, period: props.period }] : [];
  const queries: WatchedMetric[] = (Array.isArray(props.metricQueries) ? props.metricQueries : [])
    .filter((q: Props) => q?.metric)
    .map((q: Props) => ({ namespace: q.metric.namespace, metricName: q.metric.metricName, period: q.metric.period ?? q.period }));
  return [...own, ...queries];
}

export function watches(props: Props, namespace: string, metricName: string): boolean {
  return watchedMetrics(props).some((m) => m.namespace === namespace && m.metricName === metricName);
}

/** Seconds of data the alarm looks at before it fires: period × evaluation periods. */
export function alarmWindowSeconds(props: Props): number | undefined {
  const period = typeof props.period === "number" ? props.period : Math.max(0, ...watchedMetrics(props).map((m) => m.period ?? 0));
  const evaluations = props.evaluationPeriods;
  return period > 0 && typeof evaluations === "number" ? period * evaluations : undefined;
}

/** The alarm's name: its `name` input, else the logical name. */
export function alarmName(alarm: PolicyResource | { props: Props; name: string }): string {
  return knownString(alarm.props.name) ?? alarm.name;
}

/** Whether the alarm notifies someone when it fires. */
export function hasAlarmActions(props: Props): boolean {
  return props.actionsEnabled !== false && Array.isArray(props.alarmActions) && props.alarmActions.length > 0;
}
