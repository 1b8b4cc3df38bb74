/**
 * The parts of the compliant fixture for paging and the locked backup copy: one region's
 * severity topics with a PagerDuty and an AWS Chatbot subscriber (P0/P1) or an e-mail (P2/P3),
 * an IAM role policy scoped to its ARNs, and the AWS Backup vaults (compliance-mode lock,
 * 30..365 d), plans and selections of both WAL archive buckets.
 */
import type { PlannedResource } from "../../policies/engine";
import { bucketNames, regions, resource, urnOf } from "./fixtures";

const account = "123456789012";

export function alertPaging(): PlannedResource[] {
  const at = { region: regions.primary };
  const topics = (["P0", "P1", "P2", "P3"] as const).map((severity) =>
    resource("aws:sns/topic:Topic", `routing-${severity}`, { name: `crazy-gary-test-alerts-${severity}`, kmsMasterKeyId: `arn:aws:kms:${regions.primary}:${account}:key/alerts` }, { ...at, protect: true }),
  );
  const [p0, p1, p2, p3] = topics;
  const subscription = (topic: PlannedResource, suffix: string, inputs: Record<string, unknown>) =>
    resource("aws:sns/topicSubscription:TopicSubscription", `${topic.name}-${suffix}`, { topic: `arn:aws:sns:${regions.primary}:${account}:${topic.name}`, ...inputs }, { ...at, propertyDependencies: { topic: [topic.urn] } });
  return [
    ...topics,
    subscription(p0, "pagerduty", { protocol: "https", endpoint: "https://events.pagerduty.com/integration/test-p0-key/enqueue", endpointAutoConfirms: true }),
    subscription(p2, "email", { protocol: "email", endpoint: "devops@example.test", endpointAutoConfirms: false }),
    subscription(p3, "email", { protocol: "email", endpoint: "devops@example.test", endpointAutoConfirms: false }),
    resource(
      "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
      "chat-incidents",
      { configurationName: "crazy-gary-test-C0INCIDENTS", slackTeamId: "T0CRAZYGARY", slackChannelId: "C0INCIDENTS", snsTopicArns: [p0, p1].map((t) => `arn:aws:sns:${regions.primary}:${account}:${t.name}`) },
      { region: "us-east-2", propertyDependencies: { snsTopicArns: [p0.urn, p1.urn] } },
    ),
    resource("aws:iam/rolePolicy:RolePolicy", "host-policy", {
      role: "host",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ReadWriteRepositoryObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`arn:aws:s3:::${bucketNames.primary}/*`] },
          { Sid: "PublishMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" },
        ],
      }),
    }),
  ];
}

export function backupCopy(): PlannedResource[] {
  const out: PlannedResource[] = [];
  for (const role of ["primary", "secondary"] as const) {
    const region = regions[role];
    const other = regions[role === "primary" ? "secondary" : "primary"];
    const vault = resource("aws:backup/vault:Vault", `copy-${role}-vault`, { name: `crazy-gary-prod-repositories-${region}`, tags: { Environment: "prod" } }, { region, protect: true });
    const plan = resource(
      "aws:backup/plan:Plan",
      `copy-${role}-plan`,
      {
        name: `crazy-gary-prod-repository-${region}`,
        rules: [
          { ruleName: "continuous", targetVaultName: `crazy-gary-prod-repositories-${region}`, enableContinuousBackup: true, lifecycle: { deleteAfter: 35 } },
          {
            ruleName: "daily-snapshot",
            targetVaultName: `crazy-gary-prod-repositories-${region}`,
            schedule: "cron(0 5 * * ? *)",
            lifecycle: { deleteAfter: 35 },
            copyActions: [{ destinationVaultArn: `arn:aws:backup:${other}:${account}:backup-vault:crazy-gary-prod-repositories-${other}`, lifecycle: { deleteAfter: 35 } }],
          },
        ],
      },
      { region },
    );
    out.push(
      vault,
      resource("aws:backup/vaultLockConfiguration:VaultLockConfiguration", `copy-${role}-lock`, { backupVaultName: vault.inputs.name, minRetentionDays: 30, maxRetentionDays: 365, changeableForDays: 3 }, { region, protect: true, propertyDependencies: { backupVaultName: [vault.urn] } }),
      plan,
      resource(
        "aws:backup/selection:Selection",
        `copy-${role}-selection`,
        { name: "crazy-gary-prod-repository", planId: `${plan.name}-id`, iamRoleArn: `arn:aws:iam::${account}:role/backup`, resources: [`arn:aws:s3:::${bucketNames[role]}`] },
        { region, propertyDependencies: { planId: [plan.urn], resources: [urnOf("aws:s3/bucket:Bucket", `wal-${role}-bucket`)] } },
      ),
    );
  }
  return out;
}
