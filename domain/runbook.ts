/**
 * The runbook's tables as typed, frozen data: the one source of truth for the stack's
 * components, the policy pack, the tests and the docs. Every entry names the runbook
 * section it comes from (`domain/runbook.md`, a copy of the team's "Disaster Recovery &
 * Rollback Procedures"; `test/runbook.test.ts` checks the rows against it).
 *
 * Stack config may tighten these numbers (see `infra/config.ts`), never loosen them.
 */

/** A runbook section, quoted by heading so a reader can find the source of a number. */
export type RunbookSection =
  | "Recovery Time Objectives (RTO) & Recovery Point Objectives (RPO)"
  | "Service Level Agreements (SLA)"
  | "Backup Strategy"
  | "Backup Types & Retention"
  | "Automated Rollback Triggers"
  | "Severity Levels"
  | "Escalation Matrix"
  | "Communication Schedule"
  | "Regular Testing Schedule";

/** Deep-freezes plain data so no caller can change the runbook at run time. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export type Tier = 1 | 2 | 3 | 4;

export type ComponentId =
  | "database"
  | "api"
  | "auth"
  | "web"
  | "mcpTools"
  | "backgroundTasks"
  | "analyticsLogging";

export interface RecoveryObjective {
  component: string;
  tier: Tier;
  /** Recovery time objective, in minutes. */
  rtoMinutes: number;
  /** Recovery point objective, in minutes; `null` where the runbook says N/A (stateless). */
  rpoMinutes: number | null;
  businessImpact: string;
  source: RunbookSection;
}

const RTO_RPO: RunbookSection = "Recovery Time Objectives (RTO) & Recovery Point Objectives (RPO)";

/** All seven rows of the RTO/RPO table. */
export const recoveryObjectives: Readonly<Record<ComponentId, Readonly<RecoveryObjective>>> = deepFreeze({
  database: { component: "Database (PostgreSQL)", tier: 1, rtoMinutes: 15, rpoMinutes: 5, businessImpact: "Critical - No user data access", source: RTO_RPO },
  api: { component: "API Service (Flask)", tier: 1, rtoMinutes: 10, rpoMinutes: null, businessImpact: "Critical - No backend functionality", source: RTO_RPO },
  auth: { component: "Authentication Service", tier: 1, rtoMinutes: 10, rpoMinutes: null, businessImpact: "Critical - No user login capability", source: RTO_RPO },
  web: { component: "Frontend Web App", tier: 2, rtoMinutes: 30, rpoMinutes: null, businessImpact: "High - No UI access", source: RTO_RPO },
  mcpTools: { component: "MCP Tools Integration", tier: 2, rtoMinutes: 45, rpoMinutes: 15, businessImpact: "High - Reduced functionality", source: RTO_RPO },
  backgroundTasks: { component: "Background Task Processing", tier: 3, rtoMinutes: 120, rpoMinutes: 30, businessImpact: "Medium - Delayed task processing", source: RTO_RPO },
  analyticsLogging: { component: "Analytics & Logging", tier: 4, rtoMinutes: 240, rpoMinutes: 60, businessImpact: "Low - Monitoring degraded", source: RTO_RPO },
});

/** "Service Level Agreements (SLA)". */
export const sla = deepFreeze({
  /** Availability target, in percent. */
  availabilityPercent: 99.9,
  /** Downtime the availability target allows, in hours per year. */
  allowedDowntimeHoursPerYear: 8.77,
  /** Planned maintenance budget, in hours per month. */
  plannedMaintenanceHoursPerMonth: 4,
  /** Notice before planned maintenance, in hours. */
  maintenanceNoticeHours: 48,
  /** Backups are kept this long, in days ("Data Retention: 30 days for backups"). */
  backupRetentionDays: 30,
  /** Logs are kept this long, in days ("Data Retention: ... 90 days for logs"). */
  logRetentionDays: 90,
  source: "Service Level Agreements (SLA)" as RunbookSection,
});

/**
 * "Backup Strategy" and "Backup Types & Retention".
 *
 * The runbook contradicts itself here: transaction-log backups "every 15 minutes during
 * business hours" (`*\/15 8-20 * * *`) cannot meet the database's 5-minute RPO, neither at
 * night nor within the 15 minutes between runs. The stack resolves it in favour of the RPO:
 * WAL is archived continuously by pgBackRest (`archive_command`), and `archive_timeout`
 * forces a segment switch at least every RPO/5 (60 s), so the loss window is bounded by
 * `archive_timeout`, around the clock. The 15-minute figure survives only as an upper
 * bound nothing in the stack relies on.
 */
