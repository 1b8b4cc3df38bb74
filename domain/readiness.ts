/**
 * The readiness report's vocabulary and decisions: what a row is, how its verdict follows from
 * its budget and the objective, what counts as measured, and how two reports compare (a pull
 * request that worsens a margin shows old and new). Pure: plain values in, plain values out.
 * The rows themselves are built in `readinessRows.ts` from what a stack declares.
 */
import type { RunbookSection } from "./runbook";
import type { RestoreSample } from "./restoreModel";
import type { DrillId } from "./testingSchedule";

export type Verdict = "met" | "at risk" | "not met" | "not measured";
export const verdicts: readonly Verdict[] = Object.freeze(["met", "at risk", "not met", "not measured"] as const);

/**
 * A row's margin below this share of its objective is "at risk" (for budgets that add up
 * estimates and measurements, where a tenth is the noise between two runs of a bench).
 */
export const atRiskShare = 0.1;

/**
 * Figures the benches measure on real PostgreSQL (never computed, never guessed):
 * `promotionSeconds` a switchover's write pause, `failoverSeconds` a region-down failover from
 * the lost leader's lock expiring to the candidate's first write.
 */
export type FigureId = "promotionSeconds" | "failoverSeconds" | "restoreSeconds" | "walPushSeconds" | "rpoLossWindowSeconds";
export const figureIds: readonly FigureId[] = Object.freeze(["promotionSeconds", "failoverSeconds", "restoreSeconds", "walPushSeconds", "rpoLossWindowSeconds"] as const);

/** One measured figure, with where, when and on what it was measured. */
export interface Measurement {
  /** The figure, in seconds. */
  seconds: number;
  /** What measured it, e.g. `npm run bench:promotion`. */
  measuredBy: string;
  /** Where: the setup it ran against, e.g. "real PostgreSQL 15 on loopback". */
  where: string;
  /** When, ISO 8601 UTC. */
  when: string;
  /** The machine: cores, CPU model, memory. */
  machine: string;
  /** How the figure was taken (runs, statistic), for the reader. */
  detail: string;
  /** For a restore: the database size it restored, in bytes. */
  databaseBytes?: number;
  /** For a restore: the restores timed at each database size in one run, smallest first. */
  sizes?: RestoreSizeMeasurement[];
}

/** Restores of one database size timed by bench:recovery (the figure is the median run). */
export interface RestoreSizeMeasurement extends RestoreSample {
  /** WAL written after the backup and replayed by each restore, in bytes. */
  walBytes: number;
  /** Each timed restore (pgBackRest restore + WAL replay until promoted), in seconds. */
  runsSeconds: number[];
  /** The machine's 1-minute load average at the end of each run (same order). */
  loadAverages: number[];
  /** The runbook's `gunzip | psql` of the same database in the same run, interleaved, in seconds. */
  baselineRunsSeconds?: number[];
}

/** The result of one drill from the testing schedule. */
export interface DrillRecord {
  /** When the drill finished, ISO 8601 UTC. */
  when: string;
  outcome: "passed" | "failed";
  /** The stack it exercised. */
  stack: string;
  /** Where its report is (a workflow run URL). */
  where: string;
  /** What the drill runner measured (tools/drill/runner.ts); absent when the drill flipped nothing. */
  measured?: DrillMeasured;
}

/** A drill's measured times, in seconds from the start of the flip, and the data it lost. */
export interface DrillMeasured {
  /** Until the secondary's database left recovery. */
  promotionSeconds: number;
  /** Until every failover name answered with the secondary's endpoint. */
  dnsSwitchSeconds: number;
  /** Until the new primary committed a write (after DNS moved). */
  firstWriteSeconds: number;
  /** The heartbeat row's age on the secondary when it was promoted. */
  dataLostSeconds: number;
}

export const drillMeasuredKeys: readonly (keyof DrillMeasured)[] = Object.freeze(["promotionSeconds", "dnsSwitchSeconds", "firstWriteSeconds", "dataLostSeconds"] as const);

/** The committed measurements file (docs/measurements.json). */
export interface Measurements {
  figures: Partial<Record<FigureId, Measurement>>;
  drills: Partial<Record<DrillId, DrillRecord>>;
}

