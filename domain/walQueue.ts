/**
 * The hosts' WAL queue bound (`archive-push-queue-max`) from the runbook's numbers and the
 * effective config; no resources, no Pulumi (the real-PostgreSQL tests render with it too).
 */
import { MONITOR_INTERVAL_MINUTES } from "./hostMetrics";
import { recoveryObjectives, severityLevels } from "./runbook";
import type { RecoverySettings } from "./topology";
import { archivePushQueueMaxMiB, DEFAULT_PEAK_WAL_MIB_PER_MINUTE, outageResponseMinutes } from "./walArchive";

/**
 * Minutes of WAL the primary queues while a repository is unreachable before pgBackRest drops
 * it: the per-repository alarm's threshold (the RPO) and period (the monitor interval), the
 * P1 response time, and the database RTO to act (docs/runbooks/region-outage-wal.md).
 */
export const walQueueResponseMinutes = (config: { recovery: RecoverySettings }) =>
  outageResponseMinutes({
    alarmThresholdMinutes: config.recovery.databaseRpoMinutes,
    monitorIntervalMinutes: MONITOR_INTERVAL_MINUTES,
    responseMinutes: severityLevels.P1.responseMinutes,
    actMinutes: recoveryObjectives.database.rtoMinutes,
  });

/** `archive-push-queue-max` of the hosts, in MiB: the response time's WAL at the design peak rate. */
export const walQueueMaxMiB = (config: { recovery: RecoverySettings }) =>
  archivePushQueueMaxMiB(walQueueResponseMinutes(config), DEFAULT_PEAK_WAL_MIB_PER_MINUTE);

