/**
 * The usage-based quantities of the cost report: what the stack config estimates (WAL per day,
 * database size, DNS queries, log volume) turned into billed quantities by the retention the
 * plan itself declares (lifecycle days, log retention, backup lifecycles). Pure arithmetic; each
 * function says in `basis` which figures are estimates and from what.
 */

/** Usage estimates from stack config (`cost.*`, infra/config.ts; defaults there). */
export interface CostSettings {
  /** WAL the primary writes per day, in GiB. */
  walGiBPerDay: number;
  /** Size of the database a full backup copies, in GiB. */
  databaseGiB: number;
  /** DNS queries per month for each failover hostname (`api`, `app`). */
  dnsQueriesPerMonth: number;
  /** Log events ingested per day into each application log group of the active region, in GiB. */
  logGiBPerDay: number;
  /** Whether the database and witness hosts are EC2 instances of this account (priced as such; their checks are AWS endpoints). */
  hostsOnEc2: boolean;
  /** EC2 instance type of each host kind. */
  instanceTypes: { database: string; witness: string };
  /** Size of each host's gp3 volume, in GiB. */
  volumeGiB: { database: number; witness: number };
}

/** A WAL segment: PostgreSQL's default 16 MiB, so 64 per GiB. */
export const walSegmentsPerGiB = 64;

/** The lifecycle horizons of one WAL archive bucket, as its lifecycle configuration in the plan declares them. */
export interface BucketHorizons {
  /** Days after which objects under `archive/` expire (undefined: never). */
  archiveDays?: number;
  /** Days after which objects under `backup/` expire (undefined: never). */
  backupDays?: number;
  /** Days a replaced or deleted version is kept (undefined: forever). */
  noncurrentDays?: number;
}

/** A horizon the plan leaves open (no expiry) is counted as a year, and the report says so. */
export const openHorizonDays = 365;

export interface Quantity {
  value: number;
  /** Which figures are estimates and from what. */
  basis: string;
}

const days = (d: number | undefined) => d ?? openHorizonDays;
const horizonText = (d: number | undefined, what: string) => (d === undefined ? `${what}: no expiry in the plan, a year counted` : `${what} ${d} d`);

/** GiB written to a repository bucket per day: the WAL, one full backup (daily, runbook) and incrementals of at most the day's changes (which are in the WAL). */
export function repositoryGiBWrittenPerDay(settings: CostSettings): Quantity {
  return {
    value: settings.databaseGiB + 2 * settings.walGiBPerDay,
    basis: `cost.databaseGiB ${settings.databaseGiB} (a full backup a day) + 2 x cost.walGiBPerDay ${settings.walGiBPerDay} (the WAL, and incrementals of at most the changes it records); uncompressed, an upper bound`,
  };
}

/** Steady-state GiB stored under `archive/` (WAL) of a bucket: each day's WAL lives until the lifecycle expires it, then as a noncurrent version. */
export function walStoredGiB(settings: CostSettings, horizons: BucketHorizons): Quantity {
  const life = days(horizons.archiveDays) + days(horizons.noncurrentDays);
  return {
    value: settings.walGiBPerDay * life,
    basis: `cost.walGiBPerDay ${settings.walGiBPerDay} x (${horizonText(horizons.archiveDays, "archive/ expiry")} + ${horizonText(horizons.noncurrentDays, "noncurrent versions")}) from the plan's lifecycle`,
  };
}

/** Steady-state GiB stored under `backup/` of a bucket: a full backup and a day of incrementals per day, kept until the lifecycle expires them, then as noncurrent versions. */
export function backupStoredGiB(settings: CostSettings, horizons: BucketHorizons): Quantity {
  const life = days(horizons.backupDays) + days(horizons.noncurrentDays);
  const perDay = settings.databaseGiB + settings.walGiBPerDay;
  return {
    value: perDay * life,
    basis: `(cost.databaseGiB ${settings.databaseGiB} + cost.walGiBPerDay ${settings.walGiBPerDay} of incrementals) a day x (${horizonText(horizons.backupDays, "backup/ expiry")} + ${horizonText(horizons.noncurrentDays, "noncurrent versions")}) from the plan's lifecycle; uncompressed, an upper bound`,
  };
}

/**
 * WAL segments archived per day: the WAL volume in 16 MiB segments, or one per `archive_timeout`
 * when that is more (PostgreSQL switches to a new segment at least that often, even when idle).
 */
export function walSegmentsPerDay(settings: CostSettings, archiveTimeoutSeconds: number): Quantity {
  const byVolume = settings.walGiBPerDay * walSegmentsPerGiB;
  const byTimeout = 86_400 / archiveTimeoutSeconds;
  return {
    value: Math.max(byVolume, byTimeout),
    basis:
      byVolume >= byTimeout
        ? `cost.walGiBPerDay ${settings.walGiBPerDay} x ${walSegmentsPerGiB} segments per GiB`
        : `one segment per archive_timeout (${archiveTimeoutSeconds} s): more than cost.walGiBPerDay ${settings.walGiBPerDay} fills`,
  };
}

/** Steady-state GiB of log events stored by a group that ingests `perDay` and keeps `retentionDays` (undefined: forever). */
export function logStoredGiB(perDay: number, retentionDays: number | undefined): number {
  return perDay * days(retentionDays);
}
