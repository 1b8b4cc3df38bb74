/**
 * One readiness row per runbook objective, from what a stack declares (read from its
 * evaluated plan by tools/readiness/declared.ts) and what the benches and drills measured.
 * Every figure here is either declared by the stack, computed from declared values, or a
 * measurement with its provenance; a term never measured makes its row "not measured".
 */
import type { DrillRecord, Measurement, Measurements, ReadinessRow, ReadinessSection } from "./readiness";
import { verdictOf } from "./readiness";
import { formatBytes } from "./byteSize";
import { fitRestoreModel, largestRestorableBytes, predictedRestoreSeconds, type RestoreModel } from "./restoreModel";
import { backups, recoveryObjectives, type ComponentId } from "./runbook";
import { allowedDrillAgeDays, drillIds, drills, type DrillId, monthlyRestoreTestText } from "./testingSchedule";

/** Worst-case DNS failover of one public hostname, from its records and health checks. */
export interface DeclaredFailover {
  hostname: "api" | "app";
  records: string[];
  healthChecks: string[];
  requestIntervalSeconds: number;
  failureThreshold: number;
  /** Seconds a resolver may keep the old answer (record TTL, or the load balancer's for an alias). */
  cacheSeconds: number;
  /** interval × threshold + cache, in seconds (the worst record of the name). */
  totalSeconds: number;
}

/** Everything the report reads from a stack's plan, as plain values. */
export interface DeclaredRecovery {
  stack: string;
  failover: DeclaredFailover[];
  /** The flip's commands: a Patroni switchover, or a failover with `regionDown`, to the newly active role. */
  flip: string[];
  /**
   * The path the flip runs, from its command's settings: a switchover while both regions answer,
   * or with `regionDown` a failover once the lost leader's lock has expired; null without a flip.
   */
  flipPath: { regionDown: boolean; lockWaitSeconds: number } | null;
  databaseHosts: string[];
  /** The largest `archive_timeout` rendered onto any database host, in seconds. */
  archiveTimeoutSeconds: number | null;
  replicationLagAlarms: { names: string[]; maxThresholdSeconds: number } | null;
  /** Backup timers and the longest gap between full, and between any, backups, in hours. */
  backups: { timers: string[]; fullGapHours: number; anyGapHours: number };
  restoreTest: { timers: string[]; monthsBetweenRuns: number | null };
  /** Retention the stack configures (pgBackRest and config), days or hours. */
  retention: { fullDays: number; incrementalDays: number; walHours: number; pitrHours: number };
  /** S3 lifecycle expiry of the repositories, in days. */
  lifecycle: { resources: string[]; archiveDays: number; backupDays: number } | null;
  logGroups: { names: string[]; minRetentionDays: number } | null;
  /**
   * The size of the database the restore must bring back, in bytes (`readiness --database-size`);
   * absent: the report judges the largest measured size and says no size was declared.
   */
  databaseBytes?: number;
  /** Where each drill is scheduled (a workflow file) and its crons. */
  drillSchedules: Partial<Record<DrillId, { source: string; crons: string[]; monthsBetweenRuns: number | null }>>;
}

const RTO_RPO = recoveryObjectives.database.source;
const TESTING: ReadinessSection = "Disaster Recovery Testing";
const s = (seconds: number) => `${Number(seconds.toFixed(1))} s`;
const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "none declared");

interface Term {
  text: string;
  seconds: number | null;
  measurements?: { figure: string; measurement: Measurement | DrillRecord }[];
  missing?: string;
}

/** A term measured by a bench: its figure, or a missing mark naming what to run. */
function measuredTerm(measurements: Measurements, figure: keyof Measurements["figures"], label: string): Term {
  const m = measurements.figures[figure];
  if (!m) return { text: `${label} not measured (run npm run ${figure === "promotionSeconds" || figure === "failoverSeconds" ? "bench:promotion" : "bench:recovery"})`, seconds: null, missing: label };
  return { text: `${label} ${s(m.seconds)} (measured)`, seconds: m.seconds, measurements: [{ figure: label, measurement: m }] };
}

