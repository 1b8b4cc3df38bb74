/**
 * The database hosts' timers as systemd `OnCalendar` expressions (UTC), computed from the
 * runbook's backup numbers. Pure: plain values in, strings out.
 */
import { HEARTBEAT_INTERVAL_MINUTES, MONITOR_INTERVAL_MINUTES } from "./hostMetrics";

/** systemd `OnCalendar` expressions (UTC) of the host's timers. */
export interface HostSchedules {
  /** Daily full backup. @example "*-*-* 02:00:00 UTC" */
  fullBackup: string;
  /** Incremental backup. @example "*-*-* 00/6:00:00 UTC" */
  incrementalBackup: string;
  /** Monthly restore test. @example "*-*-01 04:00:00 UTC" */
  restoreTest: string;
  /** Backup freshness and replication-lag metrics. @example "*-*-* *:00/5:00 UTC" */
  monitor: string;
  /** Heartbeat row update on the primary. @example "*-*-* *:*:00 UTC" */
  heartbeat: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function parseTimeOfDay(key: string, value: string): string {
  const match = HH_MM.exec(value);
  if (!match) throw new Error(`databaseHost schedules: ${key} is "${value}"; use HH:MM (UTC) from 00:00 to 23:59`);
  return `${match[1]}:${match[2]}:00`;
}

/** `OnCalendar` for every day at `HH:MM` UTC: `dailyAtUtc("02:00")` = `*-*-* 02:00:00 UTC`. */
export function dailyAtUtc(timeUtc: string): string {
  return `*-*-* ${parseTimeOfDay("timeUtc", timeUtc)} UTC`;
}

/** `OnCalendar` for every `hours` hours from midnight UTC: `everyHoursUtc(6)` = `*-*-* 00/6:00:00 UTC`. */
export function everyHoursUtc(hours: number): string {
  if (!Number.isInteger(hours) || hours < 1 || 24 % hours !== 0) {
    throw new Error(`databaseHost schedules: intervalHours is ${hours}; use a whole divisor of 24 (1, 2, 3, 4, 6, 8, 12, 24)`);
  }
  return `*-*-* 00/${hours}:00:00 UTC`;
}

/** `OnCalendar` for every `minutes` minutes UTC: 1 gives `*-*-* *:*:00 UTC`, 5 gives `*-*-* *:00/5:00 UTC`. */
export function everyMinutesUtc(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1 || 60 % minutes !== 0) {
    throw new Error(`databaseHost schedules: interval is ${minutes} minutes; use a whole divisor of 60`);
  }
  return minutes === 1 ? "*-*-* *:*:00 UTC" : `*-*-* *:00/${minutes}:00 UTC`;
}

/** `OnCalendar` for a day of every month at `HH:MM` UTC: `monthlyAtUtc(1, "04:00")` = `*-*-01 04:00:00 UTC`. */
export function monthlyAtUtc(dayOfMonth: number, timeUtc: string): string {
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 28) {
    throw new Error(`databaseHost schedules: dayOfMonth is ${dayOfMonth}; use 1 to 28 (a day every month has)`);
  }
  return `*-*-${String(dayOfMonth).padStart(2, "0")} ${parseTimeOfDay("timeUtc", timeUtc)} UTC`;
}

/** The runbook's backup numbers this module needs (the shape of `backups` in domain/runbook.ts). */
export interface RunbookBackupSchedule {
  full: { timeUtc: string };
  incremental: { intervalHours: number };
  restoreTest: { dayOfMonth: number; timeUtc: string };
}

/**
 * The timers' schedules from the runbook. The incremental timer fires at 00, 06, 12 and
 * 18 UTC, two hours before and four after the 02:00 full backup; should one still run when
 * the other fires, backup.sh waits for it (a lock), so they never run at once.
 */
export function schedulesFromRunbook(backups: RunbookBackupSchedule): HostSchedules {
  return {
    fullBackup: dailyAtUtc(backups.full.timeUtc),
    incrementalBackup: everyHoursUtc(backups.incremental.intervalHours),
    restoreTest: monthlyAtUtc(backups.restoreTest.dayOfMonth, backups.restoreTest.timeUtc),
    monitor: everyMinutesUtc(MONITOR_INTERVAL_MINUTES),
    heartbeat: everyMinutesUtc(HEARTBEAT_INTERVAL_MINUTES),
  };
}
