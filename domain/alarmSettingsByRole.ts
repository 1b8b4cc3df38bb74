/**
 * The settings of one catalog alarm in one region role, given the active role: its severity there,
 * whether that region publishes its metric, whether it pages, and what missing data means. Pure;
 * a flip changes these settings, never which region an alarm lives in.
 */
import type { AlarmDefinition, CustomMetric, TreatMissingData } from "./alarmTypes";
import { severities, type Severity } from "./runbook";
import type { RegionRole } from "./topology";

/** The severity one level below `severity` (P3 stays P3). */
export function oneLevelLower(severity: Severity): Severity {
  return severities[Math.min(severities.indexOf(severity) + 1, severities.length - 1)];
}

/** The severity an alarm pages with in `role`'s region while `activeRole` serves traffic. */
export function severityFor(alarm: Pick<AlarmDefinition, "severity">, role: RegionRole, activeRole: RegionRole): Severity {
  if (alarm.severity.kind === "fixed") return alarm.severity.severity;
  return role === activeRole ? alarm.severity.active : oneLevelLower(alarm.severity.active);
}

/** The metric whose publishing region decides where missing data is expected, if any. */
function publishedMetric(alarm: AlarmDefinition): CustomMetric | undefined {
  const expression = alarm.expression;
  if (expression.kind === "percent") return expression.denominator;
  return expression.metric.kind === "custom" ? expression.metric : undefined;
}

/** Whether `role`'s region publishes the alarm's metric while `activeRole` is active. */
export function expectsMetric(alarm: AlarmDefinition, role: RegionRole, activeRole: RegionRole): boolean {
  const publishedBy = publishedMetric(alarm)?.publishedBy ?? "both";
  if (publishedBy === "both") return true;
  return publishedBy === "active" ? role === activeRole : role !== activeRole;
}

/**
 * Whether the alarm in `role`'s region pages: only where its metric is published. The standby's
 * replica lag pages (P0) in the standby's region; the copy in the active region has no data,
 * treats missing data as not breaching, and its actions are off. On a flip the two swap settings;
 * neither moves.
 */
export function actionsEnabledFor(alarm: AlarmDefinition, role: RegionRole, activeRole: RegionRole): boolean {
  return expectsMetric(alarm, role, activeRole);
}

/**
 * `treatMissingData` for the alarm in `role`'s region: the catalog's choice, except that an
 * alarm never breaches on data its region is not expected to publish (the standby's lag has no
 * data in the active region; the restore test runs only in the active region): there it is `notBreaching`.
 */
export function treatMissingDataFor(alarm: AlarmDefinition, role: RegionRole, activeRole: RegionRole): TreatMissingData {
  if (alarm.treatMissingData === "breaching" && !expectsMetric(alarm, role, activeRole)) return "notBreaching";
  return alarm.treatMissingData;
}
