/**
 * Coverage rule: every row of the runbook's "Automated Rollback Triggers" table (except those
 * that give a reason for having none) has a CloudWatch alarm that notifies someone, at a
 * threshold no looser than the runbook's. An alarm belongs to a row when the row id appears in
 * its name, its logical name or a tag value (`api-error-rate`).
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { rollbackTriggers, type RollbackTrigger, type RollbackTriggerId } from "../domain/runbook";
import { alarmName, hasAlarmActions, metricAlarmType } from "./alarms";
import { stackPolicy } from "./define";
import { resolveSettings } from "./settings";

export const coveragePolicyNames = { rollbackAlarms: "coverage-rollback-alarms" } as const;

/** The rows that must have an alarm. */
export const alarmedRows = (Object.entries(rollbackTriggers) as [RollbackTriggerId, RollbackTrigger][]).filter(([, row]) => row.noAlarmReason === undefined);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether `alarm` is declared for runbook row `id`. */
export function isAlarmFor(alarm: PolicyResource, id: string): boolean {
  const pattern = new RegExp(`(^|[^a-z0-9])${escape(id)}([^a-z0-9]|$)`);
  const tags = alarm.props.tags && typeof alarm.props.tags === "object" ? Object.values(alarm.props.tags) : [];
  return [alarmName(alarm), alarm.name, ...tags].some((text) => typeof text === "string" && pattern.test(text));
}

/** Whether the alarm's threshold is at least as strict as the row's. */
export function meetsThreshold(alarm: PolicyResource, row: RollbackTrigger): boolean {
  if (row.threshold === null) return true;
  const threshold = alarm.props.threshold;
  if (typeof threshold !== "number") return false;
  return row.breachWhen === "above" ? threshold <= row.threshold : threshold >= row.threshold;
}

function checkCoverage(resources: readonly PolicyResource[], report: ReportViolation): void {
  const alarms = resources.filter((r) => r.type === metricAlarmType);
  for (const [id, row] of alarmedRows) {
    const mine = alarms.filter((a) => isAlarmFor(a, id));
    if (mine.length === 0) {
      report(`runbook rollback trigger "${id}" (${row.text}) has no alarm; declare one in AlarmSet, or give the row a noAlarmReason in domain/runbook.ts`);
      continue;
    }
    for (const alarm of mine.filter((a) => !hasAlarmActions(a.props))) {
      report(`alarm ${alarmName(alarm)} for rollback trigger "${id}" notifies no one; give it alarmActions (the SNS topic of its severity) and leave actionsEnabled on`, alarm.urn);
    }
    if (row.threshold !== null && !mine.some((a) => meetsThreshold(a, row))) {
      const bound = row.breachWhen === "above" ? "<=" : ">=";
      report(
        `no alarm for rollback trigger "${id}" fires at the runbook's threshold: thresholds ${mine.map((a) => a.props.threshold).join(", ")} but the runbook needs ${bound} ${row.threshold} ${row.unit ?? ""}`.trim(),
        mine[0].urn,
      );
    }
  }
}

/** The coverage policy (rows and thresholds are the runbook's; `overrides` are validated all the same). */
export function createCoveragePolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  return [
    stackPolicy(
      { name: coveragePolicyNames.rollbackAlarms, description: "Every runbook rollback-trigger row has an alarm with actions at a threshold no looser than the runbook's.", settings: [] },
      settings,
      (resources, _s, report) => checkCoverage(resources, report),
    ),
  ];
}
