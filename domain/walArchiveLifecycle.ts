/**
 * How long the S3 lifecycle of a WAL archive bucket lets objects live, derived from the
 * effective retention (runbook numbers, possibly tightened by stack config). Pure: the
 * `WalArchiveBucket` component, the policy pack and the tests all call the same functions.
 *
 * ## Who expires what
 *
 * pgBackRest is the engine: after every backup it expires full backups by age
 * (`repo-retention-full-type=time`), the incrementals that depend on them, and the WAL older
 * than the oldest backup it keeps. The lifecycle is only a safety net with LONGER horizons,
 * for what the engine would keep forever by mistake (WAL pushed by a host whose backups never
 * run, a half-expired backup set, `backup.history` manifests, WAL of an old stanza or
 * database id). It must never remove an object a promised restore still needs.
 *
 * ## What the engine keeps, at most (`fullDays` = 30, full backup every 24 h, incremental every 6 h)
 *
 * pgBackRest keeps every full backup younger than `fullDays` plus the newest one older than
 * that, so the oldest kept full is expired only once the NEXT full is `fullDays` old: at age
 * `fullDays` + full interval. Expiry runs at the end of a backup, so it can happen up to one
 * incremental interval later. Hence the oldest object the engine still needs is
 *
 *     engineKeepsHours = fullDays × 24 + fullIntervalHours + incrementalIntervalHours = 750 h
 *
 * - `backup/`: a full backup's files are written when it starts; the incrementals that
 *   reference them are younger. So nothing a kept backup needs is older than engineKeepsHours.
 *   (`backup.info` is rewritten by every backup and expire.)
 * - `archive/`: pgBackRest keeps WAL from the oldest kept backup's start onward, so no WAL a
 *   kept backup needs is older than engineKeepsHours either. PITR to any moment of the last
 *   `pitrHours` needs a full backup taken before that moment and all WAL since: at most
 *   `pitrHours` + full interval = 48 h old, and the runbook promises WAL for `walHours`
 *   (48 h); both are far inside the backup horizon but are taken into account in case a
 *   config ever raises them above it. `archive.info` is rewritten by every backup (measured
 *   with pgBackRest 2.45: its mtime changes on `backup`), so it stays young while backups run.
 *   Timeline `.history` files are never rewritten: those older than the horizon belong to
 *   timelines that began before the oldest kept backup, and PostgreSQL treats a missing
 *   history file of the backup's own timeline as "no parents" (xlog `readTimeLineHistory`),
 *   which is right for every kept backup; the history files of later timelines are younger
 *   than the backup and stay.
 *
 * ## From hours to lifecycle days
 *
 * S3 lifecycle counts whole days from object creation, rounds the expiry up to the next
 * midnight UTC and may act up to a day later; it never acts early. So
 *
 *     days = ceil(hours / 24) + marginDays (1)
 *
 * The margin day absorbs one failed daily full backup (the previous full is then needed one
 * day longer) and clock slack between the engine and S3. With the runbook's numbers:
 * `backup/` 33 days, `archive/` 33 days. The lateness of S3 only delays the cleanup of
 * orphans, to at most days + 1.
 *
 * ## The rest
 *
 * - Versions replaced or deleted (by pgBackRest's own expiry or by these rules) are kept
 *   `noncurrentVersionDays` (config, default 7) as an undo window, then removed; delete
 *   markers left without versions are removed.
 * - Incomplete multipart uploads (a backup interrupted mid-file) are aborted after 1 day.
 * - No storage-class transitions: objects live about a month, and STANDARD_IA / Glacier
 *   charge a 30 / 90-day minimum, so a transition would cost more than it saves.
 *
 * ## Limits of a safety net by age
 *
 * S3 cannot "keep the newest N". If backups stop altogether, the last backups reach the
 * horizon after about a month and go, and with them `backup.info` and `archive.info`. The
 * backup staleness alarms (`FullBackupAgeHours`) page within a day, long before that.
 */

/** The effective retention settings the derivation reads (the shape of `StackConfig["retention"]`). */
export interface WalArchiveRetention {
  /** Full backups are kept this long, in days. */
  fullDays: number;
  /** Incremental backups are kept this long, in days. */
  incrementalDays: number;
  /** WAL is kept at least this long, in hours. */
  walHours: number;
  /** PITR to any moment of this many past hours. */
  pitrHours: number;
  /** Replaced or deleted object versions are kept this long, in days. */
  noncurrentVersionDays: number;
}

/** How often backups run, which bounds how long the engine keeps its oldest backup. */
export interface BackupCadence {
  /** Hours between full backups (the runbook's daily full: 24). */
  fullIntervalHours: number;
  /** Hours between incremental backups; pgBackRest expires at the end of each backup. */
  incrementalIntervalHours: number;
}

/** Lifecycle horizons of a WAL archive bucket, in whole days. */
export interface WalArchiveLifecycleDays {
  /** Current objects under `<repo>/archive/` (WAL, `archive.info`, history files) expire after this many days. */
  archiveDays: number;
  /** Current objects under `<repo>/backup/` (backup sets, `backup.info`, `backup.history`) expire after this many days. */
  backupDays: number;
  /** Noncurrent versions are removed this many days after they became noncurrent. */
  noncurrentVersionDays: number;
  /** Incomplete multipart uploads are aborted this many days after they began. */
  abortIncompleteMultipartUploadDays: number;
}

