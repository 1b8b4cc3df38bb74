/**
 * WAL archiving while one region's repository is unreachable: how much WAL the primary may
 * queue in `pg_wal` before pgBackRest drops it (`archive-push-queue-max`), and the per-repository
 * freshness metric the hosts publish and the alarms watch. Pure: plain numbers in, numbers out;
 * imports nothing outside `domain/`.
 *
 * What pgBackRest 2.45 does with two repositories and one unreachable (read in
 * pgbackrest/pgbackrest `src/command/archive/push/file.c` and `push.c` at `release/2.45`):
 * - each segment is written to every repository it can reach, then the command fails if any
 *   repository failed ("Throw any errors, even if some pushes were successful. It is important
 *   that PostgreSQL receives an error so it does not remove the file."): the surviving region
 *   receives the segment, PostgreSQL keeps it in `pg_wal` and retries;
 * - PostgreSQL retries only its oldest unarchived segment; with `archive-async=y` every retry
 *   starts the async process, which pushes ALL ready segments (its look-ahead), so the
 *   surviving region keeps receiving new WAL. Without async it would receive nothing new;
 * - `archive-push-queue-max`: when the ready segments exceed it, "pgBackRest will notify
 *   PostgreSQL that the WAL was successfully archived, then DROP IT ... In asynchronous mode
 *   the entire queue will be dropped" (command reference, `src/build/help/help.xml`). The drop
 *   is for every repository: the segments that had already reached the surviving region stay
 *   there, but the newest ones, not yet pushed when the queue overflowed, reach no repository,
 *   a gap in the surviving region's WAL (measured in test/postgres/walRegionOutage.test.ts).
 *   In 2.45 the async queue is measured over the segments without an ok status, which is every
 *   ready segment here because every push fails on the dead repository (pgBackRest 2.59 fixed
 *   the case where later segments succeed: commit 7fe3636 "Fix archive-push-queue-max not
 *   enforced when a WAL file errors").
 */

/** PostgreSQL's WAL segment size (initdb's default), in MiB. */
export const WAL_SEGMENT_MIB = 16;

/**
 * The WAL rate the queue is sized for, in MiB per minute: four segments a minute, four times
 * the floor `archive_timeout` (60 s) forces on an idle database. An assumption until the
 * database's own rate is measured (`pg_stat_archiver.archived_count` per minute times 16 MiB);
 * a busier database needs a larger queue: raise this number (the hosts' config follows).
 */
export const DEFAULT_PEAK_WAL_MIB_PER_MINUTE = 64;

/**
 * pgBackRest `io-timeout` for archive-push (and the scripts' probes of a repository that may be
 * down), in seconds. An async run against an unreachable S3 endpoint costs about 8 x io-timeout
 * (pgBackRest 2.45 retries a connect until io-timeout inside an HTTP request it also retries
 * until io-timeout: `src/common/io/socket/client.c`, `src/common/io/http/request.c`; for
 * archive.info and archive.info.copy, then once more on the job retry: 481 s measured at the
 * default 60 s), and the WAL that became ready
 * during a run reaches the surviving region only in the next run. At 5 s a run costs 44 s
 * (measured), so the surviving region stays within archive_timeout (60 s) plus one run of the
 * primary, inside the 5-minute RPO; a healthy S3 answers in well under a second, and a
 * transfer that stalls 5 s is retried.
 */
export const ARCHIVE_PUSH_IO_TIMEOUT_SECONDS = 5;

/** What the time an outage must be absorbed without dropping WAL is made of, in minutes. */
export interface OutageResponse {
  /** The per-repository freshness alarm's threshold (the database RPO), in minutes. */
  alarmThresholdMinutes: number;
  /** How often the host publishes the freshness metric (the alarm's period), in minutes. */
  monitorIntervalMinutes: number;
  /** Time to first response of the alarm's severity (P1: 15 min), in minutes. */
  responseMinutes: number;
  /** Time the on-call needs to act (flip, or take a backup into the surviving region): the database RTO, in minutes. */
  actMinutes: number;
}

/** Minutes from a repository becoming unreachable to the on-call having acted: the sum of the parts. */
export function outageResponseMinutes(response: OutageResponse): number {
  for (const [key, value] of Object.entries(response)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`walArchive: ${key} is ${value}; use a positive number of minutes`);
  }
  return response.alarmThresholdMinutes + response.monitorIntervalMinutes + response.responseMinutes + response.actMinutes;
}

/**
 * `archive-push-queue-max`, in MiB: the WAL written at `peakMiBPerMinute` during the response
 * time, rounded up to whole segments. Until it is reached nothing is dropped and the region
 * that comes back catches up by itself; past it pgBackRest drops the queue so `pg_wal` never
 * fills the disk (a full `pg_wal` stops PostgreSQL: an outage of both regions).
 */
export function archivePushQueueMaxMiB(responseMinutes: number, peakMiBPerMinute: number): number {
  if (!Number.isFinite(responseMinutes) || responseMinutes <= 0) throw new Error(`walArchive: responseMinutes is ${responseMinutes}; use a positive number`);
  if (!Number.isFinite(peakMiBPerMinute) || peakMiBPerMinute < WAL_SEGMENT_MIB) {
    throw new Error(`walArchive: peakMiBPerMinute is ${peakMiBPerMinute}; use at least ${WAL_SEGMENT_MIB} (one segment a minute, the archive_timeout floor)`);
  }
  return Math.ceil((responseMinutes * peakMiBPerMinute) / WAL_SEGMENT_MIB) * WAL_SEGMENT_MIB;
}

/**
 * How many minutes of an outage the queue absorbs before the first drop, at `miBPerMinute`
 * (at least one segment per `archiveTimeoutSeconds`, which an idle database still writes).
 */
export function minutesUntilDrop(queueMaxMiB: number, miBPerMinute: number, archiveTimeoutSeconds: number): number {
  const floor = (WAL_SEGMENT_MIB * 60) / archiveTimeoutSeconds;
  return queueMaxMiB / Math.max(miBPerMinute, floor);
}

/**
 * Free space the volume of `pg_wal` needs, in MiB: the queue, plus `max_wal_size` (WAL
 * PostgreSQL keeps for checkpoints anyway), plus one more queue's worth of headroom for the
 * WAL written while one async run still retries the dead repository (the queue is checked
 * only when a run starts; pgBackRest 2.59 commit a0c1435 "Exit async archive-push on first
 * error" explains the overshoot).
 */
export function walVolumeFreeMiB(queueMaxMiB: number, maxWalSizeMiB: number): number {
  return 2 * queueMaxMiB + maxWalSizeMiB;
}

/**
 * The per-repository freshness metric: seconds since the newest WAL segment reached the
 * repository, measured by the active primary's monitor.sh for EVERY repository and published to
 * CloudWatch in the primary's own region (a region that is down cannot take metrics about
 * itself), with `Region` = the repository's region. The one place its name is written: the
 * alarm catalog reads it from here, render.ts writes it into the hosts' settings (dr.env) for
 * monitor.sh.
 */
export const REPOSITORY_WAL_AGE_METRIC = Object.freeze({
  namespace: "CrazyGary/Backup",
  name: "RepositoryWalAgeSeconds",
  unit: "Seconds",
} as const);
