/**
 * `WalArchiveEvents`: one region's count of archived WAL segments. An EventBridge rule matches the
 * S3 "Object Created" events under the WAL prefix (`<repository path>/archive/`) of the region's
 * archive bucket (its EventBridge notifications are on); EventBridge publishes the matches as
 * `AWS/Events MatchedEvents` (dimension RuleName), which the wal-archive-freshness alarm watches.
 * The rule delivers to a log group, so it is a delivering rule whose metric is certain, and the
 * log keeps when every segment reached the region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RegionRole } from "../domain/topology";
import { defaultRepositoryPath, repositoryKeyPrefix } from "../domain/walArchiveLifecycle";

export const walArchiveEventsType = "crazygary:dr:WalArchiveEvents";

export interface WalArchiveEventsArgs {
  /** Environment name, used in the rule, log group and policy names. @example "prod" */
  environment: string;
  /** The region role whose bucket is watched (names follow the role, never active/passive). */
  role: RegionRole;
  /** Name of the region's WAL archive bucket; its EventBridge notifications must be on. */
  bucket: pulumi.Input<string>;
  /**
   * The pgBackRest repository path inside the bucket (`repo<n>-path`); WAL lives under `<path>/archive/`.
   * @default "/" (`defaultRepositoryPath`, as the hosts' pgbackrest.conf has it)
   */
  repositoryPath?: string;
  /**
   * How long the arrival events are kept, in days.
   * @default none: the stack passes retention.logDays (runbook SLA: 90 days for logs)
   */
  logRetentionDays: number;
  /** AWS provider of the bucket's region: EventBridge sees S3 events only in the bucket's region. */
  provider: aws.Provider;
}

/** The rule's name in AWS: `crazy-gary-<environment>-wal-archive-<role>` (the alarm's RuleName dimension). */
export const walRuleName = (environment: string, role: RegionRole) => `crazy-gary-${environment}-wal-archive-${role}`;

/** The log group the events are kept in (EventBridge writes to `/aws/events/...` groups). */
export const walEventLogGroupName = (environment: string) => `/aws/events/crazy-gary-${environment}/wal-archive`;

/** The EventBridge pattern of S3 "Object Created" events under `prefix` in `bucket`. */
export function walArchiveEventPattern(bucket: string, prefix: string): string {
  return JSON.stringify({
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: { bucket: { name: [bucket] }, object: { key: [{ prefix }] } },
  });
}

/** Lets EventBridge write the matched events into the log group `logGroupArn`. */
export function eventsDeliveryPolicy(logGroupArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeWritesWalArchiveEvents",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
      },
    ],
  });
}

export class WalArchiveEvents extends pulumi.ComponentResource {
  /** The rule's name: the `RuleName` dimension of its MatchedEvents metric. */
  readonly ruleName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: WalArchiveEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(walArchiveEventsType, name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const prefix = repositoryKeyPrefix(args.repositoryPath ?? defaultRepositoryPath, "archive");
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: walRuleName(args.environment, args.role),
        description: `Counts WAL segments archived to the ${args.role} region's repository (${prefix}); the wal-archive-freshness alarm watches the count`,
        eventPattern: pulumi.output(args.bucket).apply((bucket) => walArchiveEventPattern(bucket, prefix)),
      },
      child,
    );
    const log = new aws.cloudwatch.LogGroup(
      `${name}-log`,
      { name: walEventLogGroupName(args.environment), retentionInDays: args.logRetentionDays },
      { ...child, protect: true },
    );
    new aws.cloudwatch.LogResourcePolicy(
      `${name}-log-policy`,
      { policyName: `crazy-gary-${args.environment}-wal-archive-events`, policyDocument: log.arn.apply(eventsDeliveryPolicy) },
      child,
    );
    new aws.cloudwatch.EventTarget(`${name}-target`, { rule: rule.name, arn: log.arn, targetId: "wal-archive-events" }, child);

    this.ruleName = rule.name;
    this.logGroupName = log.name;
    this.registerOutputs({ ruleName: this.ruleName, logGroupName: this.logGroupName });
  }
}
