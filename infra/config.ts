/**
 * The stack's configuration: one zod schema for every key, parsed once before any resource
 * is declared. Shared keys (runbook overrides, schedules, health checks, app settings) live
 * in `Pulumi.yaml`; per-stack keys (regions, endpoints, hosts, subscriptions) in
 * `Pulumi.<stack>.yaml`. Every key with its type, default and constraints:
 * docs/reference/config.md, generated from this schema (`.describe()` texts, checks) by `npm run docs`.
 */
import { z } from "zod";
import { cloudWatchLogRetentionDays } from "../domain/cloudWatchLogRetention";
import { endpointPairProblem } from "../domain/failoverRouting";
import { hostnameKeys, regionRoles, type DatabaseHostAddress, type Endpoint } from "../domain/topology";
import { secretLookingReason } from "../domain/secretSettings";
import type { CatalogSettings } from "../domain/alarmTypes";
import { awsBackupLimits, backupCopyProblems, type BackupCopySettings } from "../domain/immutableBackupCopy";
import { type AlertSubscription } from "../domain/alertDelivery";
import type { CostSettings } from "../domain/cost/usage";
import {
  backups,
  healthCheckDefaults,
  maxArchiveTimeoutSeconds,
  recoveryObjectives,
  severities,
} from "../domain/runbook";
import { costSettings } from "./configCost";
import { etcdSettings, patroniSettings, witnessHost, witnessSecret } from "./configPatroni";
import { crossFieldIssue } from "./configMessages";
import { followerAccountProblems } from "../domain/secretSharing";
import { anotherRegion, appSettingValue, atLeast, atMost, databaseHost, databaseSecret, endpoint, healthCheckerRegions, hostname, list, oneOf, perRegion, regionCode, settingKey, subscription, thresholdOverrides, timeOfDayUtc, uniqueEndpoints } from "./configFields";


export const projectName = "crazy-gary-dr";


/** Top-level keys that must be set as Pulumi secrets (`pulumi config set --secret --path ...`). */
export const secretConfigKeys = Object.freeze(["databaseSecrets", "witnessSecrets"] as const);

/** Names that hold secrets; such settings go to Secrets Manager, never to the synced settings. */

