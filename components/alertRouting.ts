/**
 * `AlertRouting`: where one region's alarms page. One SNS topic per runbook severity (P0-P3),
 * encrypted with the region's own KMS key (rotation on; the key policy lets CloudWatch publish
 * to the encrypted topics), with the SNS subscriptions the stack config lists per severity
 * (PagerDuty as an auto-confirming https subscription; e-mail and other https endpoints as given;
 * see `domain/alertDelivery.ts`). Slack entries are not SNS subscriptions: AWS Chatbot subscribes
 * itself to the topics (`ChatNotifications`). A severity without subscriptions still gets its
 * topic (alarms need a target), and the plan warns that nobody is paged for it.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { severities, type Severity } from "../domain/runbook";
import { partitionOf } from "../domain/awsPartition";
import { describeSubscription, snsSubscriptionOf, subscriptionIdentity, type AlertSubscription } from "../domain/alertDelivery";

export const alertRoutingType = "crazygary:dr:AlertRouting";

export type { AlertSubscription };

export interface AlertRoutingArgs {
  /**
   * Environment name, used in topic and key names.
   * @example "prod"
   */
  environment: string;
  /**
   * The AWS region the provider points at, for names, descriptions and warnings.
   * @example "us-east-1"
   */
  region: string;
  /**
   * The AWS account the key belongs to (12 digits), from the stack config: never looked up, since
   * `getCallerIdentity` is an invoke, and a failed invoke fails the whole program (a region that
   * is down would stop a flip away from it).
   * @example "123456789012"
   */
  accountId: string;
  /** Subscriptions per severity. @default none (every severity then warns in the plan) */
  subscriptions?: Partial<Record<Severity, readonly AlertSubscription[]>>;
  /** AWS provider of the region the topics live in (the alarms that page them must be in the same region). */
  provider: aws.Provider;
}

/** The topic name for a severity: `crazy-gary-<environment>-alerts-<P0..P3>`. */
export const topicName = (environment: string, severity: Severity) => `crazy-gary-${environment}-alerts-${severity}`;

/** A short, stable id for a subscription, from its content (reordering the list replaces nothing). */
export const subscriptionKey = (subscription: AlertSubscription) => createHash("sha256").update(subscriptionIdentity(subscription)).digest("hex").slice(0, 8);

/** The warning the plan shows for a severity nobody is subscribed to. */
export function emptyTopicWarning(environment: string, region: string, severity: Severity): string {
  return `alert topic ${topicName(environment, severity)} in ${region} has no subscriptions: ${severity} alarms there page nobody; add subscriptions under alerts.${severity} in the stack config`;
}

/**
 * The key policy: the account administers the key through IAM; CloudWatch (the alarms) and
 * SNS may use it to publish to and deliver from the encrypted topics.
 */
export function alertKeyPolicy(accountId: string, partition: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ],
  });
}

export class AlertRouting extends pulumi.ComponentResource {
  /** Topic ARN per severity. */
  readonly topicArns: Record<Severity, pulumi.Output<string>>;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(alertRoutingType, name, {}, opts);
    const subscriptions = args.subscriptions ?? {};
    const child = { parent: this, provider: args.provider };

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${args.environment} alert topics in ${args.region}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: alertKeyPolicy(args.accountId, partitionOf(args.region)),
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/crazy-gary-${args.environment}-alerts`, targetKeyId: key.keyId }, child);

    const topicArns = {} as Record<Severity, pulumi.Output<string>>;
    for (const severity of severities) {
      const topic = new aws.sns.Topic(
        `${name}-${severity}`,
        { name: topicName(args.environment, severity), kmsMasterKeyId: key.arn, displayName: `Crazy-Gary ${args.environment} ${severity}` },
        { ...child, protect: true },
      );
      topicArns[severity] = topic.arn;
      const list = subscriptions[severity] ?? [];
      const duplicate = list.find((s, i) => list.findIndex((o) => subscriptionKey(o) === subscriptionKey(s)) !== i);
      if (duplicate) {
        throw new Error(`subscriptions.${severity}: ${describeSubscription(duplicate)} is listed twice; list each subscriber once per severity`);
      }
      if (list.length === 0) void pulumi.log.warn(emptyTopicWarning(args.environment, args.region, severity), this);
      for (const subscription of list) {
        const sns = snsSubscriptionOf(subscription);
        if (!sns) continue; // Slack: AWS Chatbot subscribes itself (ChatNotifications)
        // endpointAutoConfirms: the endpoint confirms the subscription itself (PagerDuty), so the
        // provider does not wait for a confirmation (`@pulumi/aws` sns.TopicSubscription docs).
        new aws.sns.TopicSubscription(`${name}-${severity}-${subscriptionKey(subscription)}`, { topic: topic.arn, ...sns }, child);
      }
    }
    this.topicArns = topicArns;
    this.keyArn = key.arn;
    this.registerOutputs({ topicArns, keyArn: key.arn });
  }
}
