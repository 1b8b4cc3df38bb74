/**
 * The per-repository WAL freshness alarms: one per region's repository, declared in every region
 * role (the alarm lives where its publisher, the active primary, publishes). They fire for the
 * region whose archive is stale or failing even while that region is down: the metric is
 * measured and published by the primary in the surviving region (domain/walArchive.ts), where
 * the bucket-event freshness alarm of the dead region can no longer be evaluated and the
 * surviving region's stays green.
 *
 * Pure data; part of the alarm catalog (`alarmCatalog` in ./alarmCatalog.ts includes these rows).
 */
import type { AlarmDefinition, CustomMetric } from "./alarmTypes";
import type { RunbookSection, Tier } from "./runbook";
import type { RegionRole } from "./topology";
import { REPOSITORY_WAL_AGE_METRIC } from "./walArchive";

/** The metric as the contract lists it. */
export function repositoryWalAgeMetric(publishEverySeconds: number): CustomMetric {
  return {
    kind: "custom",
    namespace: REPOSITORY_WAL_AGE_METRIC.namespace as CustomMetric["namespace"],
    name: REPOSITORY_WAL_AGE_METRIC.name,
    unit: REPOSITORY_WAL_AGE_METRIC.unit,
    publishEverySeconds,
    publisher: "database host (monitor.sh)",
    publishedBy: "active",
    meaning:
      "seconds since the newest WAL segment reached the repository in Region, measured by the active primary for every repository and published to CloudWatch in the primary's own region; a repository that does not answer ages from the last segment seen",
  };
}

/** What the rows need from the catalog. */
export interface RepositoryWalAlarmInputs {
  /** The effective database RPO, in minutes: the threshold. */
  rpoMinutes: number;
  /** How often monitor.sh publishes, in seconds: the alarm's period. */
  publishEverySeconds: number;
  /** The database's tier. */
  tier: Tier;
  source: RunbookSection;
}

/** The repository roles, in repository order (repo1 is the primary region's bucket). */
const repositoryRoles: readonly RegionRole[] = ["primary", "secondary"];

/**
 * `repository-wal-age-<repository role>`: no WAL segment reached that role's repository for
 * longer than the RPO. P1 fixed: WAL still reaches the other region (else its own alarm fires
 * too, and wal-archive-freshness pages P0), but the queue in `pg_wal` grows toward
 * `archive-push-queue-max`, past which WAL is dropped from every repository.
 */
export function repositoryWalAlarms(inputs: RepositoryWalAlarmInputs): AlarmDefinition[] {
  const metric = repositoryWalAgeMetric(inputs.publishEverySeconds);
  return repositoryRoles.map(
    (repository): AlarmDefinition => ({
      id: `repository-wal-age-${repository}`,
      row: "repository-wal-age",
      description: `No WAL segment reached the ${repository} region's repository for more than the database RPO (${inputs.rpoMinutes} min), as the active primary sees it`,
      source: inputs.source,
      component: "database",
      tier: inputs.tier,
      expression: { kind: "metric", metric, statistic: "Maximum" },
      comparison: "GreaterThanThreshold",
      threshold: inputs.rpoMinutes * 60,
      // One period per datum (monitor.sh every 5 min): a shorter one would breach between data.
      periodSeconds: inputs.publishEverySeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "breaching",
      missingDataReason: "an active primary that stops measuring its repositories may have stopped archiving; only the active region expects the metric",
      severity: { kind: "fixed", severity: "P1" },
      metricRegion: "own-region",
      repository,
      rollbackTrigger: false,
    }),
  );
}
