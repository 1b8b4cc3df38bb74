/**
 * The leaf schemas of the stack config (infra/config.ts): region codes, hostnames, endpoints,
 * database hosts, subscriptions, and the rule that config may tighten a runbook number but
 * never loosen it. Each message names what is wrong and what is allowed.
 */
import { Region } from "@pulumi/aws/types/enums";
import { z } from "zod";
import { HBA_ADDRESS, hbaAddressFix } from "../domain/hbaAddress";
import { suggestFrom } from "../domain/nearest";
import { isSlackWebhook, slackWebhookFix, subscriptionIdentity, type AlertSubscription } from "../domain/alertDelivery";
import {
  rollbackTriggers,
  type RollbackTriggerId,
  type RunbookSection,
} from "../domain/runbook";

/** Region codes AWS accepts, from the provider's own enum. */
export const awsRegionCodes: readonly string[] = Object.freeze(Object.values(Region));

/** Regions Route53 can run health checks from. */
export const healthCheckerRegions = Object.freeze([
  "us-east-1", "us-west-1", "us-west-2", "eu-west-1",
  "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
] as const);

export const list = (values: readonly (string | number)[]) => values.join(", ");

/**
 * A value from a fixed list; a mistyped one gets the nearest names (`us-west2` -> `us-west-2`),
 * anything else the list and `example` (the first allowed value unless set).
 */
export const oneOf = (allowed: readonly string[], what: string, plural: string, example: string = allowed[0]!) =>
  z
    .string()
    .superRefine((v, ctx) => {
      if (allowed.includes(v)) return;
      const suggestion = suggestFrom(v, allowed, plural);
      ctx.addIssue({ code: "custom", message: `is not ${what}; ${suggestion}${suggestion.startsWith("did you mean") ? "" : `; e.g. ${example}`}` });
    })
    .meta({ examples: [example], allowed: what });

export const regionCode = oneOf(awsRegionCodes, "an AWS region code", "region codes", "us-east-1");

/** The first region of a short list of well-known ones that none of `taken` names: an example that cannot clash. */
export const anotherRegion = (taken: readonly string[]): string =>
  ["us-east-1", "us-west-2", "us-east-2", "us-west-1", "eu-west-1", "eu-central-1"].find((r) => !taken.includes(r))!;

/** A number that may be raised above the runbook's value, never lowered below it. */
export function atLeast(runbookValue: number, unit: string, section: RunbookSection) {
  return z.number().int().refine((v) => v >= runbookValue, {
    message: `is looser than the runbook's ${runbookValue} ${unit} (${section}); use a value >= ${runbookValue}, e.g. ${runbookValue}`,
  });
}

/** A number that may be lowered below the runbook's value, never raised above it. */
export function atMost(runbookValue: number, unit: string, section: RunbookSection) {
  return z.number().int().positive().refine((v) => v <= runbookValue, {
    message: `is looser than the runbook's ${runbookValue} ${unit} (${section}); use a value <= ${runbookValue}, e.g. ${runbookValue}`,
  });
}

export const timeOfDayUtc = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  message: "is not a UTC time of day; use HH:MM from 00:00 to 23:59, e.g. 02:00",
});

export const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: "is not a DNS hostname; use lower-case labels joined by dots, e.g. api-use1.crazy-gary.app",
}).meta({ examples: ["api-use1.crazy-gary.app"] });

export const endpoint = z.union(
  [
    z.strictObject({ hostname }),
    z.strictObject({
      loadBalancer: z.strictObject({
        dnsName: hostname.describe("The load balancer's DNS name."),
        zoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, { message: "is not a Route53 hosted-zone id; use the load balancer's canonical hosted-zone id, e.g. Z35SXDOTRQ7X7K" }).describe("The load balancer's canonical hosted-zone id."),
      }),
    }),
  ],
  { message: "is not an endpoint; use {hostname: ...} or {loadBalancer: {dnsName, zoneId}}, e.g. {hostname: api-use1.crazy-gary.app}" },
);

export const perRegion = <T extends z.ZodType>(schema: T) => z.strictObject({ primary: schema, secondary: schema });

export const databaseHost = z.strictObject({
  sshHost: z.string().min(1, { message: "is empty; use the host's SSH address, e.g. db-use1.crazy-gary.internal" }).meta({ examples: ["db-use1.crazy-gary.internal"] }).describe("SSH address of the host, where `pulumi up` connects to configure it."),
  sshUser: z.string().min(1).default("admin").describe("SSH user; needs password-less `sudo`."),
  sshPort: z.number().int().min(1).max(65535).default(22).describe("SSH port."),
  pgHost: z.string().min(1, { message: "is empty; use the PostgreSQL host name, e.g. db-use1.crazy-gary.internal" }).meta({ examples: ["db-use1.crazy-gary.internal"] }).describe("PostgreSQL address as seen from where `pulumi up` runs."),
  pgPort: z.number().int().min(1).max(65535).default(5432).describe("PostgreSQL port."),
  database: z.string().min(1).default("crazy_gary").describe("The application's database."),
  adminUser: z.string().min(1).default("postgres").describe("PostgreSQL superuser the stack connects as."),
  dataDirectory: z.string().startsWith("/").default("/var/lib/postgresql/15/main").describe("PostgreSQL data directory on the host."),
  restApiIngress: z
    .strictObject({
      securityGroupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/, { message: "is not a security group id; use sg- and 8 to 17 hex digits, e.g. sg-0123456789abcdef0" }).meta({ examples: ["sg-0123456789abcdef0"] }).describe("The host's security group."),
      prefixListId: z
        .string()
        .regex(/^pl-[0-9a-f]{8,17}$/, { message: "is not a prefix list id; use pl- and 8 to 17 hex digits, e.g. pl-0123456789abcdef0" })
        .meta({ examples: ["pl-0123456789abcdef0"] })
        .describe("Id of the AWS-managed prefix list `com.amazonaws.<region>.route53-healthchecks` in the host's region (`aws ec2 describe-managed-prefix-lists`, once: the stack never looks it up)."),
    })
    .optional()
    .describe(
      "Admit Route53's health checkers, and no one else from outside, to Patroni's REST port: one security group rule from the AWS-managed Route53 health-check prefix list (docs/guides/failover-workflow.md). Absent: the host's network must admit them some other way, or DNS never sees this region's leader.",
    ),
  replicationClients: z
    .array(z.string().regex(HBA_ADDRESS, { message: `is not a pg_hba.conf address; ${hbaAddressFix}` }).meta({ examples: ["10.2.0.0/16"] }))
    .min(1, { message: 'is empty; give at least one address, or ["all"], e.g. [10.2.0.0/16]' })
    .default(["all"])
    .describe(
      "Addresses (CIDRs, or \"all\") the other region's standby may stream from this host as `replicator`: one pg_hba.conf line each, " +
        "password always required. Set it to the other region's host network, e.g. [10.2.0.0/16]; the default accepts any address.",
    ),
});

