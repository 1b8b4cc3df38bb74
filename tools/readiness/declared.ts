/**
 * What a stack declares for its recovery objectives, read from its evaluated plan (the same
 * evaluation `npm run plan` prints) and from the drill workflow: resource names, the figures
 * the resources carry, and the rendered host files. Reads through the policy pack's own
 * readers (policies/), so the report and the pack see the same stack.
 */
import type { PolicyResource } from "@pulumi/policy";
import { parse } from "yaml";
import { patroniFlipType } from "../../components/patroniFlip";
import type { DeclaredFailover, DeclaredRecovery } from "../../domain/readinessRows";
import { cronFor, drillIds, drills, monthsBetweenCalendarRuns, monthsBetweenCronRuns, type DrillId } from "../../domain/testingSchedule";
import { alarmName, metricAlarmType, watches } from "../../policies/alarms";
import { toPolicyResources, type PlannedResource } from "../../policies/engine";
import { childChecksOf, failoverRecords, healthCheckOf, route53Defaults, worstCaseFailoverSeconds } from "../../policies/failover";
import { archiveTimeoutsSeconds } from "../../policies/postgresSettings";
import { replicationLagMetric } from "../../policies/rpo";
import { ancestorOfType, databaseHosts } from "../../policies/stackView";
import { findBackupTimers, maxGapHours } from "../../policies/systemdCalendar";

/** The plan as `npm run plan -- --format json` prints it (resources and outputs are all this reads). */
export interface PlanView {
  stack: string;
  resources: readonly PlannedResource[];
  outputs: Record<string, unknown>;
}

const timing = (check: PolicyResource): number =>
  (check.props.requestInterval ?? route53Defaults.requestIntervalSeconds) * (check.props.failureThreshold ?? route53Defaults.failureThreshold);

function failover(resources: readonly PolicyResource[]): DeclaredFailover[] {
  const found = failoverRecords(resources).flatMap((record) => {
    const label = String(record.props.name).split(".")[0];
    const check = healthCheckOf(resources, record);
    if ((label !== "api" && label !== "app") || typeof check !== "object") return [];
    // A record's routing check is CALCULATED over the endpoint checks that detect the failure.
    const children = childChecksOf(resources, check);
    const endpointChecks = children.length > 0 ? children : [check];
    const slowest = endpointChecks.reduce((a, b) => (timing(b) > timing(a) ? b : a));
    return [{ label: label as "api" | "app", record, check: slowest, worst: worstCaseFailoverSeconds(endpointChecks, record) }];
  });
  return (["api", "app"] as const).flatMap((hostname) => {
    const mine = found.filter((f) => f.label === hostname);
    if (mine.length === 0) return [];
    const worst = mine.reduce((a, b) => (b.worst.seconds > a.worst.seconds ? b : a));
    return [{
      hostname,
      records: mine.map((f) => f.record.name),
      healthChecks: mine.map((f) => f.check.name),
      requestIntervalSeconds: worst.check.props.requestInterval ?? route53Defaults.requestIntervalSeconds,
      failureThreshold: worst.check.props.failureThreshold ?? route53Defaults.failureThreshold,
      cacheSeconds: worst.worst.ttl,
      totalSeconds: worst.worst.seconds,
    }];
  });
}

/**
 * The flip's path from its command's environment (components/patroniFlip `flipEnvironment`):
 * FLIP_REGION_DOWN and FLIP_LOCK_WAIT_SECONDS (Patroni's ttl + loop_wait); null without a flip.
 */
function flipPath(flipCommands: readonly PolicyResource[]): DeclaredRecovery["flipPath"] {
  if (flipCommands.length === 0) return null;
  const env = (flipCommands[0].props.environment ?? {}) as Record<string, unknown>;
  const lockWaitSeconds = Number(env.FLIP_LOCK_WAIT_SECONDS);
  if (!Number.isFinite(lockWaitSeconds) || lockWaitSeconds <= 0) {
    throw new Error(`${flipCommands[0].name}: FLIP_LOCK_WAIT_SECONDS is ${JSON.stringify(env.FLIP_LOCK_WAIT_SECONDS)}; the flip's environment must carry Patroni's ttl + loop_wait in seconds`);
  }
  return { regionDown: env.FLIP_REGION_DOWN === "true", lockWaitSeconds };
}

/** systemd timers (`[Timer]` units) whose `Unit=` matches `unit`, with their `OnCalendar=` lines. */
function timersFor(texts: readonly string[], unit: RegExp): { name: string; onCalendar: string[] }[] {
  return texts
    .flatMap((t) => t.split(/^(?=\s*\[Unit\]\s*$)/m))
    .filter((t) => /^\s*\[Timer\]\s*$/m.test(t))
    .flatMap((text) => {
      const target = /^\s*Unit\s*=\s*(\S+)/m.exec(text)?.[1];
      if (!target || !unit.test(target)) return [];
      return [{ name: target.replace(/\.service$/, ".timer"), onCalendar: [...text.matchAll(/^\s*OnCalendar\s*=\s*(.+?)\s*$/gm)].map((m) => m[1]) }];
    });
}