/** One of two paths, not known before it runs: budgets the longer, naming both; not measured until both are. */
function longerOf(a: Term, b: Term, joiner: string): Term {
  const measurements = [...(a.measurements ?? []), ...(b.measurements ?? [])];
  const missing = [a.missing, b.missing].filter((m): m is string => m !== undefined);
  if (missing.length > 0 || a.seconds === null || b.seconds === null) return { text: `${a.text}${joiner}${b.text}`, seconds: null, measurements, missing: missing.join(", ") };
  const seconds = Math.max(a.seconds, b.seconds);
  return { text: `the longer of ${a.text}${joiner}${b.text}: ${s(seconds)}`, seconds, measurements };
}

function timeRow(id: string, objective: string, section: ReadinessSection, mechanism: string, limitSeconds: number, terms: readonly (Term | null)[]): ReadinessRow {
  const present = terms.filter((t): t is Term => t !== null);
  const declaredMissing = terms.includes(null) || present.length === 0;
  const missing = present.flatMap((t) => (t.missing ? [t.missing] : []));
  const value = declaredMissing ? null : present.reduce((sum, t) => sum + (t.seconds ?? 0), 0);
  const judged = verdictOf({ value, limit: limitSeconds, direction: "atMost", missing: declaredMissing ? [] : missing, atRiskBand: true });
  const budget = declaredMissing ? "no mechanism declared" : `${present.map((t) => t.text).join(" + ")}${missing.length === 0 ? ` = ${s(value!)}` : ""}`;
  return {
    id, objective, section, mechanism, budget, value: missing.length === 0 ? value : null, limit: limitSeconds, unit: "s", direction: "atMost", ...judged,
    measured: present.flatMap((t) => t.measurements ?? []),
  };
}

function settingRow(id: string, objective: string, section: ReadinessSection, mechanism: string, budget: string, value: number | null, limit: number, unit: ReadinessRow["unit"], direction: "atMost" | "atLeast"): ReadinessRow {
  const judged = verdictOf({ value, limit, direction, missing: [], atRiskBand: false });
  return { id, objective, section, mechanism, budget: value === null ? `${budget}: none declared` : budget, value, limit, unit, direction, ...judged, measured: [] };
}

function dnsTerm(declared: DeclaredRecovery, hostname: "api" | "app"): Term | null {
  const f = declared.failover.find((x) => x.hostname === hostname);
  if (!f) return null;
  return { text: `DNS ${f.requestIntervalSeconds} s × ${f.failureThreshold} + ${f.cacheSeconds} s cache`, seconds: f.totalSeconds };
}

const failoverMechanism = (declared: DeclaredRecovery, hostname: "api" | "app") => {
  const f = declared.failover.find((x) => x.hostname === hostname);
  return f ? `Route53 failover records ${list(f.records)}; health checks ${list(f.healthChecks)}` : `no failover records for ${hostname}`;
};

/**
 * Moving the leader to the other region, along the path the flip runs:
 * - both regions answer: a Patroni switchover, its write pause timed by bench:promotion;
 * - `regionDown`: a failover, which Patroni grants the candidate only once the lost leader's lock
 *   has expired. The lock lives `ttl` from its last refresh ("ttl: the TTL to acquire the leader
 *   lock (in seconds). Think of it as the length of time before initiation of the automatic
 *   failover process"), and the candidate's HA loop sees it gone within `loop_wait` ("the number of
 *   seconds the loop will sleep"; https://patroni.readthedocs.io/en/latest/dynamic_configuration.html):
 *   ttl + loop_wait at worst (the flip's FLIP_LOCK_WAIT_SECONDS, from patroni.ttl and
 *   patroni.loopWait), then the flip's failover to the candidate's first write, timed by bench:promotion.
 *   But `regionDown` is what the operator declared, not what the flip will find: when the old
 *   region still answers, its leader keeps the lock, and after that same wait the flip switches
 *   over instead (domain/patroniFlip.ts `leaderLockOutlived`). Which path runs is known only
 *   when it runs, so the budget is the wait plus the longer of the measured failover and the
 *   measured switchover.
 */