export const backups = deepFreeze({
  full: {
    /** Time of day of the daily full backup, `HH:MM` UTC. */
    timeUtc: "02:00",
    /** Interval between full backups, in hours. */
    intervalHours: 24,
    /** Full backups are kept this long, in days. */
    retentionDays: 30,
    source: "Backup Strategy" as RunbookSection,
  },
  incremental: {
    /** Interval between incremental backups, in hours (`0 *\/6 * * *`). */
    intervalHours: 6,
    /** Incremental backups are kept this long, in days. */
    retentionDays: 7,
    source: "Backup Types & Retention" as RunbookSection,
  },
  transactionLogs: {
    /** The runbook's log-backup interval, in minutes (superseded by continuous archiving; see above). */
    intervalMinutes: 15,
    /** WAL is kept this long, in hours. */
    retentionHours: 48,
    source: "Backup Types & Retention" as RunbookSection,
  },
  pointInTimeRecovery: {
    /** PITR is possible to any moment of this many past hours. */
    windowHours: 24,
    source: "Backup Types & Retention" as RunbookSection,
  },
  restoreTest: {
    /** The full backup-and-restore test runs monthly, on this day of the month (UTC). */
    dayOfMonth: 1,
    /** Time of day of the monthly restore test, `HH:MM` UTC (after the 02:00 full backup). */
    timeUtc: "04:00",
    source: "Regular Testing Schedule" as RunbookSection,
  },
  logs: {
    /** Logs are kept this long, in days. */
    retentionDays: 90,
    source: "Service Level Agreements (SLA)" as RunbookSection,
  },
});

/** How often WAL must at least be archived: RPO / 5, in seconds (60 s for the 5-minute RPO). */
export const maxArchiveTimeoutSeconds = (recoveryObjectives.database.rpoMinutes! * 60) / 5;

export type Severity = "P0" | "P1" | "P2" | "P3";
export const severities: readonly Severity[] = Object.freeze(["P0", "P1", "P2", "P3"] as const);

export interface SeverityLevel {
  name: string;
  description: string;
  /** Time to first response, in minutes ("Escalation Matrix"). */
  responseMinutes: number;
  /** Status-update cadence, in minutes, where the runbook sets one ("Communication Schedule"). */
  updateEveryMinutes: number | null;
  escalationPath: string;
  source: RunbookSection;
}

/** "Severity Levels", "Escalation Matrix" and "Communication Schedule". */
export const severityLevels: Readonly<Record<Severity, Readonly<SeverityLevel>>> = deepFreeze({
  P0: { name: "Critical", description: "Complete system outage, data loss, security breach", responseMinutes: 5, updateEveryMinutes: 15, escalationPath: "On-Call → Manager → Director", source: "Escalation Matrix" },
  P1: { name: "High", description: "Major functionality impaired, significant performance degradation", responseMinutes: 15, updateEveryMinutes: 30, escalationPath: "On-Call → Senior Engineer", source: "Escalation Matrix" },
  P2: { name: "Medium", description: "Minor functionality issues, isolated component failures", responseMinutes: 60, updateEveryMinutes: null, escalationPath: "On-Call → Team Lead", source: "Escalation Matrix" },
  P3: { name: "Low", description: "Cosmetic issues, minor bugs, optimization opportunities", responseMinutes: 240, updateEveryMinutes: null, escalationPath: "On-Call", source: "Escalation Matrix" },
});

export type RollbackTriggerGroup = "Health Check Failures" | "Performance Degradation" | "Business Logic Failures" | "Security Incidents";

export type RollbackTriggerId =
  | "api-health"
  | "db-connect-time"
  | "web-load-failures"
  | "api-error-rate"
  | "api-latency-p95"
  | "db-query-time"
  | "memory"
  | "cpu"
  | "auth-failure-rate"
  | "task-create-failure-rate"
  | "model-api-failure-rate"
  | "payment-failures"
  | "unauthorized-access"
  | "suspicious-usage"
  | "data-breach-indicators"
  | "cert-expiry";

export interface RollbackTrigger {
  group: RollbackTriggerGroup;
  /** The runbook's words. */
  text: string;
  /** The number the runbook gives, in `unit`; `null` where it gives none. */
  threshold: number | null;
  unit: "status" | "ms" | "percent" | "count" | "days" | null;
  /** Whether the row fires when the value rises above or falls below `threshold`. */
  breachWhen: "above" | "below";
  /** For how long the condition must hold, in minutes; `null` where the runbook says nothing. */
  sustainedMinutes: number | null;
  /**
   * Why the stack declares no alarm for this row, where it declares none. Rows without a
   * reason have an alarm in `AlarmSet` (the policy pack's coverage rule checks that).
   */
  noAlarmReason?: string;
  source: RunbookSection;
}