export const stackConfigSchema = z
  .strictObject({
    environment: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/, { message: "is not an environment name; use lower-case letters, digits and dashes, e.g. prod" })
      .meta({ examples: ["prod"] })
      .describe("Environment name (`prod`, `dr`), used in resource names and the SSM path `/crazy-gary/<environment>/`."),
    accountId: z
      // Pulumi hands config values over as text and the source parses JSON: 12 digits arrive as a number.
      .preprocess(
        (value) => (typeof value === "number" ? String(value) : value),
        z
          .string()
          .regex(/^[0-9]{12}$/, { message: "is not an AWS account id; use the 12 digits in quotes, e.g. \"123456789012\"" })
          .meta({ examples: ["123456789012"] }),
      )
      .describe(
        "The stack's AWS account id (12 digits, `aws sts get-caller-identity --query Account`). Given, never looked up: a lookup (`getCallerIdentity`) is an invoke per region, and a failed invoke fails the whole program, a flip away from a dead region included.",
      ),
    regions: z
      .strictObject({
        primary: regionCode,
        secondary: regionCode,
        witness: regionCode.describe("Region of the third etcd member (the witness host): with one member per region, losing any one region leaves etcd a quorum."),
      })
      .superRefine((regions, ctx) => {
        const taken = [regions.primary, regions.secondary, regions.witness];
        if (regions.primary === regions.secondary) {
          crossFieldIssue(ctx, ["secondary"], `is the same as regions.primary; use a different region so one outage cannot take both, e.g. ${anotherRegion(taken)}`, [["primary"]]);
        }
        for (const role of ["primary", "secondary"] as const) {
          if (regions.witness === regions[role]) {
            crossFieldIssue(ctx, ["witness"], `is the same as regions.${role}; use a third region so losing one region leaves etcd two of its three members, e.g. ${anotherRegion(taken)}`, [[role]]);
          }
        }
      })
      .describe("AWS region codes of the two region roles and of the etcd witness, all different (prod: us-east-1 / us-west-2, witness us-east-2; dr: us-east-2 / us-west-1, witness us-west-2)."),
    activeRegion: z
      .enum(regionRoles, { message: "is not a region role; use primary or secondary, e.g. secondary" })
      .describe("The region role that serves traffic and holds the writable database. Flipping it is the failover."),
    regionDown: z
      .enum(regionRoles, { message: "is not a region role; use primary or secondary, e.g. primary" })
      .optional()
      .describe(
        "Set only while failing over FROM a region that is down: the flip then asks the surviving region's Patroni for a failover (no leader needed) instead of a switchover, refused when the candidate lags more than the RPO allows unless patroni.forceFailover (docs/runbooks/failover-database.md). Remove it once the region is back.",
      ),
    dnsZone: z
      .strictObject({
        name: hostname.describe("Hosted zone's domain name; the `api` and `app` failover records are created under it."),
        id: z
          .string()
          .regex(/^Z[A-Z0-9]{4,32}$/, { message: "is not a Route53 hosted-zone id; use Z and 4 to 32 capitals or digits, e.g. Z0123456789ABCDEFGHIJ" })
          .meta({ examples: ["Z0123456789ABCDEFGHIJ"] })
          .describe("Hosted zone id, required (`aws route53 list-hosted-zones-by-name --dns-name <name>` prints it): the stack never looks the zone up, since a lookup calls Route53's control plane (hosted only in us-east-1) on every run, a flip's included."),
      })
      .describe("The Route53 hosted zone of `api.<zone>` and `app.<zone>`."),
    endpoints: z
      .strictObject({ api: perRegion(endpoint), app: perRegion(endpoint) })
      .superRefine((endpoints, ctx) => {
        for (const key of hostnameKeys) {
          const problem = endpointPairProblem(key, endpoints[key]);
          const example = "hostname" in endpoints[key].primary ? `{hostname: ${key}-usw2.crazy-gary.app}` : `{loadBalancer: {dnsName: ${key}-usw2.elb.amazonaws.com, zoneId: Z1H1FL5HABSF5}}`;
          if (problem) crossFieldIssue(ctx, [key, "secondary"], `${problem}, e.g. ${example}`, [[key, "primary"]]);
        }
      })
      .describe("Per hostname and region role: `{hostname: ...}` (CNAME) or `{loadBalancer: {dnsName, zoneId}}` (alias, evaluate target health)."),
    databases: perRegion(databaseHost).describe("Each region role's PostgreSQL host (this stack configures it over SSH; it does not create it)."),
    witness: witnessHost.describe("The witness region's host (this stack configures it over SSH; it does not create it): it runs only an etcd member."),
    witnessSecrets: witnessSecret.describe("Secret: set with `pulumi config set --secret --path 'witnessSecrets.sshPrivateKey'`; refused when given in plain text."),
    patroni: patroniSettings,
    etcd: etcdSettings,
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
        requestIntervalSeconds: z.union([z.literal(10), z.literal(30)], { message: "is not a Route53 request interval; use 10 or 30, e.g. 10" }).default(healthCheckDefaults.requestIntervalSeconds).describe("Seconds between two checks from each checker region."),
        failureThreshold: z.number().int().min(1).max(10).default(healthCheckDefaults.failureThreshold).describe("Failed checks in a row before Route53 marks the endpoint unhealthy."),
        ttlSeconds: z.number().int().min(5).max(300).default(healthCheckDefaults.ttlSeconds).describe("TTL of the failover CNAME records, in seconds."),
        checkerRegions: z
          .array(oneOf(healthCheckerRegions, "a Route53 checker region", "checker regions").pipe(z.enum(healthCheckerRegions)))
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
            message: `is not a retention CloudWatch Logs accepts; use one of ${list(cloudWatchLogRetentionDays.filter((d) => d >= backups.logs.retentionDays))}, e.g. ${backups.logs.retentionDays}`,
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
          .refine((h) => 24 % h === 0, { message: `does not divide a day; use 1, 2, 3, 4 or 6, e.g. ${backups.incremental.intervalHours}` })
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
        lockMode: z.enum(["compliance", "governance"], { message: "is not a vault lock mode; use compliance (immutable) or governance, e.g. compliance" }).default("compliance").describe("compliance: nobody (root included) can shorten or remove the lock after `changeableForDays`; governance: an administrator can. The pack refuses governance on prod."),
        minRetentionDays: z.number().int().positive().default(backups.full.retentionDays).describe("No recovery point can be deleted sooner, in days; at least the runbook's 30 d full-backup retention."),
        maxRetentionDays: z.number().int().positive().max(3650, { message: "is more than 10 years; bound the locked copy's retention to 3650 d or less" }).default(365).describe("Longest retention the lock allows, in days."),
        snapshotRetentionDays: z.number().int().positive().default(35).describe("How long each daily snapshot (05:00 UTC, 3 h after the full backup) and its copy in the other region are kept, in days."),
        continuousRetentionDays: z.number().int().positive().default(awsBackupLimits.continuousMaxDays).describe("How far back a point-in-time restore of a bucket reaches, in days (AWS Backup's maximum for S3: 35)."),
        changeableForDays: z.number().int().positive().default(awsBackupLimits.minChangeableForDays).describe("Days after the first `pulumi up` before a compliance lock becomes immutable (AWS minimum: 3)."),
      })
      .superRefine((settings, ctx) => {
        for (const { key, message } of backupCopyProblems(settings, backups.full.retentionDays)) {
          crossFieldIssue(ctx, [key], message, Object.keys(settings).filter((k) => k !== key).map((k) => [k]));
        }
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
        for (const [name, value] of Object.entries(settings)) {
          const reason = secretLookingReason(`app.${name}`, value);
          if (reason) ctx.addIssue({ code: "custom", path: [name], message: `looks like a secret (${reason}) and would be synced in plain text; list its name under appSecrets and keep the value in Secrets Manager, e.g. appSecrets: [${name}]` });
        }
      })
      .default({})
      .describe("Application settings that are not environment-specific (`UPPER_SNAKE_CASE`), synced to SSM for the apps. A secret-looking name is refused."),
    appSecrets: z
      .array(settingKey)
      .default([])
      .describe("Names of the application's secrets; each environment keeps its own values in Secrets Manager."),
    cost: costSettings,
    sync: z
      .strictObject({
        source: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
            message: "is not a fully qualified stack name; use <org>/<project>/<stack>, e.g. organization/crazy-gary-dr/prod",
          })
          .meta({ examples: ["organization/crazy-gary-dr/prod"] })
          .describe("Fully qualified name of the stack whose settings this one follows: `<org>/<project>/<stack>`."),
        overrides: z
          .record(
            z.string(),
            z.strictObject({
              value: z.unknown().describe("The value this stack uses instead of the source's."),
              reason: z
                .string()
                .min(8, { message: "is not a reason; say why this key differs (8 characters or more)" })
                .meta({ examples: ["dr keeps fewer logs: it serves no traffic"] })
                .describe("Why this key differs."),
            }),
          )
          .default({})
          .describe("Synced keys (e.g. `app.LOG_LEVEL`) this stack sets itself, each with its value and the reason."),
      })
      .optional()
      .describe("dr only: the stack this one follows (its synced settings are read by StackReference)."),
    followerAccountIds: z
      .array(
        // 12 digits arrive as a number (see accountId); the format, this stack's own account and
        // repeats are checked once, below (domain/secretSharing.ts followerAccountProblems).
        z.preprocess((value) => (typeof value === "number" ? String(value) : value), z.string()),
      )
      .default([])
      .meta({ examples: [["210987654321"]] })
      .describe(
        "prod: the AWS accounts of the stacks that follow this one (their `sync.source` names it) and read its `schema_reader` secret for the schema sync. Each gets a resource policy on that secret (GetSecretValue of the current version) and Decrypt on a customer-managed KMS key that encrypts it and its replica: the AWS managed key aws/secretsmanager cannot be used across accounts. Empty: the secret keeps the AWS managed key and has no resource policy (a follower in this same account reads it with its own IAM rights). This stack's own account is refused.",
      ),
  })
  .superRefine((config, ctx) => {
    for (const { index, message } of followerAccountProblems(config.accountId, config.followerAccountIds)) {
      crossFieldIssue(ctx, ["followerAccountIds", index], message, [["accountId"]]);
    }
    const otherRole = config.activeRegion === "primary" ? "secondary" : "primary";
    if (config.regionDown !== undefined && config.regionDown === config.activeRegion) {
      crossFieldIssue(
        ctx,
        ["regionDown"],
        `is the active region (activeRegion: ${config.activeRegion}); name the region you are failing over from, e.g. regionDown: ${otherRole}, or remove regionDown`,
        [["activeRegion"]],
      );
    }
    if (config.patroni.forceFailover && config.regionDown === undefined) {
      crossFieldIssue(
        ctx,
        ["patroni", "forceFailover"],
        `is true without regionDown; it only forces a failover away from a region that is down: set regionDown too (e.g. regionDown: ${otherRole}), or remove forceFailover`,
        [["regionDown"]],
      );
    }
  });
export type StackConfig = z.output<typeof stackConfigSchema>;
export type DatabaseHostConfig = StackConfig["databases"]["primary"];
export type WitnessHostConfig = StackConfig["witness"];
export type Subscription = StackConfig["alerts"]["P0"][number];

// The schema parses into the domain's types: a change to either that breaks this fails typecheck.
type Assignable<T, U extends T> = U;
export type SchemaMatchesDomain = [
  Assignable<DatabaseHostAddress, DatabaseHostConfig>,
  Assignable<Endpoint, StackConfig["endpoints"]["api"]["primary"]>,
  Assignable<CatalogSettings, Pick<StackConfig, "thresholds" | "recovery">>,
  Assignable<AlertSubscription, Subscription>,
  Assignable<BackupCopySettings, StackConfig["backupCopy"]>,
  Assignable<CostSettings, StackConfig["cost"]>,
];
