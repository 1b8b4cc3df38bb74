/**
 * What the benches write into docs/measurements.json (read by `npm run readiness`): each
 * figure with what measured it, where, when and on which machine. Kept apart from the benches'
 * own code so a bench only calls one function at its end.
 */
import { recordFigure } from "../readiness/measurements";

const LOOPBACK = "real PostgreSQL 15 and pgBackRest 2.45 on loopback";

/** The slowest of the flips timed by bench:promotion, from promote.sh to a committed write. */
export function recordPromotion(flipsMs: readonly number[]): void {
  const sorted = [...flipsMs].sort((a, b) => a - b);
  recordFigure("promotionSeconds", {
    seconds: sorted[sorted.length - 1] / 1000,
    measuredBy: "npm run bench:promotion",
    where: `${LOOPBACK} (streaming standby; promote.sh fences the old primary, promotes, verifies)`,
    detail: `slowest of ${sorted.length} flips, from promote.sh to the new primary committing a write (all: ${sorted.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")})`,
  });
}

export interface RecoveryFigures {
  /** pgBackRest restore + WAL replay to a named point, until promoted, in ms. */
  restoreMs: number;
  /** Size of the restored database, in bytes. */
  databaseBytes: number;
  /** WAL generated after the backup and replayed, in bytes. */
  walBytes: number;
  /** `pgbackrest check` (switch a WAL segment, wait until it is in every repository), in ms. */
  walPushMs: number;
  /** Data lost after kill -9 under a steady write load, in seconds. */
  lossWindowSeconds: number;
  lossDetail: string;
}

/** The restore time, the WAL push time and the RPO loss window measured by bench:recovery. */
export function recordRecovery(figures: RecoveryFigures): void {
  const measuredBy = "npm run bench:recovery";
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  recordFigure("restoreSeconds", {
    seconds: figures.restoreMs / 1000,
    databaseBytes: figures.databaseBytes,
    measuredBy,
    where: `${LOOPBACK}, repositories on local disk`,
    detail: `restore of the daily full backup of a ${mb(figures.databaseBytes)} database plus replay of ${mb(figures.walBytes)} of WAL, until promoted`,
  });
  recordFigure("walPushSeconds", {
    seconds: figures.walPushMs / 1000,
    measuredBy,
    where: `${LOOPBACK}, two repositories (one per region)`,
    detail: "pgbackrest check: switch a WAL segment and wait until it is archived in every repository",
  });
  recordFigure("rpoLossWindowSeconds", {
    seconds: figures.lossWindowSeconds,
    measuredBy,
    where: `${LOOPBACK}, restored from the second region's repository`,
    detail: figures.lossDetail,
  });
}
