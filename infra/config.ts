/**
 * The stack's configuration: one zod schema for every key, parsed once before any resource
 * is declared. Shared keys (runbook overrides, schedules, health checks, app settings) live
 * in `Pulumi.yaml`; per-stack keys (regions, endpoints, hosts, subscriptions) in
 * `Pulumi.<stack>.yaml`. Every key with its type, default and constraints:
 * docs/reference/config.md, generated from this schema (`.describe()` texts, checks) by `npm run docs`.
 */
import { Region } from "@pulumi/aws/types/enums";
import { z } from "zod";
import { cloudWatchLogRetentionDays } from "../domain/cloudWatchLogRetention";
import { endpointPairProblem } from "../domain/failoverRouting";
import { hostnameKeys, regionRoles, type DatabaseHostAddress, type Endpoint } from "../domain/topology";
import { secretSettingPattern } from "../domain/secretSettings";
import type { CatalogSettings } from "../domain/alarmCatalog";
import { awsBackupLimits, backupCopyProblems, type BackupCopySettings } from "../domain/immutableBackupCopy";
import { isSlackWebhook, slackWebhookFix, subscriptionIdentity, type AlertSubscription } from "../domain/alertDelivery";
import {
  backups,
  healthCheckDefaults,
  maxArchiveTimeoutSeconds,
  recoveryObjectives,
  rollbackTriggers,
  severities,
  type RollbackTriggerId,
  type RunbookSection,
} from "../domain/runbook";

export const projectName = "crazy-gary-dr";


/** Region codes AWS accepts, from the provider's own enum. */
export const awsRegionCodes: readonly string[] = Object.freeze(Object.values(Region));

/** Regions Route53 can run health checks from. */
export const healthCheckerRegions = Object.freeze([
  "us-east-1", "us-west-1", "us-west-2", "eu-west-1",
  "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
] as const);

/** Top-level keys that must be set as Pulumi secrets (`pulumi config set --secret --path ...`). */
export const secretConfigKeys = Object.freeze(["databaseSecrets"] as const);

const list = (values: readonly (string | number)[]) => values.join(", ");

const regionCode = z.string().refine((v) => awsRegionCodes.includes(v), {
  message: `is not an AWS region code; use one of ${list(awsRegionCodes)}`,
});

/** A number that may be raised above the runbook's value, never lowered below it. */
function atLeast(runbookValue: number, unit: string, section: RunbookSection) {
  return z.number().int().refine((v) => v >= runbookValue, {
    message: `is looser than the runbook's ${runbookValue} ${unit} (${section}); use a value >= ${runbookValue}`,
  });
}

/** A number that may be lowered below the runbook's value, never raised above it. */
function atMost(runbookValue: number, unit: string, section: RunbookSection) {
  return z.number().int().positive().refine((v) => v <= runbookValue, {
    message: `is looser than the runbook's ${runbookValue} ${unit} (${section}); use a value <= ${runbookValue}`,
  });
}

const timeOfDayUtc = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  message: "is not a UTC time of day; use HH:MM from 00:00 to 23:59",
});

const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: "is not a DNS hostname; use lower-case labels such as api-use1.crazy-gary.app",
});

const endpoint = z.union(
  [
    z.strictObject({ hostname }),
    z.strictObject({
      loadBalancer: z.strictObject({
        dnsName: hostname.describe("The load balancer's DNS name."),
        zoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, { message: "is not a Route53 hosted-zone id such as Z35SXDOTRQ7X7K" }).describe("The load balancer's canonical hosted-zone id."),
      }),
    }),
  ],
  { message: "is not an endpoint; use {hostname: ...} or {loadBalancer: {dnsName, zoneId}}" },
);

const perRegion = <T extends z.ZodType>(schema: T) => z.strictObject({ primary: schema, secondary: schema });

