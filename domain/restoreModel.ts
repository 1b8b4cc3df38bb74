/**
 * Restore time as a function of database size, from restores measured at two (or more) sizes:
 * a straight line `seconds = fixedSeconds + bytes / bytesPerSecond`. The fixed part is what every
 * restore pays whatever the size (starting pgBackRest and PostgreSQL, fetching and replaying the
 * WAL written after the backup, promotion); the slope is the measured throughput of copying the
 * data files. The line runs through the smallest and the largest measured size; it is an
 * extrapolation past the largest, and the readiness report says so. Pure: no I/O.
 */

/** One measured restore of a database of a given size (median of its runs). */
export interface RestoreSample {
  /** Size of the restored database (`pg_database_size`), in bytes. */
  databaseBytes: number;
  /** pgBackRest restore + WAL replay until promoted, in seconds. */
  seconds: number;
}

/** The fitted line. */
export interface RestoreModel {
  /** Seconds every restore pays, whatever the size (the line's intercept, never below 0). */
  fixedSeconds: number;
  /** Bytes restored per second beyond the fixed part (the inverse of the line's slope). */
  bytesPerSecond: number;
  /**
   * How the line was made: "line" through two sizes, or "throughput" (no fixed part, the
   * slowest measured bytes per second) when only one size was measured or the larger size
   * restored no slower than the smaller (noise from the machine's load).
   */
  fit: "line" | "throughput";
  /** The samples it rests on, smallest first. */
  samples: readonly RestoreSample[];
}

/**
 * Fits the line through the smallest and largest sample. With one sample, or when the larger
 * restored no slower (a slope <= 0 says the load varied more than the size did), falls back to
 * the slowest measured throughput with no fixed part: the larger database is never predicted
 * to restore faster than measured. Throws on no sample or a sample that is not positive.
 */
export function fitRestoreModel(samples: readonly RestoreSample[]): RestoreModel {
  if (samples.length === 0) throw new Error("fitRestoreModel: no restore measured; run npm run bench:recovery");
  for (const s of samples) {
    if (!(s.databaseBytes > 0) || !(s.seconds > 0)) throw new Error(`fitRestoreModel: sample ${JSON.stringify(s)} needs databaseBytes > 0 and seconds > 0`);
  }
  const sorted = [...samples].sort((a, b) => a.databaseBytes - b.databaseBytes);
  const small = sorted[0]!;
  const large = sorted[sorted.length - 1]!;
  const slope = (large.seconds - small.seconds) / (large.databaseBytes - small.databaseBytes);
  if (sorted.length >= 2 && large.databaseBytes > small.databaseBytes && slope > 0) {
    return { fixedSeconds: Math.max(0, small.seconds - slope * small.databaseBytes), bytesPerSecond: 1 / slope, fit: "line", samples: sorted };
  }
  const slowest = Math.min(...sorted.map((s) => s.databaseBytes / s.seconds));
  return { fixedSeconds: 0, bytesPerSecond: slowest, fit: "throughput", samples: sorted };
}

/** Predicted restore time of a database of `bytes`, in seconds. */
export function predictedRestoreSeconds(model: RestoreModel, bytes: number): number {
  return model.fixedSeconds + bytes / model.bytesPerSecond;
}

/** The largest database that restores within `seconds` by the model, in bytes (0 when the fixed part alone is longer). */
export function largestRestorableBytes(model: RestoreModel, seconds: number): number {
  return Math.max(0, (seconds - model.fixedSeconds) * model.bytesPerSecond);
}

/** The median of some timed runs (the mean of the middle two for an even count); throws on none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