export const noMeasurements: Measurements = Object.freeze({ figures: {}, drills: {} });

/** The section a row comes from: an RTO/RPO-table heading, or the testing schedule's. */
export type ReadinessSection = RunbookSection | "Disaster Recovery Testing";

export interface ReadinessRow {
  /** Stable id (`rto-api`), used to compare two reports. */
  id: string;
  /** The objective in the runbook's words, with its number. */
  objective: string;
  section: ReadinessSection;
  /** What this stack declares for it (resource names from the plan). */
  mechanism: string;
  /** How the figure is made up, e.g. "10 s × 3 + 60 s TTL + promotion 2.1 s = 92.1 s". */
  budget: string;
  /** The figure compared with the objective (unit: `unit`); null when it cannot be known. */
  value: number | null;
  /** The objective's number, in `unit`. */
  limit: number;
  unit: "s" | "h" | "d" | "months";
  /** Whether the figure must stay at most (a time) or at least (a retention) the limit. */
  direction: "atMost" | "atLeast";
  /** How far the figure is from breaking the objective, in `unit` (negative when broken). */
  margin: number | null;
  verdict: Verdict;
  /** The measured figures the budget uses, with where and when. */
  measured: { figure: string; measurement: Measurement | DrillRecord }[];
}

export interface Judged {
  value: number | null;
  limit: number;
  direction: "atMost" | "atLeast";
  /** Names of the measured terms the figure needs but that were never measured. */
  missing: readonly string[];
  /** Whether a small margin puts the row at risk (sums of estimates and measurements). */
  atRiskBand: boolean;
}

/** The margin of a figure against its limit: positive while the objective holds. */
export function marginOf(value: number, limit: number, direction: "atMost" | "atLeast"): number {
  return direction === "atMost" ? limit - value : value - limit;
}

/**
 * A row's verdict: "not measured" when a measured term is missing (whatever the rest says,
 * never a guess), else "not met" past the limit, "at risk" within `atRiskShare` of it for
 * budgets with a risk band, else "met".
 */
export function verdictOf(judged: Judged): { verdict: Verdict; margin: number | null } {
  if (judged.value === null) return { verdict: judged.missing.length > 0 ? "not measured" : "not met", margin: null };
  const margin = marginOf(judged.value, judged.limit, judged.direction);
  if (judged.missing.length > 0) return { verdict: "not measured", margin: null };
  if (margin < 0) return { verdict: "not met", margin };
  if (judged.atRiskBand && margin < atRiskShare * judged.limit) return { verdict: "at risk", margin };
  return { verdict: "met", margin };
}

/** The process exit code for a report: 1 when any objective is not met, else 0. */
export const exitCodeOf = (rows: readonly ReadinessRow[]): 0 | 1 => (rows.some((r) => r.verdict === "not met") ? 1 : 0);

/** A row whose margin shrank (or whose verdict got worse) since the base report. */
export interface Worsened {
  id: string;
  objective: string;
  old: { margin: number | null; verdict: Verdict };
  new: { margin: number | null; verdict: Verdict };
  unit: ReadinessRow["unit"];
}

const verdictRank: Record<Verdict, number> = { met: 0, "at risk": 1, "not measured": 2, "not met": 3 };

/** Rows of `current` that are worse than in `base`: a smaller margin or a worse verdict. */
export function worsenedSince(base: readonly Pick<ReadinessRow, "id" | "margin" | "verdict">[], current: readonly ReadinessRow[]): Worsened[] {
  const before = new Map(base.map((row) => [row.id, row]));
  return current.flatMap((row) => {
    const old = before.get(row.id);
    if (!old) return [];
    const marginShrank = old.margin !== null && row.margin !== null && row.margin < old.margin - 1e-9;
    const verdictWorse = verdictRank[row.verdict] > verdictRank[old.verdict];
    if (!marginShrank && !verdictWorse) return [];
    return [{ id: row.id, objective: row.objective, old: { margin: old.margin, verdict: old.verdict }, new: { margin: row.margin, verdict: row.verdict }, unit: row.unit }];
  });
}
