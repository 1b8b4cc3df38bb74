/**
 * The copy of the pgBackRest repositories that nobody reachable from a database host can delete
 * or shorten: AWS Backup recovery points in vaults under Vault Lock. Pure decisions: the lock's
 * bounds, the plan's rules, and what makes a setting unsafe.
 *
 * AWS behaviour relied on (AWS Backup developer guide unless noted):
 * - Vault Lock in compliance mode (`changeableForDays` set, at least 3: AWS enforces a 72-hour
 *   cooling-off) becomes immutable on the lock date: nobody, the root user included, can delete a
 *   recovery point before `minRetentionDays`, shorten its retention, or remove the lock.
 *   Without `changeableForDays` the lock is in governance mode: anyone with
 *   `backup:DeleteBackupVaultLockConfiguration` removes it (CloudFormation
 *   `AWS::Backup::BackupVault LockConfigurationType`).
 * - A backup job whose retention is outside the vault's [min, max] fails: every rule's
 *   retention must sit inside the lock's bounds.
 * - S3 continuous backups allow a point-in-time restore within the last 35 days at most; a copy
 *   of a continuous backup has no point-in-time restore; continuous and periodic backups of a
 *   bucket must be in the same vault; a bucket belongs in one continuous-backup plan ("Amazon S3
 *   backups").
 * - AWS Backup for S3 requires S3 Versioning on the bucket ("Amazon S3 backups": "You must enable
 *   S3 Versioning on your S3 bucket to use AWS Backup for Amazon S3"); the WAL archive buckets
 *   are versioned (`WalArchiveBucket`).
 * - A backup plan's rule writes to a vault in the resource's own region; `copyActions` copy its
 *   recovery points to a vault of another region.
 */
export type LockMode = "compliance" | "governance";

/** AWS's own bounds. */
export const awsBackupLimits = Object.freeze({
  /** Longest continuous-backup (S3 point-in-time restore) retention, in days. */
  continuousMaxDays: 35,
  /** Shortest `changeableForDays` AWS accepts (its 72-hour cooling-off period). */
  minChangeableForDays: 3,
});

export interface BackupCopySettings {
  /** Compliance (immutable after the lock date) or governance (removable by an administrator). */
  lockMode: LockMode;
  /** Shortest retention the vault lock allows, in days: no recovery point is deletable sooner. */
  minRetentionDays: number;
  /** Longest retention the vault lock allows, in days (bounds cost and the blast radius of a mistake). */
  maxRetentionDays: number;
  /** How long each daily snapshot (and its copy in the other region) is kept, in days. */
  snapshotRetentionDays: number;
  /** How far back a point-in-time restore of a bucket reaches, in days (the continuous backup's retention). */
  continuousRetentionDays: number;
  /** Days before a compliance-mode lock becomes immutable (compliance only). */
  changeableForDays: number;
}

/**
 * What is wrong with `settings`: per problem, the key and a message (after the value) saying what is allowed.
 * `runbookRetentionDays` is the runbook's full-backup retention (30 d): the locked copy keeps
 * every recovery point at least that long.
 */
export function backupCopyProblems(settings: BackupCopySettings, runbookRetentionDays: number): { key: keyof BackupCopySettings; message: string }[] {
  const problems: { key: keyof BackupCopySettings; message: string }[] = [];
  const s = settings;
  if (s.minRetentionDays < runbookRetentionDays) {
    problems.push({ key: "minRetentionDays", message: `is shorter than the runbook's ${runbookRetentionDays} d full-backup retention; use a value >= ${runbookRetentionDays}, e.g. ${runbookRetentionDays}` });
  }
  if (s.maxRetentionDays < s.minRetentionDays) {
    problems.push({ key: "maxRetentionDays", message: `is below minRetentionDays (${s.minRetentionDays}); use a value >= ${s.minRetentionDays}, e.g. ${s.minRetentionDays}` });
  }
  for (const key of ["snapshotRetentionDays", "continuousRetentionDays"] as const) {
    if (s[key] < s.minRetentionDays || s[key] > s.maxRetentionDays) {
      problems.push({ key, message: `is outside the vault lock's ${s.minRetentionDays}..${s.maxRetentionDays} d, so AWS Backup would fail the job; use a value in that range, e.g. ${Math.min(Math.max(35, s.minRetentionDays), s.maxRetentionDays)}` });
    }
  }
  if (s.continuousRetentionDays > awsBackupLimits.continuousMaxDays) {
    problems.push({ key: "continuousRetentionDays", message: `is longer than the ${awsBackupLimits.continuousMaxDays} d AWS Backup keeps continuous S3 backups; use a value <= ${awsBackupLimits.continuousMaxDays}, e.g. ${awsBackupLimits.continuousMaxDays}` });
  }
  if (s.lockMode === "compliance" && s.changeableForDays < awsBackupLimits.minChangeableForDays) {
    problems.push({ key: "changeableForDays", message: `is shorter than AWS Backup's ${awsBackupLimits.minChangeableForDays}-day cooling-off; use a value >= ${awsBackupLimits.minChangeableForDays}, e.g. ${awsBackupLimits.minChangeableForDays}` });
  }
  return problems;
}

