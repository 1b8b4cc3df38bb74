/**
 * Both stacks, as the program declares them, pass every policy of the pack: before and after
 * the flip. The pack must also have found what it checks (a pass over nothing proves nothing).
 */
import { sharedPlan } from "../support/plans";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluatePolicies, toPolicyResources } from "../../policies/engine";
import { failoverRecords } from "../../policies/failover";
import { createPolicies } from "../../policies/policies";
import { findPgbackrestConfigs, s3Repositories } from "../../policies/pgbackrest";
import { archiveTimeoutsSeconds } from "../../policies/postgresSettings";
import { databaseHosts, regionOf, walArchiveBuckets } from "../../policies/stackView";
import { findBackupTimers } from "../../policies/systemdCalendar";
import { toPlanJson } from "../../tools/offline/plan";
import { alertTopics, subscribersOf } from "../../policies/pagingView";
import { locksOf, plansOfBucket, targetVaultsOf } from "../../policies/backupView";

describe.each([
  ["prod", []],
  ["dr", []],
  ["prod", ["activeRegion=secondary"]],
])("stack %s %j", (stack, set) => {
  it("passes every policy with zero violations, over the resources each rule checks", async () => {
    const { resources } = toPlanJson(await sharedPlan(stack, set));
    const outcomes = await evaluatePolicies(createPolicies(), resources);
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);

    const seen = toPolicyResources(resources);
    expect(walArchiveBuckets(seen)).toHaveLength(2);
    expect(databaseHosts(seen)).toHaveLength(2);
    expect(failoverRecords(seen)).toHaveLength(4);
    const bucketRegions = walArchiveBuckets(seen).map(regionOf).sort();
    // The paging and backup-copy rules had something to check: every severity topic of every
    // alarm region, every P0/P1 reached at once, both buckets in a locked vault's plan.
    const topics = alertTopics(seen);
    expect(topics).toHaveLength(stack === "dr" ? 12 : 8);
    for (const { topic } of topics.filter((t) => t.severity === "P0" || t.severity === "P1")) expect(subscribersOf(seen, topic).immediate.length).toBeGreaterThan(0);
    for (const bucket of walArchiveBuckets(seen)) {
      expect(plansOfBucket(seen, bucket).flatMap((plan) => targetVaultsOf(seen, plan)).flatMap((vault) => locksOf(seen, vault))).toHaveLength(1);
    }
    for (const { texts } of databaseHosts(seen)) {
      expect(findBackupTimers(texts).map((t) => [t.kind, t.maxGapHours])).toEqual([
        ["full", 24],
        ["incr", 6],
      ]);
      expect(archiveTimeoutsSeconds(texts)).toEqual([60]);
      expect(findPgbackrestConfigs(texts).flatMap(s3Repositories).map((r) => r.region).sort()).toEqual(bucketRegions);
    }
  });
});

