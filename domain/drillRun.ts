/**
 * A drill of the runbook's testing schedule as the drill runner performs it (tools/drill/):
 * flip the stack's `activeRegion` to the secondary, see the standby promoted, DNS answer with
 * the secondary endpoint and the new primary take a write, then flip back. This file holds
 * the pure part: the phases and their order, how a phase's time and the data lost follow from
 * what the runner observed, the outcome, the report (JSON and Markdown) and the CloudWatch
 * data it publishes. No clock, no process: plain values in, plain values out.
 */
import type { DrillMeasured } from "./readiness";
import type { RegionRole } from "./topology";
import { allowedDrillAgeDays, drillIds, drills, type DrillId } from "./testingSchedule";

/** The phases a drill times, in the order they must happen. */
export type DrillPhaseId = "promotion" | "dnsSwitch" | "firstWrite";
export const drillPhaseIds: readonly DrillPhaseId[] = Object.freeze(["promotion", "dnsSwitch", "firstWrite"] as const);

/** What each phase is, for the report. */
export const drillPhaseText: Readonly<Record<DrillPhaseId, string>> = Object.freeze({
  promotion: "the secondary's database left recovery (Patroni made it the leader)",
  dnsSwitch: "DNS answered every failover name with the secondary's endpoint",
  firstWrite: "the new leader committed a write (after DNS moved)",
});

/** One phase as measured: seconds from the flip's start (`pulumi up`) to the observation. */
export interface PhaseResult {
  /** Seconds from the start of the flip; null when the phase never completed. */
  seconds: number | null;
  /** When it was observed, ISO 8601 UTC; null when never. */
  at: string | null;
  /** Why it did not complete (the wait's error). */
  error?: string;
}

/** The data a drill lost: the heartbeat row's age on the new primary when it was promoted. */
export interface DataLost {
  /**
   * `promotedAt - heartbeatAt`, in seconds. The heartbeat runs every minute on the active
   * primary (heartbeat.sh), so this bounds the commits lost from above, to within one interval.
   */
  seconds: number | null;
  /** The newest heartbeat the standby had replayed when it was promoted (its server's time). */
  heartbeatAt: string | null;
  /** The first time the standby was seen out of recovery (its server's clock). */
  promotedAt: string | null;
}

/** Flipping back to the primary the documented way (docs/runbooks/failback.md). */
export interface FlipBack {
  outcome: "done" | "failed";
  /** Seconds the flip back took (`pulumi up` of the switchover back until the pair is as it was). */
  seconds: number | null;
  error?: string;
}

/** The drill report (reports/drill-<drill>.json), also what the runner records. */
export interface DrillReport {
  drill: DrillId;
  stack: string;
  from: { role: RegionRole; region: string };
  to: { role: RegionRole; region: string };
  startedAt: string;
  finishedAt: string;
  outcome: "passed" | "failed";
  phases: Record<DrillPhaseId, PhaseResult>;
  dataLost: DataLost;
  flipBack: FlipBack;
  /** Everything that made the drill fail, in the order found. */
  failures: string[];
  /** Where the run is (a workflow run URL). */
  where: string;
}

/** Seconds between two instants in milliseconds, to the millisecond; negative when `atMs` is earlier. */
export const secondsBetween = (startMs: number, atMs: number): number => Math.round(atMs - startMs) / 1000;

/** The data lost from the heartbeat replayed at promotion and the promotion time (both ISO). */
export function dataLostOf(heartbeatAt: string | null, promotedAt: string | null): DataLost {
  if (heartbeatAt === null || promotedAt === null) return { seconds: null, heartbeatAt, promotedAt };
  return { seconds: secondsBetween(Date.parse(heartbeatAt), Date.parse(promotedAt)), heartbeatAt, promotedAt };
}

/**
 * Problems with the measured phases: a phase that never completed, a time that is not
 * positive, or phases out of order (DNS answering with the secondary before its database was
 * promoted sent clients to a read-only database).
 */
