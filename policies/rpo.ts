/**
 * RPO rules: how much data a region loss may cost. WAL must reach a repository in every region,
 * PostgreSQL must switch WAL segments often enough, an alarm must notice when WAL stops
 * arriving or the standby lags, and the backup timers must run as often as the runbook says.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { alarmName, alarmWindowSeconds, hasAlarmActions, metricAlarmType, watches } from "./alarms";
import { stackPolicy } from "./define";
import { findPgbackrestConfigs, s3Repositories } from "./pgbackrest";
import { archivesWithPgbackrest, archiveTimeoutsSeconds } from "./postgresSettings";
import { resolveSettings, type RecoverySettings } from "./settings";
import { bucketNameOf, databaseHosts, describe, knownString, peek, regionOf, walArchiveBuckets } from "./stackView";
import { findBackupTimers, maxGapHours } from "./systemdCalendar";

/**
 * Regions a stack keeps WAL in. The design keeps one repository per region and two regions
 * per stack: with one region a single outage loses every backup.
 */
export const minimumArchiveRegions = 2;

export const rpoPolicyNames = {
  walPushedToEveryRegion: "rpo-wal-pushed-to-every-region",
  archiveTimeout: "rpo-archive-timeout",
  walFreshnessAlarm: "rpo-wal-freshness-alarm",
  replicaLagAlarm: "rpo-replica-lag-alarm",
  backupSchedule: "rpo-backup-schedule",
} as const;

/** Whether an alarm watches WAL arriving in a bucket (S3 object-created events counted by EventBridge). */
export function isWalFreshnessAlarm(alarm: PolicyResource): boolean {
  return watches(alarm.props, "AWS/Events", "MatchedEvents") || /wal-(archive-)?freshness/.test(alarmName(alarm));
}

export const replicationLagMetric = { namespace: "CrazyGary/Database", metricName: "ReplicationLagSeconds" } as const;

/**
 * Replica lag beyond the RPO risks losing data on a failover: the runbook's P0 ("data loss").
 * Only the standby publishes the metric, and either region may hold the standby, so the alarm
 * lives in every database region permanently and pages P0 (tag `Severity`, as `AlarmSet` sets it)
 * where it has actions.
 */
export const replicaLagSeverity = "P0";

function checkWalPushed(resources: readonly PolicyResource[], report: ReportViolation): void {
  const buckets = walArchiveBuckets(resources);
  const regions = new Set(buckets.map(regionOf).filter((r) => r !== undefined));
  if (regions.size < minimumArchiveRegions) {
    report(
      `WAL archive buckets exist in ${regions.size} region(s) (${[...regions].join(", ") || "none"}); the RPO needs a WalArchiveBucket in each of at least ${minimumArchiveRegions} regions so one region's loss keeps every WAL segment`,
    );
  }
  const hosts = databaseHosts(resources);
  if (hosts.length === 0) report("no DatabaseHost is declared, so nothing pushes WAL to the archive buckets; declare one per database region");
  for (const { host, texts } of hosts) {
    const configs = findPgbackrestConfigs(texts);
    if (configs.length === 0) {
      report(`database host ${host.name} has no pgBackRest configuration in its commands; render pgbackrest.conf with one S3 repository per WAL archive bucket`, host.urn);
      continue;
    }
    if (!archivesWithPgbackrest(texts)) {
      report(`database host ${host.name} sets no archive_command that runs pgbackrest archive-push; WAL would never leave the host`, host.urn);
    }
    const repositories = configs.flatMap(s3Repositories);
    for (const bucket of buckets) {
      const name = bucketNameOf(bucket);
      const region = regionOf(bucket);
      const pushed = repositories.some((r) => r.region === region && (name === undefined || r.bucket === name));
      if (!pushed) {
        report(
          `database host ${host.name} does not push WAL to WAL archive bucket ${describe(bucket)}: add an S3 repository with repoN-s3-bucket=${name ?? "<the bucket>"} and repoN-s3-region=${region ?? "<its region>"} to its pgBackRest configuration`,
          host.urn,
        );
      }
    }
  }
}

function checkArchiveTimeout(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  // A tightened RPO tightens the archive timeout with it.
  const limit = Math.min(settings.archiveTimeoutSeconds, (settings.databaseRpoMinutes * 60) / 5);
  for (const { host, texts } of databaseHosts(resources)) {
    const timeouts = archiveTimeoutsSeconds(texts);
    if (timeouts.length === 0) {
      report(`database host ${host.name} sets no archive_timeout; set it to at most ${limit} s (RPO ${settings.databaseRpoMinutes} min / 5) so an idle database still archives WAL`, host.urn);
    }
    for (const seconds of timeouts) {
      if (seconds <= 0 || seconds > limit) {
        report(
          `database host ${host.name} sets archive_timeout to ${seconds} s${seconds <= 0 ? " (disabled)" : ""}; it must be between 1 and ${limit} s (RPO ${settings.databaseRpoMinutes} min / 5)`,
          host.urn,
        );
      }
    }
  }
}

function checkWalFreshnessAlarms(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  const alarms = resources.filter((r) => r.type === metricAlarmType && isWalFreshnessAlarm(r));
  const rpoSeconds = settings.databaseRpoMinutes * 60;
  for (const bucket of walArchiveBuckets(resources)) {
    const region = regionOf(bucket);
    if (!alarms.some((a) => regionOf(a) === region)) {
      report(`WAL archive bucket ${describe(bucket)} has no WAL-freshness alarm in ${region ?? "its region"}; declare one (AWS/Events MatchedEvents of its WAL uploads) with a window of at most ${rpoSeconds} s`, bucket.urn);
    }
  }
  for (const alarm of alarms) {
    const window = alarmWindowSeconds(alarm.props);
    if (window === undefined || window > rpoSeconds) {
      report(
        `WAL-freshness alarm ${alarmName(alarm)} decides over ${window ?? "an unknown number of"} s; the window (period × evaluation periods) must be at most the database RPO, ${rpoSeconds} s`,
        alarm.urn,
      );
    }
    if (alarm.props.treatMissingData !== "breaching") {
      report(
        `WAL-freshness alarm ${alarmName(alarm)} treats missing data as "${alarm.props.treatMissingData ?? "missing"}"; no WAL upload means no data point, so it must be "breaching"`,
        alarm.urn,
      );
    }
  }
}