/** Days added to every derived horizon: S3 may act up to a day late, and one daily full may fail. */
export const lifecycleMarginDays = 1;

/** Incomplete multipart uploads are aborted after this many days. */
export const abortIncompleteMultipartUploadDays = 1;

const hoursPerDay = 24;

function requirePositiveInteger(key: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`walArchiveLifecycle: ${key} is ${JSON.stringify(value)}; use a whole number >= 1`);
  }
}

/** Whole lifecycle days that keep an object at least `hours`: `ceil(hours / 24)` + the margin day. */
export function lifecycleDaysFor(hours: number): number {
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`walArchiveLifecycle: hours is ${JSON.stringify(hours)}; use a number > 0`);
  return Math.ceil(hours / hoursPerDay) + lifecycleMarginDays;
}

/**
 * Hours the engine may keep its oldest backup (and the WAL from its start): the retention
 * (full or incremental, whichever is longer) plus one full interval (the newest full older
 * than the retention is kept until the next one ages out) plus one incremental interval
 * (expiry runs at the end of the next backup).
 */
export function engineKeepsBackupHours(retention: WalArchiveRetention, cadence: BackupCadence): number {
  return Math.max(retention.fullDays, retention.incrementalDays) * hoursPerDay + cadence.fullIntervalHours + cadence.incrementalIntervalHours;
}

/** Hours of WAL a promised restore needs: the WAL retention, and PITR's window plus the full backup it starts from. */
export function walNeededHours(retention: WalArchiveRetention, cadence: BackupCadence): number {
  return Math.max(retention.walHours, retention.pitrHours + cadence.fullIntervalHours);
}

/** The lifecycle horizons for a WAL archive bucket (see the module comment for the derivation). */
export function deriveWalArchiveLifecycleDays(retention: WalArchiveRetention, cadence: BackupCadence): WalArchiveLifecycleDays {
  for (const key of ["fullDays", "incrementalDays", "walHours", "pitrHours", "noncurrentVersionDays"] as const) {
    requirePositiveInteger(`retention.${key}`, retention[key]);
  }
  for (const key of ["fullIntervalHours", "incrementalIntervalHours"] as const) requirePositiveInteger(`cadence.${key}`, cadence[key]);
  const backupDays = lifecycleDaysFor(engineKeepsBackupHours(retention, cadence));
  return {
    backupDays,
    archiveDays: Math.max(backupDays, lifecycleDaysFor(walNeededHours(retention, cadence))),
    noncurrentVersionDays: retention.noncurrentVersionDays,
    abortIncompleteMultipartUploadDays,
  };
}

/** The stack config parts the derivation reads (a structural subset of `StackConfig`). */
export interface LifecycleConfigInput {
  retention: WalArchiveRetention;
  schedules: { incrementalEveryHours: number };
}

/**
 * The derivation from stack config: the daily full interval comes from the runbook (config
 * can move the full backup's time of day, not its frequency), the incremental interval from
 * `schedules.incrementalEveryHours`.
 */
export function walArchiveLifecycleDaysFromConfig(config: LifecycleConfigInput, fullIntervalHours: number): WalArchiveLifecycleDays {
  return deriveWalArchiveLifecycleDays(config.retention, {
    fullIntervalHours,
    incrementalIntervalHours: config.schedules.incrementalEveryHours,
  });
}

/** The pgBackRest repository path inside the bucket: "/" puts `archive/` and `backup/` at the bucket root. */
export const defaultRepositoryPath = "/";

/**
 * The S3 key prefix of a pgBackRest repository folder: `repositoryKeyPrefix("/", "archive")`
 * is `archive/`, `repositoryKeyPrefix("/pgbackrest", "backup")` is `pgbackrest/backup/`.
 */
export function repositoryKeyPrefix(repositoryPath: string, folder: "archive" | "backup"): string {
  if (!/^\/([A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)?$/.test(repositoryPath)) {
    throw new Error(`walArchiveLifecycle: repositoryPath is ${JSON.stringify(repositoryPath)}; use "/" or an absolute path such as /pgbackrest (no trailing slash)`);
  }
  const base = repositoryPath.slice(1);
  return base === "" ? `${folder}/` : `${base}/${folder}/`;
}

/** One lifecycle rule in the shape of `aws.s3.BucketLifecycleConfiguration` rules (plain data). */
export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix: string };
  expiration?: { days: number } | { expiredObjectDeleteMarker: true };
  noncurrentVersionExpiration?: { noncurrentDays: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/** The lifecycle rules of a WAL archive bucket: one per repository folder, one for the whole bucket. */
export function walArchiveLifecycleRules(repositoryPath: string, days: WalArchiveLifecycleDays): LifecycleRule[] {
  return [
    {
      id: "expire-archive-past-engine-retention",
      status: "Enabled",
      filter: { prefix: repositoryKeyPrefix(repositoryPath, "archive") },
      expiration: { days: days.archiveDays },
    },
    {
      id: "expire-backup-past-engine-retention",
      status: "Enabled",
      filter: { prefix: repositoryKeyPrefix(repositoryPath, "backup") },
      expiration: { days: days.backupDays },
    },
    {
      id: "noncurrent-versions-and-incomplete-uploads",
      status: "Enabled",
      filter: { prefix: "" },
      expiration: { expiredObjectDeleteMarker: true },
      noncurrentVersionExpiration: { noncurrentDays: days.noncurrentVersionDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: days.abortIncompleteMultipartUploadDays },
    },
  ];
}