const TRIGGERS: RunbookSection = "Automated Rollback Triggers";

/** Every row of "Automated Rollback Triggers". */
export const rollbackTriggers: Readonly<Record<RollbackTriggerId, Readonly<RollbackTrigger>>> = deepFreeze({
  "api-health": { group: "Health Check Failures", text: "API endpoint /health returns non-200 status", breachWhen: "below", threshold: null, unit: "status", sustainedMinutes: null, source: TRIGGERS },
  "db-connect-time": { group: "Health Check Failures", text: "Database connection timeouts > 5 seconds", breachWhen: "above", threshold: 5000, unit: "ms", sustainedMinutes: null, source: TRIGGERS },
  "web-load-failures": { group: "Health Check Failures", text: "Frontend loading failures > 50% of requests", breachWhen: "above", threshold: 50, unit: "percent", sustainedMinutes: null, source: TRIGGERS },
  "api-error-rate": { group: "Health Check Failures", text: "Error rate > 10% for 5+ minutes", breachWhen: "above", threshold: 10, unit: "percent", sustainedMinutes: 5, source: TRIGGERS },
  "api-latency-p95": { group: "Performance Degradation", text: "API response time > 2 seconds (95th percentile)", breachWhen: "above", threshold: 2000, unit: "ms", sustainedMinutes: null, source: TRIGGERS },
  "db-query-time": { group: "Performance Degradation", text: "Database query time > 1 second average", breachWhen: "above", threshold: 1000, unit: "ms", sustainedMinutes: null, source: TRIGGERS },
  memory: { group: "Performance Degradation", text: "Memory usage > 90% for 10+ minutes", breachWhen: "above", threshold: 90, unit: "percent", sustainedMinutes: 10, source: TRIGGERS },
  cpu: { group: "Performance Degradation", text: "CPU usage > 90% for 15+ minutes", breachWhen: "above", threshold: 90, unit: "percent", sustainedMinutes: 15, source: TRIGGERS },
  "auth-failure-rate": { group: "Business Logic Failures", text: "Authentication failure rate > 5%", breachWhen: "above", threshold: 5, unit: "percent", sustainedMinutes: null, source: TRIGGERS },
  "task-create-failure-rate": { group: "Business Logic Failures", text: "Task creation failure rate > 10%", breachWhen: "above", threshold: 10, unit: "percent", sustainedMinutes: null, source: TRIGGERS },
  "model-api-failure-rate": { group: "Business Logic Failures", text: "AI model API failures > 20%", breachWhen: "above", threshold: 20, unit: "percent", sustainedMinutes: null, source: TRIGGERS },
  "payment-failures": { group: "Business Logic Failures", text: "Payment/processing failures (if applicable)", breachWhen: "above", threshold: null, unit: null, sustainedMinutes: null, noAlarmReason: "Crazy-Gary processes no payments today (the runbook says 'if applicable'); add a row when it does", source: TRIGGERS },
  "unauthorized-access": { group: "Security Incidents", text: "Unauthorized access attempts", breachWhen: "above", threshold: 100, unit: "count", sustainedMinutes: 5, source: TRIGGERS },
  "suspicious-usage": { group: "Security Incidents", text: "Suspicious API usage patterns", breachWhen: "above", threshold: null, unit: null, sustainedMinutes: 15, source: TRIGGERS },
  "data-breach-indicators": { group: "Security Incidents", text: "Data breach indicators", breachWhen: "above", threshold: null, unit: null, sustainedMinutes: null, noAlarmReason: "no metric can indicate a breach by itself; handled by the security team's tooling (runbook 'Security Breach Response (P0)')", source: TRIGGERS },
  "cert-expiry": { group: "Security Incidents", text: "Certificate expiration warnings", breachWhen: "below", threshold: 30, unit: "days", sustainedMinutes: null, source: TRIGGERS },
});

/**
 * The days a certificate may have left before the warning escalates from P3 to P1. The
 * runbook gives no number; 7 days is one working week, the time a renewal needs.
 */
export const certExpiryUrgentDays = 7;

/**
 * Route53 health-check defaults, chosen for the API's 10-minute RTO: detection takes at most
 * interval × threshold (30 s), DNS caches expire within the TTL (60 s).
 */
export const healthCheckDefaults = deepFreeze({
  /** Seconds between checks from each checker region (Route53 allows 10 or 30). */
  requestIntervalSeconds: 10 as 10 | 30,
  /** Consecutive failures before an endpoint is unhealthy. */
  failureThreshold: 3,
  /** Record TTL, in seconds. */
  ttlSeconds: 60,
});