function leaderMoveTerms(declared: DeclaredRecovery, measurements: Measurements): { terms: (Term | null)[]; mechanism: string } {
  const flip = declared.flipPath;
  if (declared.flip.length === 0 || flip === null) return { terms: [null], mechanism: "no flip declared" };
  if (!flip.regionDown) return { terms: [measuredTerm(measurements, "promotionSeconds", "switchover")], mechanism: `Patroni switchover by ${list(declared.flip)} (both regions answer)` };
  return {
    terms: [
      { text: `leader lock expiry ttl + loop_wait ${s(flip.lockWaitSeconds)}`, seconds: flip.lockWaitSeconds },
      longerOf(measuredTerm(measurements, "failoverSeconds", "failover"), measuredTerm(measurements, "promotionSeconds", "switchover if the old region answers"), " and "),
    ],
    mechanism:
      `Patroni failover by ${list(declared.flip)} to the surviving region once the lost leader's lock expires (regionDown); ` +
      `if the old region still answers, its leader keeps the lock past that wait and the flip switches over instead`,
  };
}

const withBudgetNote = (row: ReadinessRow, note: string): ReadinessRow => ({ ...row, budget: `${row.budget}${note}` });

const mibPerSecond = (model: RestoreModel) => `${(model.bytesPerSecond / 2 ** 20).toFixed(0)} MiB/s`;

/** How the restore line was made, in words, e.g. "linear from 1.0 GiB in 6.1 s and 4.0 GiB in 21.3 s: 1.0 s fixed + size / 198 MiB/s". */
function restoreModelText(model: RestoreModel): string {
  const measured = model.samples.map((x) => `${formatBytes(x.databaseBytes)} in ${s(x.seconds)}`).join(" and ");
  return model.fit === "line"
    ? `linear from ${measured}: ${s(model.fixedSeconds)} fixed + size / ${mibPerSecond(model)}`
    : `from ${measured} at the slowest measured ${mibPerSecond(model)} and no fixed part (${model.samples.length === 1 ? "one size measured" : "the larger size did not restore slower: load noise"})`;
}

/**
 * The restore-from-backup row: the restore time of the declared database size predicted by the
 * line through the sizes bench:recovery measured (or, with no size declared, the largest measured
 * restore), and the largest database that still restores within the RTO by that line.
 */
function restoreRow(declared: DeclaredRecovery, measurements: Measurements, objective: string, rtoSeconds: number): ReadinessRow {
  const mechanism = `pgBackRest restore from the repositories on ${list(declared.databaseHosts)}`;
  const m = measurements.figures.restoreSeconds;
  const samples = m?.sizes ?? (m?.databaseBytes ? [{ databaseBytes: m.databaseBytes, seconds: m.seconds }] : []);
  if (!m || samples.length === 0) return timeRow("rto-database-restore", objective, RTO_RPO, mechanism, rtoSeconds, [measuredTerm(measurements, "restoreSeconds", "restore")]);
  const model = fitRestoreModel(samples);
  const provenance = { figure: "restore", measurement: m };
  const within = `largest database within the RTO ${formatBytes(largestRestorableBytes(model, rtoSeconds))} (${restoreModelText(model)})`;
  if (declared.databaseBytes !== undefined) {
    const size = formatBytes(declared.databaseBytes);
    const term: Term = { text: `restore of the declared ${size}: ${s(model.fixedSeconds)} + ${size} / ${mibPerSecond(model)} (predicted from measurements)`, seconds: predictedRestoreSeconds(model, declared.databaseBytes), measurements: [provenance] };
    return withBudgetNote(timeRow("rto-database-restore", objective, RTO_RPO, mechanism, rtoSeconds, [term]), `; ${within}`);
  }
  const largest = model.samples[model.samples.length - 1]!;
  const term: Term = { text: `restore of ${formatBytes(largest.databaseBytes)} ${s(largest.seconds)} (measured)`, seconds: largest.seconds, measurements: [provenance] };
  return withBudgetNote(timeRow("rto-database-restore", objective, RTO_RPO, mechanism, rtoSeconds, [term]), `; no database size declared (readiness --database-size); ${within}`);
}