const databaseHost = z.strictObject({
  sshHost: z.string().min(1, { message: "is empty; use the host's SSH address" }).describe("SSH address of the host, where `pulumi up` connects to configure it."),
  sshUser: z.string().min(1).default("admin").describe("SSH user; needs password-less `sudo`."),
  sshPort: z.number().int().min(1).max(65535).default(22).describe("SSH port."),
  pgHost: z.string().min(1, { message: "is empty; use the PostgreSQL host name" }).describe("PostgreSQL address as seen from where `pulumi up` runs."),
  pgPort: z.number().int().min(1).max(65535).default(5432).describe("PostgreSQL port."),
  database: z.string().min(1).default("crazy_gary").describe("The application's database."),
  adminUser: z.string().min(1).default("postgres").describe("PostgreSQL superuser the stack connects as."),
  dataDirectory: z.string().startsWith("/").default("/var/lib/postgresql/15/main").describe("PostgreSQL data directory on the host."),
});

const databaseSecret = z.strictObject({
  adminPassword: z.string().min(12, { message: "is too short; use at least 12 characters" }).describe("Password of `adminUser`."),
  sshPrivateKey: z.string().includes("PRIVATE KEY", { message: "is not a PEM private key" }).describe("PEM private key of `sshUser` on the host."),
});

const slackId = (what: string, example: string) =>
  z.string().regex(/^[A-Z0-9]{9,}$/, { message: `is not a Slack ${what} id; use the upper-case id such as ${example}` });

const subscription = z.discriminatedUnion(
  "protocol",
  [
    z.strictObject({
      protocol: z.literal("pagerduty"),
      /** Integration key of the PagerDuty service's "Amazon CloudWatch" integration. */
      integrationKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, { message: "is not a PagerDuty integration key; use the key of the service's Amazon CloudWatch integration (8-64 letters, digits, - or _)" }),
    }),
    z.strictObject({ protocol: z.literal("slack"), teamId: slackId("workspace (team)", "T0123ABCD"), channelId: slackId("channel", "C0123ABCD") }),
    z.strictObject({
      protocol: z.literal("https"),
      endpoint: z.url({ protocol: /^https$/, message: "is not an https:// URL" }).refine((url) => !isSlackWebhook(url), { message: slackWebhookFix }),
    }),
    z.strictObject({ protocol: z.literal("email"), endpoint: z.email({ message: "is not an e-mail address" }) }),
  ],
  { message: "is not a subscription; use {protocol: pagerduty, integrationKey: ...}, {protocol: slack, teamId: T..., channelId: C...}, {protocol: https, endpoint: https://...} or {protocol: email, endpoint: someone@example.com}" },
);

const thresholdOverrides = z
  .strictObject(
    Object.fromEntries(
      Object.entries(rollbackTriggers)
        .filter(([, row]) => row.threshold !== null && row.noAlarmReason === undefined)
        .map(([id, row]) => [
          id,
          (row.breachWhen === "above"
            ? atMost(row.threshold!, row.unit ?? "", row.source)
            : atLeast(row.threshold!, row.unit ?? "", row.source)
          )
            .optional()
            .describe(`${row.text} (runbook: ${row.threshold} ${row.unit}${row.sustainedMinutes ? ` over ${row.sustainedMinutes} min` : ""}); a tighter threshold, in ${row.unit}.`),
        ]),
    ) as Record<Exclude<RollbackTriggerId, "api-health" | "payment-failures" | "suspicious-usage" | "data-breach-indicators">, z.ZodOptional<z.ZodNumber>>,
  )
  .default({})
  .describe("Tighter rollback-trigger thresholds, by row id (`api-latency-p95: 1500`); a looser one is refused.");

/** Each subscriber once per severity: a repeated one would page twice (and collide in the plan). */
function uniqueEndpoints(list: readonly AlertSubscription[], ctx: z.RefinementCtx): void {
  list.forEach((entry, i) => {
    if (list.findIndex((other) => subscriptionIdentity(other) === subscriptionIdentity(entry)) !== i) {
      const key = entry.protocol === "pagerduty" ? "integrationKey" : entry.protocol === "slack" ? "channelId" : "endpoint";
      ctx.addIssue({ code: "custom", path: [i, key], message: "is listed twice for this severity; list each subscriber once" });
    }
  });
}

export const appSettingValue = z.union([z.string(), z.number(), z.boolean()]);

export const settingKey = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "is not an application setting name; use UPPER_SNAKE_CASE" });

/** Names that hold secrets; such settings go to Secrets Manager, never to the synced settings. */