describe("the rules bite on the real rendered prod plan (one change each)", () => {
  type Planned = ReturnType<typeof toPlanJson>["resources"];
  let base: Planned;
  beforeAll(async () => {
    base = toPlanJson(await sharedPlan("prod")).resources;
  });
  const copy = (): Planned => structuredClone(base);
  const editHostFiles = (plan: Planned, edit: (text: string) => string) => {
    for (const r of plan.filter((x) => x.type === "command:remote:Command" && typeof x.inputs.stdin === "string")) r.inputs.stdin = edit(r.inputs.stdin as string);
  };

  it.each([
    ["rpo-archive-timeout", (plan: Planned) => editHostFiles(plan, (t) => t.replace(/^DR_ARCHIVE_TIMEOUT_SECONDS='?60'?$/m, "DR_ARCHIVE_TIMEOUT_SECONDS='600'")), /sets archive_timeout to 600 s/],
    ["rpo-backup-schedule", (plan: Planned) => editHostFiles(plan, (t) => t.replace("OnCalendar=*-*-* 02:00:00 UTC", "OnCalendar=Sun *-*-* 02:00:00 UTC")), /full backups run less than daily or never/],
    ["retention-backup-engine", (plan: Planned) => editHostFiles(plan, (t) => t.replace(/^repo2-retention-full=30$/m, "repo2-retention-full=7")), /repo2 keeps full backups restorable for 7 d; the runbook needs 30 d/],
    ["rpo-wal-pushed-to-every-region", (plan: Planned) => editHostFiles(plan, (t) => t.replace(/^repo2-s3-region=.*$/m, "repo2-s3-region=eu-central-1")), /does not push WAL to WAL archive bucket wal-archive-secondary-bucket/],
    [
      "failover-detection-within-rto",
      (plan: Planned) => plan.filter((r) => r.type === "aws:route53/record:Record" && r.inputs.ttl !== undefined).forEach((r) => (r.inputs.ttl = 3600)),
      /more than the web app RTO of 30 min/,
    ],
    [
      "coverage-rollback-alarms",
      (plan: Planned) => plan.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").forEach((r) => (r.inputs.alarmActions = [])),
      /for rollback trigger "api-health" notifies no one/,
    ],
    [
      "paging-p0-p1-reach-someone",
      (plan: Planned): void => {
        for (const r of [...plan]) {
          const pagerDutyP0 = r.type === "aws:sns/topicSubscription:TopicSubscription" && String(r.inputs.endpoint).includes("crazy-gary-p0");
          if (pagerDutyP0 || r.type === "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration") plan.splice(plan.indexOf(r), 1);
        }
      },
      /^P0 topic crazy-gary-prod-alerts-P0 in us-east-1 has no subscriber that delivers once created/,
    ],
    [
      "least-privilege-data-services",
      (plan: Planned): void => {
        const policy = plan.find((r) => r.name === "database-host-iam-primary-policy")!;
        policy.inputs.policy = String(policy.inputs.policy).replace('"Action":["s3:DeleteObject","s3:GetObject","s3:PutObject"]', '"Action":"s3:*"');
      },
      /^IAM policy database-host-iam-primary-policy \(us-east-1\) statement "ReadWriteRepositoryObjects" allows every action of s3:\*/,
    ],
    [
      "backup-copy-every-repository",
      (plan: Planned): void => void plan.splice(plan.findIndex((r) => r.name === "backup-copy-primary-selection"), 1),
      /^WAL archive bucket wal-archive-primary-bucket \(us-east-1\) is in no AWS Backup selection/,
    ],
    ["backup-vault-locked", (plan: Planned): void => void (plan.find((r) => r.name === "backup-copy-secondary-lock")!.inputs.minRetentionDays = 14), /locked with minRetentionDays 14: shorter than the runbook's 30 d/],
    ["backup-vault-compliance-mode-on-prod", (plan: Planned): void => void delete plan.find((r) => r.name === "backup-copy-primary-lock")!.inputs.changeableForDays, /\(prod\) is locked in governance mode/],
    [
      "protection-shared-secret-customer-key",
      (plan: Planned): void => {
        const secret = plan.find((r) => r.name === "database-roles-schema_reader-secret")!;
        delete secret.inputs.kmsKeyId;
        delete secret.propertyDependencies?.kmsKeyId;
      },
      /^secret database-roles-schema_reader-secret \(us-east-1\) is shared by a resource policy \(database-roles-schema_reader-secret-policy\) but encrypted with the AWS managed key aws\/secretsmanager/,
    ],
    [
      "protection-stateful-resources-protected",
      (plan: Planned): void => void (plan.find((r) => r.name === "backup-copy-secondary-vault")!.options.protect = false),
      /backup-copy-secondary-vault/,
    ],
  ] as const)("%s", async (name, mutate, message) => {
    const plan = copy();
    mutate(plan);
    const policy = createPolicies().find((p) => p.name === name)!;
    const [outcome] = await evaluatePolicies([policy], plan);
    expect(outcome.violations.map((v) => v.message)).toContainEqual(expect.stringMatching(message));
  });
});
