/**
 * What the benches write into docs/measurements.json (read by `npm run readiness`): each
 * figure with what measured it, where, when and on which machine. Kept apart from the benches'
 * own code so a bench only calls one function at its end.
 */
import type { RestoreSizeMeasurement } from "../../domain/readiness";
import { median } from "../../domain/restoreModel";
import { recordFigure } from "../../tools/readiness/measurements";

const LOOPBACK = "real PostgreSQL 15 and pgBackRest 2.45 on loopback";
const PATRONI_LAB = "etcd 3.4 x3, Patroni 3.0.2 and PostgreSQL 15 in three network namespaces on one machine (dev/patroni)";

/** The slowest write unavailability of the planned switchovers timed by bench:promotion (Patroni, under load). */
export function recordSwitchover(unavailabilityMs: readonly number[]): void {
  const sorted = [...unavailabilityMs].sort((a, b) => a - b);
  recordFigure("promotionSeconds", {
    seconds: sorted[sorted.length - 1] / 1000,
    measuredBy: "npm run bench:promotion",
    where: PATRONI_LAB,
    detail: `slowest of ${sorted.length} Patroni switchovers under a writer: the longest pause between two acknowledged commits (all: ${sorted.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")})`,
  });
}

/**
 * The region-down failover timed by bench:promotion: from the lost leader's key expiring in etcd
 * (polled every 100 ms from the witness region) to the first sample in which the candidate takes
 * writes (every 100 ms): the flip noticing, POST /failover, the candidate taking the lock and
 * promoting. The wait for the expiry before it is ttl + loop_wait, which readiness adds from the
 * stack's own Patroni timings.
 */
export function recordFailover(ms: number, lockDetail: string): void {
  recordFigure("failoverSeconds", {
    seconds: ms / 1000,
    measuredBy: "npm run bench:promotion",
    where: PATRONI_LAB,
    detail: `region cut off, the product's flip (POST /failover) to the surviving member: from the lost leader's key expiring to the candidate's first write, one run (${lockDetail}; both ends polled every 100 ms)`,
  });
}

export interface RecoveryFigures {
  /** Restores timed at each database size, smallest first (the smallest also timed against gunzip | psql). */
  sizes: RestoreSizeMeasurement[];
  /** `pgbackrest check` (switch a WAL segment, wait until it is in every repository), in ms. */
  walPushMs: number;
  /** Data lost after kill -9 under a steady write load, in seconds. */
  lossWindowSeconds: number;
  lossDetail: string;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const list = (values: readonly number[]) => values.map((v) => `${v.toFixed(1)} s`).join(", ");
const loads = (values: readonly number[]) => values.map((v) => v.toFixed(1)).join(", ");

/** One size in words: its median, runs and load, and the dump reload beside it where timed. */
function sizeDetail(size: RestoreSizeMeasurement): string {
  const base = size.baselineRunsSeconds
    ? `; gunzip | psql of the same database interleaved: ${list(size.baselineRunsSeconds)} (median ${median(size.baselineRunsSeconds).toFixed(1)} s, ${(median(size.baselineRunsSeconds) / size.seconds).toFixed(1)}x the restore)`
    : "";
  return `${mib(size.databaseBytes)}: ${size.seconds.toFixed(1)} s median of ${list(size.runsSeconds)} at load ${loads(size.loadAverages)} (${mib(size.databaseBytes / size.seconds)}/s, ${mib(size.walBytes)} of WAL replayed)${base}`;
}

/** The restore times by size, the WAL push time and the RPO loss window measured by bench:recovery, into `path` (default docs/measurements.json). */
export function recordRecovery(figures: RecoveryFigures, path?: string): void {
  const measuredBy = "npm run bench:recovery";
  const smallest = figures.sizes[0]!;
  recordFigure("restoreSeconds", {
    seconds: smallest.seconds,
    databaseBytes: smallest.databaseBytes,
    sizes: figures.sizes,
    measuredBy,
    where: `${LOOPBACK}, repositories on local disk, restored to local disk (not tmpfs)`,
    detail: `restore of the daily full backup plus WAL replay to a named point, until promoted, with the rendered pgbackrest.conf; per size: ${figures.sizes.map(sizeDetail).join("; ")}`,
  }, path);
  recordFigure("walPushSeconds", {
    seconds: figures.walPushMs / 1000,
    measuredBy,
    where: `${LOOPBACK}, two repositories (one per region)`,
    detail: "pgbackrest check: switch a WAL segment and wait until it is archived in every repository",
  }, path);
  recordFigure("rpoLossWindowSeconds", {
    seconds: figures.lossWindowSeconds,
    measuredBy,
    where: `${LOOPBACK}, restored from the second region's repository`,
    detail: figures.lossDetail,
  }, path);
}
