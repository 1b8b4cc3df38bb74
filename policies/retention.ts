/**
 * Retention rules: nothing a promised restore needs is deleted. pgBackRest's own retention
 * must meet the runbook; S3 lifecycle rules on the WAL archive buckets must never expire an
 * object before pgBackRest itself would; old versions and broken uploads must not pile up;
 * logs are kept as long as the SLA says.
 *
 * The lifecycle rule recomputes the days it requires from the engine's retention as written
 * in the rendered pgBackRest configuration and the runbook's numbers. It deliberately does NOT
 * import the backups component's own lifecycle derivation: a policy that re-used it would
 * agree with any bug in it and never catch one.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./define";
import { findPgbackrestConfigs, repositoryRetention, s3Repositories, type BackupIntervals, type S3Repository } from "./pgbackrest";
import { resolveSettings, type RecoverySettings } from "./settings";
import { bucketNameOf, databaseHosts, describe, regionOf, settingsOfBucket, walArchiveBuckets } from "./stackView";

/**
 * Days a lifecycle rule must wait beyond the engine's retention. S3 counts whole days and runs
 * lifecycle asynchronously, so an object can go up to a day off the exact hour; the margin
 * keeps a rule from ever racing pgBackRest's own expiry, which runs only after a backup.
 */
export const lifecycleDelayDays = 1;

export const lifecycleConfigurationType = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

export const retentionPolicyNames = {
  backupEngine: "retention-backup-engine",
  lifecycleCoversEngine: "retention-lifecycle-covers-engine",
  lifecycleHousekeeping: "retention-lifecycle-housekeeping",
  logGroups: "retention-log-groups",
} as const;

/** The fewest whole lifecycle days that keep an object the engine keeps for `hours`. */
export function requiredLifecycleDays(hours: number): number {
  return Math.ceil(hours / 24) + lifecycleDelayDays;
}

/** WAL must cover the PITR window from the oldest full backup it may need: window + one full interval. */
export function requiredWalHours(settings: RecoverySettings): number {
  return Math.max(settings.walRetentionHours, settings.pitrWindowHours + settings.fullBackupIntervalHours);
}

const intervalsOf = (settings: RecoverySettings): BackupIntervals => ({ fullHours: settings.fullBackupIntervalHours, incrementalHours: settings.incrementalBackupIntervalHours });

function checkBackupEngine(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  const walHours = requiredWalHours(settings);
  for (const { host, texts } of databaseHosts(resources)) {
    for (const config of findPgbackrestConfigs(texts)) {
      for (const [index, options] of config.repositories) {
        const kept = repositoryRetention(options, intervalsOf(settings), index);
        for (const problem of kept.problems) report(`database host ${host.name}: ${problem}; set repo${index}-retention-full-type=time and repo${index}-retention-full=${settings.fullRetentionDays}`, host.urn);
        if (kept.problems.length > 0) continue;
        if (kept.fullRestorableHours < settings.fullRetentionDays * 24) {
          report(
            `database host ${host.name}: repo${index} keeps full backups restorable for ${kept.fullRestorableHours / 24} d; the runbook needs ${settings.fullRetentionDays} d (repo${index}-retention-full-type=time, repo${index}-retention-full>=${settings.fullRetentionDays})`,
            host.urn,
          );
        }
        if (kept.walKeptHours < walHours) {
          report(
            `database host ${host.name}: repo${index} keeps WAL for ${kept.walKeptHours} h; the runbook needs ${walHours} h (PITR window ${settings.pitrWindowHours} h + full-backup interval ${settings.fullBackupIntervalHours} h): raise or remove repo${index}-retention-archive`,
            host.urn,
          );
        }
      }
    }
  }
}

interface LifecycleRule {
  id?: string;
  status?: string;
  filter?: { prefix?: string; and?: { prefix?: string } };
  prefix?: string;
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation?: number };
}

const rulesOf = (configuration: PolicyResource): LifecycleRule[] => (Array.isArray(configuration.props.rules) ? configuration.props.rules : []);
const enabled = (rule: LifecycleRule) => rule.status === "Enabled";
const prefixOf = (rule: LifecycleRule) => rule.filter?.prefix ?? rule.filter?.and?.prefix ?? rule.prefix ?? "";

/** What the engine stores in a bucket: key prefixes and how long it keeps each, in hours. */
interface StoredData {
  what: string;
  keyPrefix: string;
  keptHours: number;
}