/** A PEM private key, given whole (`pulumi config set --secret --path ... < ~/.ssh/id_ed25519`). */
export const pemPrivateKey = z
  .string()
  .includes("PRIVATE KEY", { message: "is not a PEM private key; give the whole key file, e.g. the text of ~/.ssh/id_ed25519 (-----BEGIN OPENSSH PRIVATE KEY----- ...)" })
  .meta({ examples: ["<the text of ~/.ssh/id_ed25519>"] });

export const databaseSecret = z.strictObject({
  adminPassword: z
    .string()
    .min(12, { message: "is too short; use at least 12 characters, e.g. the output of openssl rand -base64 18" })
    .meta({ examples: ["<the output of openssl rand -base64 18>"] })
    .describe("Password of `adminUser`."),
  sshPrivateKey: pemPrivateKey.describe("PEM private key of `sshUser` on the host."),
});

export const slackId = (what: string, example: string) =>
  z.string().regex(/^[A-Z0-9]{9,}$/, { message: `is not a Slack ${what} id; use the upper-case id, e.g. ${example}` }).meta({ examples: [example] });

export const subscription = z.discriminatedUnion(
  "protocol",
  [
    z.strictObject({
      protocol: z.literal("pagerduty"),
      /** Integration key of the PagerDuty service's "Amazon CloudWatch" integration. */
      integrationKey: z
        .string()
        .regex(/^[A-Za-z0-9_-]{8,64}$/, { message: "is not a PagerDuty integration key; use the key of the service's Amazon CloudWatch integration (8-64 letters, digits, - or _)" })
        .meta({ examples: ["0123456789abcdef0123456789abcdef"] }),
    }),
    z.strictObject({ protocol: z.literal("slack"), teamId: slackId("workspace (team)", "T0123ABCD"), channelId: slackId("channel", "C0123ABCD") }),
    z.strictObject({
      protocol: z.literal("https"),
      endpoint: z
        .url({ protocol: /^https$/, message: "is not an https:// URL; use the subscriber's https:// address, e.g. https://events.crazy-gary.app/alerts" })
        .refine((url) => !isSlackWebhook(url), { message: slackWebhookFix })
        .meta({ examples: ["https://events.crazy-gary.app/alerts"] }),
    }),
    z.strictObject({ protocol: z.literal("email"), endpoint: z.email({ message: "is not an e-mail address; use the mailbox alerts go to, e.g. oncall@crazy-gary.app" }).meta({ examples: ["oncall@crazy-gary.app"] }) }),
  ],
  { message: "is not a subscription; use {protocol: pagerduty, integrationKey: ...}, {protocol: slack, teamId: T..., channelId: C...}, {protocol: https, endpoint: https://...} or {protocol: email, endpoint: ...}, e.g. {protocol: email, endpoint: oncall@crazy-gary.app}" },
);

export const thresholdOverrides = z
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
            .meta({ examples: [row.threshold] })
            .optional()
            .describe(`${row.text} (runbook: ${row.threshold} ${row.unit}${row.sustainedMinutes ? ` over ${row.sustainedMinutes} min` : ""}); a tighter threshold, in ${row.unit}.`),
        ]),
    ) as Record<Exclude<RollbackTriggerId, "api-health" | "payment-failures" | "suspicious-usage" | "data-breach-indicators">, z.ZodOptional<z.ZodNumber>>,
  )
  .default({})
  .describe("Tighter rollback-trigger thresholds, by row id (`api-latency-p95: 1500`); a looser one is refused.");

/** Each subscriber once per severity: a repeated one would page twice (and collide in the plan). */
export function uniqueEndpoints(list: readonly AlertSubscription[], ctx: z.RefinementCtx): void {
  list.forEach((entry, i) => {
    if (list.findIndex((other) => subscriptionIdentity(other) === subscriptionIdentity(entry)) !== i) {
      const key = entry.protocol === "pagerduty" ? "integrationKey" : entry.protocol === "slack" ? "channelId" : "endpoint";
      const first = list.findIndex((other) => subscriptionIdentity(other) === subscriptionIdentity(entry));
      ctx.addIssue({ code: "custom", path: [i, key], message: `is listed twice for this severity (entry ${first} too); list each subscriber once, e.g. remove entry ${i}` });
    }
  });
}

export const appSettingValue = z.union([z.string(), z.number(), z.boolean()]).meta({ examples: ["info"] });

export const settingKey = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "is not an application setting name; use UPPER_SNAKE_CASE, e.g. LOG_LEVEL" }).meta({ examples: ["LOG_LEVEL"] });