function checkReplicaLagAlarms(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  const alarms = resources.filter((r) => r.type === metricAlarmType && watches(r.props, replicationLagMetric.namespace, replicationLagMetric.metricName));
  const rpoSeconds = settings.databaseRpoMinutes * 60;
  if (alarms.length === 0) {
    report(`no alarm watches ${replicationLagMetric.namespace} ${replicationLagMetric.metricName}; declare a replica-lag alarm with a threshold of at most ${rpoSeconds} s`);
    return;
  }
  for (const bucket of walArchiveBuckets(resources)) {
    const region = regionOf(bucket);
    if (!alarms.some((a) => regionOf(a) === region)) {
      report(`no replica-lag alarm in ${region ?? "the region"} of ${describe(bucket)}; the standby may run in any database region, so declare the alarm in every one (treat missing data as notBreaching where the standby is not)`, bucket.urn);
    }
  }
  for (const alarm of alarms) {
    const { threshold, comparisonOperator } = alarm.props;
    if (typeof threshold !== "number" || threshold > rpoSeconds) {
      report(`replica-lag alarm ${alarmName(alarm)} fires above ${threshold ?? "no threshold"} s; the threshold must be at most the database RPO, ${rpoSeconds} s`, alarm.urn);
    }
    if (!/^GreaterThan/.test(String(comparisonOperator))) {
      report(`replica-lag alarm ${alarmName(alarm)} compares with ${comparisonOperator}; it must fire when the lag rises (GreaterThanThreshold)`, alarm.urn);
    }
    const severity = knownString(peek(() => alarm.props.tags?.Severity));
    if (hasAlarmActions(alarm.props) && severity !== replicaLagSeverity) {
      report(`replica-lag alarm ${alarmName(alarm)} pages ${severity ?? "no severity (tag Severity)"}; lag beyond the RPO risks data loss and must page ${replicaLagSeverity}`, alarm.urn);
    }
  }
  if (!alarms.some((a) => hasAlarmActions(a.props) && a.props.treatMissingData === "breaching")) {
    report(
      `no replica-lag alarm can page: none has actions enabled with treatMissingData "breaching"; the standby's region must page ${replicaLagSeverity} when the lag passes the RPO or the standby stops reporting`,
      alarms[0].urn,
    );
  }
}

function checkBackupSchedule(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  for (const { host, texts } of databaseHosts(resources)) {
    const timers = findBackupTimers(texts);
    const fullGap = maxGapHours(timers.filter((t) => t.kind === "full").flatMap((t) => t.onCalendar));
    const anyGap = maxGapHours(timers.flatMap((t) => t.onCalendar));
    if (fullGap > settings.fullBackupIntervalHours) {
      report(
        `database host ${host.name}: full backups run ${Number.isFinite(fullGap) ? `up to ${fullGap} h apart` : "less than daily or never"}; the runbook needs one at least every ${settings.fullBackupIntervalHours} h (a backup-full timer with a daily OnCalendar)`,
        host.urn,
      );
    }
    if (anyGap > settings.incrementalBackupIntervalHours) {
      report(
        `database host ${host.name}: backups run ${Number.isFinite(anyGap) ? `up to ${anyGap} h apart` : "less than daily or never"}; the runbook needs an incremental at least every ${settings.incrementalBackupIntervalHours} h (a backup-incr timer)`,
        host.urn,
      );
    }
  }
}

/** The RPO policies, with the runbook's numbers tightened by `overrides` (validated). */
export function createRpoPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  return [
    stackPolicy(
      { name: rpoPolicyNames.walPushedToEveryRegion, description: "Every database host archives WAL with pgBackRest to a repository in every region's WAL archive bucket.", settings: [] },
      settings,
      (resources, _s, report) => checkWalPushed(resources, report),
    ),
    stackPolicy(
      { name: rpoPolicyNames.archiveTimeout, description: "PostgreSQL's archive_timeout is at most the database RPO / 5.", settings: ["databaseRpoMinutes", "archiveTimeoutSeconds"] },
      settings,
      checkArchiveTimeout,
    ),
    stackPolicy(
      { name: rpoPolicyNames.walFreshnessAlarm, description: "Each WAL archive bucket's region has a WAL-freshness alarm deciding within the database RPO, breaching on missing data.", settings: ["databaseRpoMinutes"] },
      settings,
      checkWalFreshnessAlarms,
    ),
    stackPolicy(
      { name: rpoPolicyNames.replicaLagAlarm, description: "A replica-lag alarm in every database region fires at a lag of at most the database RPO, and the one with actions pages P0, breaching on missing data.", settings: ["databaseRpoMinutes"] },
      settings,
      checkReplicaLagAlarms,
    ),
    stackPolicy(
      { name: rpoPolicyNames.backupSchedule, description: `Backup timers on every database host run a full backup at least every ${settings.fullBackupIntervalHours} h and some backup at least every ${settings.incrementalBackupIntervalHours} h.`, settings: ["fullBackupIntervalHours", "incrementalBackupIntervalHours"] },
      settings,
      checkBackupSchedule,
    ),
  ];
}