export function phaseProblems(phases: Record<DrillPhaseId, PhaseResult>): string[] {
  const problems: string[] = [];
  for (const id of drillPhaseIds) {
    const phase = phases[id];
    if (phase.seconds === null) problems.push(`${id}: not reached (${phase.error ?? "no observation"})`);
    else if (!(phase.seconds > 0)) problems.push(`${id}: measured ${phase.seconds} s, not a positive time`);
  }
  for (let i = 1; i < drillPhaseIds.length; i++) {
    const before = phases[drillPhaseIds[i - 1]].seconds;
    const after = phases[drillPhaseIds[i]].seconds;
    if (before !== null && after !== null && after < before) {
      problems.push(`${drillPhaseIds[i]} (${after} s) came before ${drillPhaseIds[i - 1]} (${before} s)`);
    }
  }
  return problems;
}

/** The whole report: its outcome is "passed" only with every phase measured in order, the data lost known and the flip back done. */
export function drillReport(input: Omit<DrillReport, "outcome" | "failures"> & { failures?: string[] }): DrillReport {
  const failures = [...(input.failures ?? []), ...phaseProblems(input.phases)];
  if (input.dataLost.seconds === null) failures.push("data lost: not measured (no heartbeat row seen on the standby at promotion)");
  else if (input.dataLost.seconds < 0) failures.push(`data lost: the heartbeat (${input.dataLost.heartbeatAt}) is newer than the promotion (${input.dataLost.promotedAt})`);
  if (input.flipBack.outcome !== "done") failures.push(`flip back: ${input.flipBack.error ?? "failed"}`);
  const unique = [...new Set(failures)];
  return { ...input, outcome: unique.length === 0 ? "passed" : "failed", failures: unique };
}

const fmt = (seconds: number | null) => (seconds === null ? "not measured" : `${seconds.toFixed(3)} s`);

/** The report as Markdown (the workflow's step summary and artifact). */
export function renderDrillMarkdown(report: DrillReport): string {
  const lines = [
    `## Drill ${report.drill} on ${report.stack}: ${report.outcome}`,
    "",
    `${drills[report.drill].text}. Flip ${report.from.role} (${report.from.region}) -> ${report.to.role} (${report.to.region}) and back; started ${report.startedAt}, finished ${report.finishedAt}; ${report.where}.`,
    "",
    "| phase | seconds from the flip's start | observed at | what |",
    "| --- | --- | --- | --- |",
    ...drillPhaseIds.map((id) => `| ${id} | ${fmt(report.phases[id].seconds)} | ${report.phases[id].at ?? "-"} | ${drillPhaseText[id]}${report.phases[id].error ? ` (${report.phases[id].error})` : ""} |`),
    "",
    `Data lost (heartbeat row's age at the leader change): ${fmt(report.dataLost.seconds)} (heartbeat ${report.dataLost.heartbeatAt ?? "-"}, new leader ${report.dataLost.promotedAt ?? "-"}).`,
    `Flip back (docs/runbooks/failback.md): ${report.flipBack.outcome}${report.flipBack.seconds === null ? "" : ` in ${fmt(report.flipBack.seconds)}`}.`,
  ];
  if (report.failures.length > 0) lines.push("", "Failures:", ...report.failures.map((f) => `- ${f}`));
  return `${lines.join("\n")}\n`;
}

/**
 * The drills' CloudWatch metrics: namespace and names spelled once, for the runner and the
 * `drill-overdue` alarm. Dimensions are every custom metric's (`Environment`, `Region`).
 */
export const DRILL_METRICS = Object.freeze({
  namespace: "CrazyGary/Drills" as const,
  /** Days since the youngest passed drill of the testing schedule. Unit None. */
  ageDays: "DrDrillAgeDays",
  /** Seconds per phase of the last drill, and the data it lost. Unit Seconds. */
  phaseSeconds: Object.freeze({ promotion: "DrDrillPromotionSeconds", dnsSwitch: "DrDrillDnsSwitchSeconds", firstWrite: "DrDrillFirstWriteSeconds" } as Record<DrillPhaseId, string>),
  dataLostSeconds: "DrDrillDataLostSeconds",
});