/** The engine's data in `bucket`: from every repository that points at it, floored by the runbook. */
export function storedData(bucket: PolicyResource, repositories: readonly { repository: S3Repository; options: Record<string, string> }[], settings: RecoverySettings): StoredData[] {
  const name = bucketNameOf(bucket);
  const region = regionOf(bucket);
  const mine = repositories.filter(({ repository: r }) => (name !== undefined ? r.bucket === name : r.region === region));
  const floorBackupHours = settings.fullRetentionDays * 24 + settings.fullBackupIntervalHours + settings.incrementalBackupIntervalHours;
  const floorWalHours = requiredWalHours(settings);
  const paths = mine.length > 0 ? [...new Set(mine.map(({ repository }) => repository.path))] : [""];
  const kept = mine.map(({ repository, options }) => repositoryRetention(options, intervalsOf(settings), repository.index));
  const backupHours = Math.max(floorBackupHours, ...kept.map((k) => k.backupKeptHours));
  const walHours = Math.max(floorWalHours, ...kept.map((k) => k.walKeptHours));
  const under = (path: string, dir: string) => `${path ? `${path}/` : ""}${dir}/`;
  return paths.flatMap((path) => [
    { what: "backups", keyPrefix: under(path, "backup"), keptHours: backupHours },
    { what: "WAL", keyPrefix: under(path, "archive"), keptHours: walHours },
  ]);
}

function checkLifecycleCoversEngine(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  const repositories = databaseHosts(resources).flatMap(({ texts }) =>
    findPgbackrestConfigs(texts).flatMap((config) => s3Repositories(config).map((repository) => ({ repository, options: { ...config.repositories.get(repository.index)! } }))),
  );
  for (const bucket of walArchiveBuckets(resources)) {
    const data = storedData(bucket, repositories, settings);
    for (const configuration of settingsOfBucket(resources, lifecycleConfigurationType, bucket)) {
      for (const rule of rulesOf(configuration).filter(enabled)) {
        const prefix = prefixOf(rule);
        const label = `lifecycle rule "${rule.id ?? "(no id)"}" on WAL archive bucket ${describe(bucket)}`;
        if (rule.expiration?.date !== undefined) {
          report(`${label} expires objects on a fixed date (${rule.expiration.date}); use expiration days that cover the engine's retention`, configuration.urn);
        }
        const days = rule.expiration?.days;
        if (days === undefined) continue;
        for (const stored of data.filter((d) => d.keyPrefix.startsWith(prefix) || prefix.startsWith(d.keyPrefix))) {
          const required = requiredLifecycleDays(stored.keptHours);
          if (days < required) {
            report(
              `${label} expires objects under "${prefix}" after ${days} d, but pgBackRest keeps ${stored.what} (${stored.keyPrefix}) for up to ${stored.keptHours} h; lifecycle counts whole days and may run a day late, so use at least ceil(${stored.keptHours} / 24) + ${lifecycleDelayDays} = ${required} d`,
              configuration.urn,
            );
          }
        }
      }
    }
  }
}

function checkHousekeeping(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const bucket of walArchiveBuckets(resources)) {
    const rules = settingsOfBucket(resources, lifecycleConfigurationType, bucket).flatMap(rulesOf).filter(enabled);
    if (!rules.some((r) => (r.noncurrentVersionExpiration?.noncurrentDays ?? 0) >= 1)) {
      report(`WAL archive bucket ${describe(bucket)} has no enabled lifecycle rule expiring noncurrent versions; with versioning on, replaced and deleted objects would be kept (and billed) forever`, bucket.urn);
    }
    if (!rules.some((r) => (r.abortIncompleteMultipartUpload?.daysAfterInitiation ?? 0) >= 1)) {
      report(`WAL archive bucket ${describe(bucket)} has no enabled lifecycle rule aborting incomplete multipart uploads; parts of interrupted backups would be kept (and billed) forever`, bucket.urn);
    }
  }
}

/** The retention policies, with the runbook's numbers tightened by `overrides` (validated). */
export function createRetentionPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  const engineSettings = ["fullRetentionDays", "walRetentionHours", "pitrWindowHours", "fullBackupIntervalHours", "incrementalBackupIntervalHours"] as const;
  return [
    stackPolicy(
      {
        name: retentionPolicyNames.backupEngine,
        description: `pgBackRest keeps every full backup restorable for ${settings.fullRetentionDays} d and WAL for the PITR window plus a full-backup interval.`,
        settings: engineSettings,
      },
      settings,
      checkBackupEngine,
    ),
    stackPolicy(
      {
        name: retentionPolicyNames.lifecycleCoversEngine,
        description: "No lifecycle rule on a WAL archive bucket expires an object before pgBackRest's retention for it (whole days, rounded up, plus a day).",
        settings: engineSettings,
      },
      settings,
      checkLifecycleCoversEngine,
    ),
    stackPolicy(
      { name: retentionPolicyNames.lifecycleHousekeeping, description: "WAL archive buckets expire noncurrent versions and abort incomplete multipart uploads.", settings: [] },
      settings,
      (resources, _s, report) => checkHousekeeping(resources, report),
    ),
    resourcePolicy(
      { name: retentionPolicyNames.logGroups, description: `Log groups keep logs at least ${settings.logRetentionDays} days (or forever).`, settings: ["logRetentionDays"] },
      settings,
      aws.cloudwatch.LogGroup,
      (props, _args, s, report) => {
        const days = props.retentionInDays;
        if (days !== undefined && days !== 0 && days < s.logRetentionDays) {
          report(`log group keeps logs for ${days} d; the SLA needs at least ${s.logRetentionDays} d (retentionInDays >= ${s.logRetentionDays}, or 0 for forever)`);
        }
      },
    ),
  ];
}