function rtoRows(declared: DeclaredRecovery, measurements: Measurements): ReadinessRow[] {
  const rto = (id: ComponentId) => recoveryObjectives[id].rtoMinutes * 60;
  const title = (id: ComponentId) => `${recoveryObjectives[id].component} RTO ${recoveryObjectives[id].rtoMinutes} min`;
  const { terms: leaderMove, mechanism: flipMechanism } = leaderMoveTerms(declared, measurements);
  const api = [dnsTerm(declared, "api"), ...leaderMove];
  const apiMechanism = `${failoverMechanism(declared, "api")}; ${flipMechanism}`;
  const servedByApi = (id: ComponentId) => timeRow(`rto-${id}`, title(id), RTO_RPO, `runs in the API service: ${apiMechanism}`, rto(id), api);
  return [
    timeRow("rto-database", `${title("database")} (leader moved to the other region)`, RTO_RPO, flipMechanism, rto("database"), leaderMove),
    restoreRow(declared, measurements, `${title("database")} (restore from backup)`, rto("database")),
    timeRow("rto-api", title("api"), RTO_RPO, apiMechanism, rto("api"), api),
    timeRow("rto-auth", title("auth"), RTO_RPO, `served by the API: ${apiMechanism}`, rto("auth"), api),
    timeRow("rto-web", title("web"), RTO_RPO, failoverMechanism(declared, "app"), rto("web"), [dnsTerm(declared, "app")]),
    servedByApi("mcpTools"),
    servedByApi("backgroundTasks"),
    timeRow("rto-analyticsLogging", title("analyticsLogging"), RTO_RPO, `CloudWatch log groups in both regions ahead of a failover (${list(declared.logGroups?.names ?? [])}); written by the API: ${apiMechanism}`, rto("analyticsLogging"), declared.logGroups ? api : [null]),
  ];
}

function rpoRows(declared: DeclaredRecovery, measurements: Measurements): ReadinessRow[] {
  const rpo = (id: ComponentId) => recoveryObjectives[id].rpoMinutes! * 60;
  const title = (id: ComponentId) => `${recoveryObjectives[id].component} RPO ${recoveryObjectives[id].rpoMinutes} min`;
  const archive: Term | null = declared.archiveTimeoutSeconds === null ? null : { text: `archive_timeout ${s(declared.archiveTimeoutSeconds)}`, seconds: declared.archiveTimeoutSeconds };
  const database = [archive, measuredTerm(measurements, "walPushSeconds", "WAL push")];
  const archiveMechanism = `pgBackRest archive-push (async, to every region's repository) on ${list(declared.databaseHosts)}`;
  const inDatabase = (id: ComponentId) => timeRow(`rpo-${id}`, title(id), RTO_RPO, `state kept in PostgreSQL: ${archiveMechanism}`, rpo(id), database);
  const lag = declared.replicationLagAlarms;
  return [
    timeRow("rpo-database", `${title("database")} (WAL archive)`, RTO_RPO, archiveMechanism, rpo("database"), database),
    settingRow("rpo-database-lag-alarm", `${title("database")} (replication lag alarmed at the RPO)`, RTO_RPO, `CloudWatch alarms ${list(lag?.names ?? [])}`, `alarm threshold ${lag ? s(lag.maxThresholdSeconds) : "-"}`, lag?.maxThresholdSeconds ?? null, rpo("database"), "s", "atMost"),
    timeRow("rpo-database-measured", `${title("database")} (data lost after a crash)`, RTO_RPO, archiveMechanism, rpo("database"), [measuredTerm(measurements, "rpoLossWindowSeconds", "loss window")]),
    inDatabase("mcpTools"),
    inDatabase("backgroundTasks"),
    timeRow("rpo-analyticsLogging", title("analyticsLogging"), RTO_RPO, `CloudWatch log groups ${list(declared.logGroups?.names ?? [])}`, rpo("analyticsLogging"), [
      { text: "delay from a log line to CloudWatch not measured (the apps ship their own logs)", seconds: null, missing: "log shipping delay" },
    ]),
  ];
}