export const stackConfigSchema = z
  .strictObject({
    environment: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/, { message: "is not an environment name; use lower-case letters, digits and dashes, e.g. prod" })
      .describe("Environment name (`prod`, `dr`), used in resource names and the SSM path `/crazy-gary/<environment>/`."),
    regions: z
      .strictObject({ primary: regionCode, secondary: regionCode })
      .superRefine((regions, ctx) => {
        if (regions.primary === regions.secondary) {
          ctx.addIssue({ code: "custom", path: ["secondary"], message: "is the same as regions.primary; use a different region so one outage cannot take both" });
        }
      })
      .describe("AWS region codes of the two region roles, different from each other (prod: us-east-1 / us-west-2; dr: us-east-2 / us-west-1)."),
    activeRegion: z
      .enum(regionRoles, { message: "is not a region role; use primary or secondary" })
      .describe("The region role that serves traffic and holds the writable database. Flipping it is the failover."),
    dnsZone: z
      .strictObject({
        name: hostname.describe("Hosted zone's domain name; the `api` and `app` failover records are created under it."),
        id: z
          .string()
          .regex(/^Z[A-Z0-9]{4,32}$/, { message: "is not a Route53 hosted-zone id such as Z0123456789ABCDEFGHIJ" })
          .optional()
          .describe("Hosted zone id; looked up by name when absent."),
      })
      .describe("The Route53 hosted zone of `api.<zone>` and `app.<zone>`."),
    endpoints: z
      .strictObject({ api: perRegion(endpoint), app: perRegion(endpoint) })
      .superRefine((endpoints, ctx) => {
        for (const key of hostnameKeys) {
          const problem = endpointPairProblem(key, endpoints[key]);
          if (problem) ctx.addIssue({ code: "custom", path: [key, "secondary"], message: problem });
        }
      })
      .describe("Per hostname and region role: `{hostname: ...}` (CNAME) or `{loadBalancer: {dnsName, zoneId}}` (alias, evaluate target health)."),
    databases: perRegion(databaseHost).describe("Each region role's PostgreSQL host (this stack configures it over SSH; it does not create it)."),
    databaseSecrets: perRegion(databaseSecret).describe(
      "Secret: set with `pulumi config set --secret --path 'databaseSecrets.<role>.<key>'`; refused when given in plain text.",
    ),
    alerts: z.strictObject(
      Object.fromEntries(severities.map((s) => [s, z.array(subscription).superRefine(uniqueEndpoints).default([])])) as Record<
        "P0" | "P1" | "P2" | "P3",
        z.ZodDefault<z.ZodArray<typeof subscription>>
      >,
    ).describe(
      "Subscribers per severity (docs/guides/paging.md): `{protocol: pagerduty, integrationKey}` and `{protocol: slack, teamId, channelId}` (AWS Chatbot) deliver once created; `{protocol: email, endpoint}` and other `{protocol: https, endpoint}` only once confirmed. A Slack webhook URL is refused.",
    ),
    healthCheck: z
      .strictObject({
        requestIntervalSeconds: z.union([z.literal(10), z.literal(30)], { message: "is not a Route53 request interval; use 10 or 30" }).default(healthCheckDefaults.requestIntervalSeconds).describe("Seconds between two checks from each checker region."),
        failureThreshold: z.number().int().min(1).max(10).default(healthCheckDefaults.failureThreshold).describe("Failed checks in a row before Route53 marks the endpoint unhealthy."),
        ttlSeconds: z.number().int().min(5).max(300).default(healthCheckDefaults.ttlSeconds).describe("TTL of the failover CNAME records, in seconds."),
        checkerRegions: z
          .array(z.enum(healthCheckerRegions, { message: `is not a Route53 checker region; use one of ${list(healthCheckerRegions)}` }))
          .min(3, { message: "has fewer than 3 checker regions; Route53 needs at least 3" })
          .default(["us-east-1", "us-west-2", "eu-west-1"])
          .describe("Route53 regions that run the checks."),
      })
      .default({
        requestIntervalSeconds: healthCheckDefaults.requestIntervalSeconds,
        failureThreshold: healthCheckDefaults.failureThreshold,
        ttlSeconds: healthCheckDefaults.ttlSeconds,
        checkerRegions: ["us-east-1", "us-west-2", "eu-west-1"],
      })
      .describe("Route53 health checks on each region's `/health` (HTTPS, port 443): worst-case DNS failover = requestIntervalSeconds x failureThreshold + ttlSeconds."),
    recovery: z
      .strictObject({
        databaseRpoMinutes: atMost(recoveryObjectives.database.rpoMinutes!, "min", "Recovery Time Objectives (RTO) & Recovery Point Objectives (RPO)").default(recoveryObjectives.database.rpoMinutes!).describe("Database recovery point objective, in minutes."),
        archiveTimeoutSeconds: atMost(maxArchiveTimeoutSeconds, "s (RPO/5)", "Backup Types & Retention").default(maxArchiveTimeoutSeconds).describe("PostgreSQL `archive_timeout`, in seconds: WAL is switched and archived at least this often."),
      })
      .default({ databaseRpoMinutes: recoveryObjectives.database.rpoMinutes!, archiveTimeoutSeconds: maxArchiveTimeoutSeconds })
      .describe("The runbook's recovery objectives; may only be tightened."),
    retention: z
      .strictObject({
        fullDays: atLeast(backups.full.retentionDays, "d", backups.full.source).default(backups.full.retentionDays).describe("Days every full backup stays restorable (pgBackRest `repo-retention-full`, by time)."),
        incrementalDays: atLeast(backups.incremental.retentionDays, "d", backups.incremental.source).default(backups.incremental.retentionDays).describe("Days incremental backups are kept."),
        walHours: atLeast(backups.transactionLogs.retentionHours, "h", backups.transactionLogs.source).default(backups.transactionLogs.retentionHours).describe("Hours of WAL (transaction logs) kept."),
        pitrHours: atLeast(backups.pointInTimeRecovery.windowHours, "h", backups.pointInTimeRecovery.source).default(backups.pointInTimeRecovery.windowHours).describe("Point-in-time recovery window, in hours."),
        logDays: atLeast(backups.logs.retentionDays, "d", backups.logs.source)
          .refine((days) => cloudWatchLogRetentionDays.includes(days), {
            message: `is not a retention CloudWatch Logs accepts; use one of ${list(cloudWatchLogRetentionDays.filter((d) => d >= backups.logs.retentionDays))}`,
          })
          .default(backups.logs.retentionDays)
          .describe("Days the CloudWatch log groups keep events."),
        noncurrentVersionDays: z.number().int().min(1).max(365).default(7).describe("Days a replaced or deleted object version is kept in a WAL archive bucket."),
      })
      .default({
        fullDays: backups.full.retentionDays,
        incrementalDays: backups.incremental.retentionDays,
        walHours: backups.transactionLogs.retentionHours,
        pitrHours: backups.pointInTimeRecovery.windowHours,
        logDays: backups.logs.retentionDays,
        noncurrentVersionDays: 7,
      })
      .describe("Backup and log retention; may only be lengthened."),
    schedules: z
      .strictObject({
        fullBackupTimeUtc: timeOfDayUtc.default(backups.full.timeUtc).describe("Time of the daily full backup, UTC (`HH:MM`)."),
        incrementalEveryHours: atMost(backups.incremental.intervalHours, "h", backups.incremental.source)
          .refine((h) => 24 % h === 0, { message: "does not divide a day; use 1, 2, 3, 4 or 6" })
          .default(backups.incremental.intervalHours)
          .describe("Hours between incremental backups."),
        restoreTestDayOfMonth: z.number().int().min(1).max(28, { message: "is past the 28th, a day some months lack; use 1 to 28" }).default(backups.restoreTest.dayOfMonth).describe("Day of the month of the restore test."),
        restoreTestTimeUtc: timeOfDayUtc.default(backups.restoreTest.timeUtc).describe("Time of the restore test, UTC (`HH:MM`)."),
      })
      .default({
        fullBackupTimeUtc: backups.full.timeUtc,
        incrementalEveryHours: backups.incremental.intervalHours,
        restoreTestDayOfMonth: backups.restoreTest.dayOfMonth,
        restoreTestTimeUtc: backups.restoreTest.timeUtc,
      })
      .describe("When the database hosts' systemd timers run the backups and the restore test."),
    /** The locked AWS Backup copy of both repository buckets (see domain/immutableBackupCopy.ts). */
    backupCopy: z
      .strictObject({
        lockMode: z.enum(["compliance", "governance"], { message: "is not a vault lock mode; use compliance (immutable) or governance" }).default("compliance").describe("compliance: nobody (root included) can shorten or remove the lock after `changeableForDays`; governance: an administrator can. The pack refuses governance on prod."),
        minRetentionDays: z.number().int().positive().default(backups.full.retentionDays).describe("No recovery point can be deleted sooner, in days; at least the runbook's 30 d full-backup retention."),
        maxRetentionDays: z.number().int().positive().max(3650, { message: "is more than 10 years; bound the locked copy's retention to 3650 d or less" }).default(365).describe("Longest retention the lock allows, in days."),
        snapshotRetentionDays: z.number().int().positive().default(35).describe("How long each daily snapshot (05:00 UTC, 3 h after the full backup) and its copy in the other region are kept, in days."),
        continuousRetentionDays: z.number().int().positive().default(awsBackupLimits.continuousMaxDays).describe("How far back a point-in-time restore of a bucket reaches, in days (AWS Backup's maximum for S3: 35)."),
        changeableForDays: z.number().int().positive().default(awsBackupLimits.minChangeableForDays).describe("Days after the first `pulumi up` before a compliance lock becomes immutable (AWS minimum: 3)."),
      })
      .superRefine((settings, ctx) => {
        for (const { key, message } of backupCopyProblems(settings, backups.full.retentionDays)) ctx.addIssue({ code: "custom", path: [key], message });
      })
      .default({
        lockMode: "compliance",
        minRetentionDays: backups.full.retentionDays,
        maxRetentionDays: 365,
        snapshotRetentionDays: 35,
        continuousRetentionDays: awsBackupLimits.continuousMaxDays,
        changeableForDays: awsBackupLimits.minChangeableForDays,
      })
      .describe("The locked AWS Backup copy of both repository buckets: vault lock mode and retention bounds, in days (docs/runbooks/security-breach.md)."),
    thresholds: thresholdOverrides,
    app: z
      .record(settingKey, appSettingValue)
      .superRefine((settings, ctx) => {
        for (const name of Object.keys(settings).filter((n) => secretSettingPattern.test(n))) {
          ctx.addIssue({ code: "custom", path: [name], message: "looks like a secret and would be synced in plain text; list its name under appSecrets and keep the value in Secrets Manager" });
        }
      })
      .default({})
      .describe("Application settings that are not environment-specific (`UPPER_SNAKE_CASE`), synced to SSM for the apps. A secret-looking name is refused."),
    appSecrets: z
      .array(settingKey)
      .default([])
      .describe("Names of the application's secrets; each environment keeps its own values in Secrets Manager."),
    sync: z
      .strictObject({
        source: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
            message: "is not a fully qualified stack name; use <org>/<project>/<stack>, e.g. organization/crazy-gary-dr/prod",
          })
          .describe("Fully qualified name of the stack whose settings this one follows: `<org>/<project>/<stack>`."),
        overrides: z
          .record(
            z.string(),
            z.strictObject({
              value: z.unknown().describe("The value this stack uses instead of the source's."),
              reason: z.string().min(8, { message: "is not a reason; say why this key differs (8 characters or more)" }).describe("Why this key differs."),
            }),
          )
          .default({})
          .describe("Synced keys (e.g. `app.LOG_LEVEL`) this stack sets itself, each with its value and the reason."),
      })
      .optional()
      .describe("dr only: the stack this one follows (its synced settings are read by StackReference)."),
  });
export type StackConfig = z.output<typeof stackConfigSchema>;
export type DatabaseHostConfig = StackConfig["databases"]["primary"];
export type Subscription = StackConfig["alerts"]["P0"][number];

// The schema parses into the domain's types: a change to either that breaks this fails typecheck.
type Assignable<T, U extends T> = U;
export type SchemaMatchesDomain = [
  Assignable<DatabaseHostAddress, DatabaseHostConfig>,
  Assignable<Endpoint, StackConfig["endpoints"]["api"]["primary"]>,
  Assignable<CatalogSettings, Pick<StackConfig, "thresholds" | "recovery">>,
  Assignable<AlertSubscription, Subscription>,
  Assignable<BackupCopySettings, StackConfig["backupCopy"]>,
];