const unique = (names: readonly string[]) => [...new Set(names)].sort();
const numberAt = (settings: Record<string, unknown>, key: string): number => {
  const value = settings[key];
  if (typeof value !== "number") throw new Error(`the plan's environment output has no number at ${key} (found ${JSON.stringify(value)})`);
  return value;
};

/** Drill schedules in a GitHub workflow's text: each drill whose computed cron the workflow lists. */
export function drillSchedules(workflowPath: string, workflowText: string | undefined): DeclaredRecovery["drillSchedules"] {
  if (workflowText === undefined) return {};
  const workflow = parse(workflowText) as { on?: { schedule?: { cron?: string }[] } };
  const crons = (workflow?.on?.schedule ?? []).map((entry) => entry.cron).filter((c): c is string => typeof c === "string");
  const found: Partial<Record<DrillId, { source: string; crons: string[]; monthsBetweenRuns: number | null }>> = {};
  for (const id of drillIds) {
    const matching = crons.filter((c) => c.trim().replace(/\s+/g, " ") === cronFor(drills[id]));
    if (matching.length > 0) found[id] = { source: workflowPath, crons: matching, monthsBetweenRuns: monthsBetweenCronRuns(matching[0]) ?? null };
  }
  return found;
}

/** Everything the readiness report needs from a plan and the drill workflow. */
export function declaredRecovery(plan: PlanView, drillWorkflow: { path: string; text: string | undefined }): DeclaredRecovery {
  const resources = toPolicyResources(plan.resources);
  const hosts = databaseHosts(resources);
  const texts = hosts.flatMap((h) => h.texts);
  const timeouts = archiveTimeoutsSeconds(texts);
  const perHost = hosts.map((h) => findBackupTimers(h.texts));
  const gap = (pick: (t: ReturnType<typeof findBackupTimers>[number]) => boolean) =>
    perHost.length === 0 ? Infinity : Math.max(...perHost.map((timers) => maxGapHours(timers.filter(pick).flatMap((t) => t.onCalendar))));
  const restoreTimers = hosts.map((h) => timersFor(h.texts, /restore-test/));
  const restoreMonths = restoreTimers.flat().map((t) => Math.max(...t.onCalendar.map((c) => monthsBetweenCalendarRuns(c) ?? Infinity)));
  const lagAlarms = resources.filter((r) => r.type === metricAlarmType && watches(r.props, replicationLagMetric.namespace, replicationLagMetric.metricName));
  const lifecycle = plan.outputs.walArchiveLifecycleDays as { backupDays?: number; archiveDays?: number } | undefined;
  const lifecycleResources = resources.filter((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").map((r) => r.name);
  const logGroups = resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
  const flipCommands = resources.filter((r) => r.type.startsWith("command:") && ancestorOfType(r, patroniFlipType) !== undefined);
  const settings = ((plan.outputs.environment as { settings?: Record<string, unknown> } | undefined)?.settings ?? {}) as Record<string, unknown>;
  return {
    stack: plan.stack,
    failover: failover(resources),
    flip: flipCommands.map((r) => r.name),
    flipPath: flipPath(flipCommands),
    databaseHosts: hosts.map((h) => h.host.name),
    archiveTimeoutSeconds: timeouts.length > 0 ? Math.max(...timeouts) : null,
    replicationLagAlarms: lagAlarms.length > 0 ? { names: lagAlarms.map((a) => alarmName(a)), maxThresholdSeconds: Math.max(...lagAlarms.map((a) => Number(a.props.threshold))) } : null,
    backups: {
      timers: unique(hosts.flatMap((h) => timersFor(h.texts, /backup-(full|incr|diff)/).map((t) => t.name))),
      fullGapHours: gap((t) => t.kind === "full"),
      anyGapHours: gap(() => true),
    },
    restoreTest: {
      timers: unique(restoreTimers.flat().map((t) => t.name)),
      monthsBetweenRuns: restoreMonths.length > 0 && restoreMonths.every(Number.isFinite) && restoreTimers.every((t) => t.length > 0) ? Math.max(...restoreMonths) : null,
    },
    retention: {
      fullDays: numberAt(settings, "retention.fullDays"),
      incrementalDays: numberAt(settings, "retention.incrementalDays"),
      walHours: numberAt(settings, "retention.walHours"),
      pitrHours: numberAt(settings, "retention.pitrHours"),
    },
    lifecycle:
      typeof lifecycle?.backupDays === "number" && typeof lifecycle.archiveDays === "number"
        ? { resources: lifecycleResources, backupDays: lifecycle.backupDays, archiveDays: lifecycle.archiveDays }
        : null,
    logGroups: logGroups.length > 0 ? { names: unique(logGroups.map((g) => String(g.props.name ?? g.name))), minRetentionDays: Math.min(...logGroups.map((g) => Number(g.props.retentionInDays ?? 0))) } : null,
    drillSchedules: drillSchedules(drillWorkflow.path, drillWorkflow.text),
  };
}
