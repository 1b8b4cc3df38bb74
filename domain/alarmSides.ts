/**
 * How one catalog alarm behaves in one region while another may be active: its severity there,
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

/** The severity an alarm pages with in `role`'s region while `activeRegion` serves traffic. */
export function severityFor(alarm: Pick<AlarmDefinition, "severity">, role: RegionRole, activeRegion: RegionRole): Severity {
  if (alarm.severity.kind === "fixed") return alarm.severity.severity;
  return role === activeRegion ? alarm.severity.active : oneLevelLower(alarm.severity.active);
}

/** The metric whose publishing side decides where missing data is expected, if any. */
function publishedMetric(alarm: AlarmDefinition): CustomMetric | undefined {
  const expression = alarm.expression;
  if (expression.kind === "percent") return expression.denominator;
  return expression.metric.kind === "custom" ? expression.metric : undefined;
}

/** Whether `role`'s region publishes the alarm's metric while `activeRegion` is active. */
export function expectsMetric(alarm: AlarmDefinition, role: RegionRole, activeRegion: RegionRole): boolean {
  const side = publishedMetric(alarm)?.side ?? "both";
  if (side === "both") return true;
  return side === "active" ? role === activeRegion : role !== activeRegion;
}

/**
 * Whether the alarm in `role`'s region pages: only where its metric is published. The standby's
 * replica lag pages (P0) in the standby's region; the copy in the active region has no data,
 * treats missing data as not breaching, and its actions are off. On a flip the two swap settings;
 * neither moves.
 */
export function actionsEnabledFor(alarm: AlarmDefinition, role: RegionRole, activeRegion: RegionRole): boolean {
  return expectsMetric(alarm, role, activeRegion);
}

/**
 * `treatMissingData` for the alarm in `role`'s region: the catalog's choice, except that an
 * alarm never breaches on data its region is not expected to publish (the standby's lag has no
 * data on the primary; the restore test runs only on the active side): there it is `notBreaching`.
 */
export function treatMissingDataFor(alarm: AlarmDefinition, role: RegionRole, activeRegion: RegionRole): TreatMissingData {
  if (alarm.treatMissingData === "breaching" && !expectsMetric(alarm, role, activeRegion)) return "notBreaching";
  return alarm.treatMissingData;
}