/** The Vault Lock arguments: `changeableForDays` only in compliance mode (its absence is governance mode). */
export function vaultLock(settings: BackupCopySettings): { minRetentionDays: number; maxRetentionDays: number; changeableForDays?: number } {
  const bounds = { minRetentionDays: settings.minRetentionDays, maxRetentionDays: settings.maxRetentionDays };
  return settings.lockMode === "compliance" ? { ...bounds, changeableForDays: settings.changeableForDays } : bounds;
}

/** Hours after the daily full backup the snapshot is taken: the full backup (02:00) has finished by then. */
export const snapshotDelayHours = 3;

/** The AWS Backup cron (UTC) for the daily snapshot, `snapshotDelayHours` after the full backup's `HH:MM`. */
export function dailySnapshotSchedule(fullBackupTimeUtc: string): string {
  const match = /^(\d{2}):(\d{2})$/.exec(fullBackupTimeUtc);
  if (!match) throw new Error(`fullBackupTimeUtc: "${fullBackupTimeUtc}" is not HH:MM`);
  const hour = (Number(match[1]) + snapshotDelayHours) % 24;
  return `cron(${Number(match[2])} ${hour} * * ? *)`;
}

/** One rule of the backup plan, as plain data (the component passes it to `aws.backup.Plan`). */
export interface BackupRule {
  ruleName: string;
  targetVaultName: string;
  schedule?: string;
  enableContinuousBackup: boolean;
  lifecycle: { deleteAfter: number };
  copyActions: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
}

/**
 * The plan's two rules: continuous backup (point-in-time restore over `continuousRetentionDays`;
 * not copied: a copy would lose its point-in-time restore) and a daily snapshot, copied to the
 * other region's locked vault.
 */
export function backupRules(settings: BackupCopySettings, vault: { name: string; copyVaultArn: string; schedule: string }): BackupRule[] {
  return [
    {
      ruleName: "continuous",
      targetVaultName: vault.name,
      enableContinuousBackup: true,
      lifecycle: { deleteAfter: settings.continuousRetentionDays },
      copyActions: [],
    },
    {
      ruleName: "daily-snapshot",
      targetVaultName: vault.name,
      schedule: vault.schedule,
      enableContinuousBackup: false,
      lifecycle: { deleteAfter: settings.snapshotRetentionDays },
      copyActions: [{ destinationVaultArn: vault.copyVaultArn, lifecycle: { deleteAfter: settings.snapshotRetentionDays } }],
    },
  ];
}

/** The vault's name: `crazy-gary-<environment>-repositories-<region>`. */
export const backupVaultName = (environment: string, region: string) => `crazy-gary-${environment}-repositories-${region}`;

/**
 * AWS Backup's service opt-in for the region, declared rather than left as a console step
 * (`aws.backup.RegionSettings`, UpdateRegionSettings: "If service-opt-in is enabled for a service,
 * Backup tries to protect that service's resources in this Region ... Otherwise, Backup does not try
 * to protect that service's resources in this Region"). The selection names the buckets by ARN, which
 * the API reference says is honoured even without the opt-in ("If a resource type is explicitly
 * assigned to a backup plan, such as Amazon S3 ... it will be included in the backup even if the
 * opt-in is not enabled"); declaring it costs nothing and keeps a tag-based selection from backing up
 * nothing, silently. Only S3 is named: UpdateRegionSettings changes the types it is given (guess: the
 * other types keep their setting; the API reference does not say, and the provider may then show the
 * account's other types as a difference to drop, so review the first preview).
 */
export const backupRegionOptIn = Object.freeze({ S3: true });