/** The age a passed drill may reach before the `drill-overdue` alarm fires: a quarter plus grace. */
export const drillAgeAlarmDays = allowedDrillAgeDays(drills["quarterly-dr-simulation"]);

/** One `put-metric-data` datum. */
export interface MetricDatum {
  MetricName: string;
  Dimensions: { Name: "Environment" | "Region"; Value: string }[];
  Value: number;
  Unit: "None" | "Seconds";
}

/** Days since the youngest passed drill, to a tenth; null when none ever passed. */
export function drillAgeDays(lastDrills: Partial<Record<DrillId, { when: string; outcome: string }>>, now: Date): number | null {
  const passed = drillIds.flatMap((id) => (lastDrills[id]?.outcome === "passed" ? [Date.parse(lastDrills[id]!.when)] : []));
  if (passed.length === 0) return null;
  return Math.round(((now.getTime() - Math.max(...passed)) / 86_400_000) * 10) / 10;
}

/**
 * The data a drill publishes in one region: the drill age (0 after a passed drill; after a
 * failed one, the age of the previous passed drill, or nothing when none passed) and each
 * measured time.
 */
export function drillMetricData(report: DrillReport, environment: string, region: string, ageDays: number | null): MetricDatum[] {
  const dimensions: MetricDatum["Dimensions"] = [{ Name: "Environment", Value: environment }, { Name: "Region", Value: region }];
  const data: MetricDatum[] = [];
  const age = report.outcome === "passed" ? 0 : ageDays;
  if (age !== null) data.push({ MetricName: DRILL_METRICS.ageDays, Dimensions: dimensions, Value: age, Unit: "None" });
  for (const id of drillPhaseIds) {
    const seconds = report.phases[id].seconds;
    if (seconds !== null) data.push({ MetricName: DRILL_METRICS.phaseSeconds[id], Dimensions: dimensions, Value: seconds, Unit: "Seconds" });
  }
  if (report.dataLost.seconds !== null) data.push({ MetricName: DRILL_METRICS.dataLostSeconds, Dimensions: dimensions, Value: report.dataLost.seconds, Unit: "Seconds" });
  return data;
}

/** A drill-age datum alone (the daily publisher between drills). */
export function drillAgeDatum(environment: string, region: string, ageDays: number): MetricDatum {
  return { MetricName: DRILL_METRICS.ageDays, Dimensions: [{ Name: "Environment", Value: environment }, { Name: "Region", Value: region }], Value: ageDays, Unit: "None" };
}

/**
 * Whether a `dig +short NAME` answer points at the target endpoint: a CNAME chain naming the
 * target hostname (dig prints names with a trailing dot), or, for an alias A record, only
 * addresses the target's own name resolves to. An empty answer never matches.
 */
export function dnsAnswersTarget(answer: readonly string[], targetName: string, targetAddresses: readonly string[]): boolean {
  const lines = answer.map((l) => l.trim().replace(/\.$/, "").toLowerCase()).filter((l) => l !== "" && !l.startsWith(";"));
  if (lines.length === 0) return false;
  if (lines.includes(targetName.replace(/\.$/, "").toLowerCase())) return true;
  const addresses = lines.filter((l) => /^[0-9.]+$|^[0-9a-f:]+:[0-9a-f:]*$/.test(l));
  return addresses.length > 0 && targetAddresses.length > 0 && addresses.every((a) => targetAddresses.includes(a));
}

/** The times a drill record keeps (docs/measurements.json): only when every one was measured. */
export function measuredOf(report: DrillReport): DrillMeasured | undefined {
  const { promotion, dnsSwitch, firstWrite } = report.phases;
  if (promotion.seconds === null || dnsSwitch.seconds === null || firstWrite.seconds === null || report.dataLost.seconds === null) return undefined;
  return { promotionSeconds: promotion.seconds, dnsSwitchSeconds: dnsSwitch.seconds, firstWriteSeconds: firstWrite.seconds, dataLostSeconds: Math.max(0, report.dataLost.seconds) };
}
