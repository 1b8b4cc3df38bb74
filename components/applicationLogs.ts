/**
 * `ApplicationLogs`: one region's CloudWatch log groups for the API, the web app and the
 * database hosts, kept as long as the runbook's SLA promises ("90 days for logs"; config may
 * only lengthen it). Log groups hold history, so they are protected.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudWatchLogRetentionDays } from "../domain/cloudWatchLogRetention";

export const applicationLogsType = "crazygary:dr:ApplicationLogs";

/** The services that write logs, each to `/crazy-gary/<environment>/<service>`. */
export const loggedServices = Object.freeze(["api", "web", "database"] as const);
export type LoggedService = (typeof loggedServices)[number];

export interface ApplicationLogsArgs {
  /**
   * Environment name, the second part of every log group name.
   * @example "prod"
   */
  environment: string;
  /**
   * How long log events are kept, in days; one of the periods CloudWatch Logs accepts.
   * @default none: the stack passes retention.logDays (runbook SLA: 90 days for logs)
   */
  retentionInDays: number;
  /** AWS provider of the region the log groups live in. */
  provider: aws.Provider;
}

/** The log group name of a service: `/crazy-gary/<environment>/<service>`. */
export const logGroupName = (environment: string, service: LoggedService) => `/crazy-gary/${environment}/${service}`;

/** Refuses a retention CloudWatch Logs would reject, naming the arg, the value and the allowed values. */
export function validateLogRetentionDays(days: number): number {
  if (!cloudWatchLogRetentionDays.includes(days)) {
    throw new Error(`retentionInDays: ${days} is not a retention CloudWatch Logs accepts; use one of ${cloudWatchLogRetentionDays.join(", ")}`);
  }
  return days;
}

export class ApplicationLogs extends pulumi.ComponentResource {
  /** Log group name per service. */
  readonly logGroupNames: Record<LoggedService, pulumi.Output<string>>;

  constructor(name: string, args: ApplicationLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(applicationLogsType, name, {}, opts);
    const retentionInDays = validateLogRetentionDays(args.retentionInDays);
    const names = {} as Record<LoggedService, pulumi.Output<string>>;
    for (const service of loggedServices) {
      const group = new aws.cloudwatch.LogGroup(
        `${name}-${service}`,
        { name: logGroupName(args.environment, service), retentionInDays },
        { parent: this, provider: args.provider, protect: true },
      );
      names[service] = group.name;
    }
    this.logGroupNames = names;
    this.registerOutputs({ logGroupNames: names });
  }
}