function backupRows(declared: DeclaredRecovery): ReadinessRow[] {
  const timers = `systemd timers ${list(declared.backups.timers)}`;
  const lifecycle = declared.lifecycle;
  const keeps = (days: number) => (lifecycle ? Math.min(days, lifecycle.backupDays) : null);
  const lifecycleText = lifecycle ? `, S3 lifecycle keeps backups ${lifecycle.backupDays} d and WAL ${lifecycle.archiveDays} d (${list(lifecycle.resources)})` : "";
  const walHours = lifecycle ? Math.min(declared.retention.walHours, lifecycle.archiveDays * 24) : null;
  const pitrReach = walHours === null ? null : walHours - declared.backups.fullGapHours;
  const r = declared.retention;
  return [
    settingRow("backup-full-cadence", `Full backups daily at ${backups.full.timeUtc} UTC`, backups.full.source, timers, `longest gap between full backups ${declared.backups.fullGapHours} h`, finite(declared.backups.fullGapHours), backups.full.intervalHours, "h", "atMost"),
    settingRow("backup-incremental-cadence", `Incremental backups every ${backups.incremental.intervalHours} h (backup RPO without WAL)`, backups.incremental.source, timers, `longest gap between any two backups ${declared.backups.anyGapHours} h`, finite(declared.backups.anyGapHours), backups.incremental.intervalHours, "h", "atMost"),
    settingRow("retention-full", `Full backups retained ${backups.full.retentionDays} days`, backups.full.source, `pgBackRest retention ${r.fullDays} d${lifecycleText}`, `kept ${keeps(r.fullDays) ?? "-"} d`, keeps(r.fullDays), backups.full.retentionDays, "d", "atLeast"),
    settingRow("retention-incremental", `Incremental backups retained ${backups.incremental.retentionDays} days`, backups.incremental.source, `pgBackRest retention ${r.incrementalDays} d${lifecycleText}`, `kept ${keeps(r.incrementalDays) ?? "-"} d`, keeps(r.incrementalDays), backups.incremental.retentionDays, "d", "atLeast"),
    settingRow("retention-wal", `Transaction logs retained ${backups.transactionLogs.retentionHours} hours`, backups.transactionLogs.source, `WAL retention ${r.walHours} h${lifecycleText}`, `kept ${walHours ?? "-"} h`, walHours, backups.transactionLogs.retentionHours, "h", "atLeast"),
    settingRow("pitr-window", `Point-in-time recovery for ${backups.pointInTimeRecovery.windowHours} hours`, backups.pointInTimeRecovery.source, `WAL kept ${walHours ?? "-"} h, a full backup at least every ${declared.backups.fullGapHours} h`, `WAL kept − full-backup gap = ${pitrReach ?? "-"} h`, pitrReach, backups.pointInTimeRecovery.windowHours, "h", "atLeast"),
    settingRow("retention-logs", `Logs retained ${backups.logs.retentionDays} days`, backups.logs.source, `CloudWatch log groups ${list(declared.logGroups?.names ?? [])}`, `shortest retention ${declared.logGroups?.minRetentionDays ?? "-"} d`, declared.logGroups?.minRetentionDays ?? null, backups.logs.retentionDays, "d", "atLeast"),
  ];
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const dayMs = 86_400_000;

function drillRow(id: DrillId, declared: DeclaredRecovery, measurements: Measurements, now: Date): ReadinessRow {
  const drill = drills[id];
  const schedule = declared.drillSchedules[id];
  const allowed = allowedDrillAgeDays(drill);
  const base = { id: `drill-${id}`, objective: drill.text, section: TESTING, unit: "d" as const, direction: "atMost" as const, limit: allowed };
  const mechanism = schedule ? `${schedule.source} cron ${schedule.crons.join(", ")} (every ${schedule.monthsBetweenRuns ?? "?"} months, stack ${drill.scheduledStack})` : "no scheduled drill";
  if (!schedule || schedule.monthsBetweenRuns === null || schedule.monthsBetweenRuns > drill.everyMonths) {
    return { ...base, mechanism, budget: `needs a run at least every ${drill.everyMonths} months`, value: null, margin: null, verdict: "not met", measured: [] };
  }
  const last = measurements.drills[id];
  if (!last || last.outcome !== "passed") {
    return { ...base, mechanism, budget: last ? `last drill failed (${last.when}, ${last.where})` : "no drill recorded yet", value: null, margin: null, verdict: "not measured", measured: last ? [{ figure: "last drill", measurement: last }] : [] };
  }
  const age = Math.round(((now.getTime() - Date.parse(last.when)) / dayMs) * 10) / 10;
  const judged = verdictOf({ value: age, limit: allowed, direction: "atMost", missing: [], atRiskBand: false });
  return { ...base, mechanism, budget: `last passed ${age} d ago (allowed ${drill.everyMonths} × 31 d + ${drill.graceDays} d grace)`, value: age, ...judged, measured: [{ figure: "last drill", measurement: last }] };
}

/** The youngest drill record that carries measured times (any drill of the schedule), if any. */
function lastMeasuredDrill(measurements: Measurements): DrillRecord | undefined {
  const measuredDrills = drillIds.flatMap((id) => (measurements.drills[id]?.measured ? [measurements.drills[id]!] : []));
  return measuredDrills.sort((a, b) => Date.parse(b.when) - Date.parse(a.when))[0];
}

/**
 * What the last drill measured against the objectives it exercises: the flip (new leader, DNS
 * switch, first write) against the API RTO, and the data lost (the heartbeat's age when the
 * secondary became the leader) against the database RPO. "not measured" until a drill runner has measured a flip.
 */
function drillMeasuredRows(measurements: Measurements): ReadinessRow[] {
  const last = lastMeasuredDrill(measurements);
  const mechanism = "npm run drill -- run (drills.yml): flips activeRegion to the secondary and back, timed";
  const row = (id: string, objective: string, limitSeconds: number, term: (m: NonNullable<DrillRecord["measured"]>) => Term): ReadinessRow => {
    if (!last?.measured) return timeRow(id, objective, TESTING, mechanism, limitSeconds, [{ text: "not measured (no drill has timed a flip yet: run npm run drill -- run)", seconds: null, missing: "drill" }]);
    const t = term(last.measured);
    return timeRow(id, objective, TESTING, `${mechanism}; last on ${last.stack} (${last.outcome})`, limitSeconds, [{ ...t, measurements: [{ figure: "last timed drill", measurement: last }] }]);
  };
  return [
    row("drill-measured-failover", `DR drill: flip to the first write, within the ${recoveryObjectives.api.component} RTO ${recoveryObjectives.api.rtoMinutes} min`, recoveryObjectives.api.rtoMinutes * 60, (m) => ({
      text: `new leader ${s(m.promotionSeconds)}, DNS switch ${s(m.dnsSwitchSeconds)}, first write ${s(m.firstWriteSeconds)} (measured by a drill)`,
      seconds: m.firstWriteSeconds,
    })),
    row("drill-measured-data-lost", `DR drill: data lost at the leader change, within the ${recoveryObjectives.database.component} RPO ${recoveryObjectives.database.rpoMinutes} min`, recoveryObjectives.database.rpoMinutes! * 60, (m) => ({
      text: `heartbeat age when the secondary became leader ${s(m.dataLostSeconds)} (measured by a drill)`,
      seconds: m.dataLostSeconds,
    })),
  ];
}

/** Every readiness row of a stack, in runbook order. `now` dates the drills. */
export function readinessRows(declared: DeclaredRecovery, measurements: Measurements, now: Date): ReadinessRow[] {
  const restoreTest = settingRow(
    "test-monthly-restore",
    monthlyRestoreTestText,
    backups.restoreTest.source,
    `systemd timers ${list(declared.restoreTest.timers)}`,
    `runs every ${declared.restoreTest.monthsBetweenRuns ?? "-"} month(s)`,
    declared.restoreTest.timers.length > 0 ? declared.restoreTest.monthsBetweenRuns : null,
    1,
    "months",
    "atMost",
  );
  return [...rtoRows(declared, measurements), ...rpoRows(declared, measurements), ...backupRows(declared), restoreTest, ...drillIds.map((id) => drillRow(id, declared, measurements, now)), ...drillMeasuredRows(measurements)];
}
