/**
 * The metrics the database hosts' scripts publish and the alarms watch: one list for the
 * TypeScript side (the alarm catalog, the host IAM policy). The shell scripts spell the names
 * too; test/hostScriptMetrics.test.ts holds every name and namespace they publish to this list.
 */
/**
 * The metrics the scripts publish, for alarms to match. Every datum has the dimensions
 * `Environment` and `Region`; the backup metrics also `Type` (`full` | `incr`).
 * BackupSuccess/BackupDurationSeconds are published per repository, to CloudWatch in the
 * repository's region (Region = that region); the others by each host, in its own region.
 */
export const HOST_METRICS = Object.freeze({
  backupNamespace: "CrazyGary/Backup" as const,
  databaseNamespace: "CrazyGary/Database" as const,
  /** 1 on success, 0 on failure; dimensions Environment, Region, Type. Unit Count. */
  backupSuccess: "BackupSuccess",
  /** Dimensions Environment, Region, Type. Unit Seconds. */
  backupDurationSeconds: "BackupDurationSeconds",
  /** 1 on success, 0 on failure. Unit Count. */
  restoreTestSuccess: "RestoreTestSuccess",
  /** Unit Seconds. */
  restoreTestDurationSeconds: "RestoreTestDurationSeconds",
  /** Age of the newest full backup in the host region's repository, in hours. Unit None. */
  fullBackupAgeHours: "FullBackupAgeHours",
  /** Age of the newest WAL segment in the host region's repository. Unit Seconds. */
  walArchiveAgeSeconds: "WalArchiveAgeSeconds",
  /** Days since the last successful restore test (active region only). Unit None. */
  restoreTestAgeDays: "RestoreTestAgeDays",
  /** In namespace CrazyGary/Database, on the standby only. Unit Seconds. */
  replicationLagSeconds: "ReplicationLagSeconds",
});

/** Minutes between monitor runs (issue "Backups": "a monitor timer every 5 minutes"). */
export const MONITOR_INTERVAL_MINUTES = 5;
/** Minutes between heartbeats: at most `archive_timeout` (60 s), so idle WAL still switches every minute. */
export const HEARTBEAT_INTERVAL_MINUTES = 1;
