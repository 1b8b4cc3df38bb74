/**
 * `ChatNotifications`: the Slack side of paging, through AWS Chatbot (Amazon Q Developer in chat
 * applications). One Slack channel configuration per channel the stack config names, subscribed
 * to the topics of the severities routed to that channel in every region that holds alarms.
 *
 * AWS behaviour relied on:
 * - SNS cannot deliver to a Slack incoming webhook (it never confirms the subscription); Chatbot
 *   is AWS's supported route from SNS to Slack and subscribes itself to the listed topics
 *   (AWS Chatbot administrator guide, "Getting started").
 * - One configuration may list topics of several regions (Chatbot is a global service); its
 *   name is unique in the account (aws-samples/aws-securityhub-to-slack#11: a second
 *   configuration with the same name fails), so there is one per channel per stack, not one per
 *   region. Its API has no endpoint in every region (aws/aws-cli#8658: none in us-east-1), so
 *   it is declared through a provider of `chatbotRegion` (infra/regions.ts).
 * - The workspace is authorised once, by a person, in the Chatbot console; the team id comes
 *   from there (CloudFormation `AWS::Chatbot::SlackChannelConfiguration` SlackWorkspaceId).
 * - Without guardrail policies, AdministratorAccess applies to the channel (Chatbot API
 *   reference, `GuardrailPolicyArns`): the guardrail is set to read-only CloudWatch.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { Severity } from "../domain/runbook";

export const chatNotificationsType = "crazygary:dr:ChatNotifications";

/** The most a member of an alert channel may do through Chatbot: read CloudWatch. */
export const chatGuardrailPolicyArns = Object.freeze(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);

/** Trust policy: only AWS Chatbot assumes the channel role. */
export function chatbotTrustPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "ChatbotAssumes", Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
}

/**
 * The channel role's permissions: what Chatbot needs to render an alarm notification (the
 * alarm and its graph). CloudWatch's Describe/Get/List actions have no resource-level
 * permissions, so `Resource` is "*"; nothing on a data service.
 */
export function chatbotRolePolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadAlarmsForNotifications", Effect: "Allow", Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"], Resource: "*" }],
  });
}

/** The configuration's name (unique per account): `crazy-gary-<environment>-<channel id>`. */
export const chatConfigurationName = (environment: string, channelId: string) => `crazy-gary-${environment}-${channelId}`;

export interface SlackChannelRoute {
  /** Slack workspace (team) id, authorised in the Chatbot console. @example "T0123ABCD" */
  teamId: string;
  /** Slack channel id. @example "C0123ABCD" */
  channelId: string;
  /** The severities whose topics post to this channel. */
  severities: readonly Severity[];
}

export interface ChatNotificationsArgs {
  /** Environment name, used in configuration names. @example "prod" */
  environment: string;
  /** The Slack channels and their severities. @default none (then nothing is declared) */
  channels?: readonly SlackChannelRoute[];
  /** Topic ARN per severity of every region that holds alarms (`AlarmSet.topicArns`). */
  topicArns: Record<string, Record<Severity, pulumi.Input<string>>>;
  /** AWS provider of a region where the Chatbot API has an endpoint (`chatbotRegion`). */
  provider: aws.Provider;
}

export class ChatNotifications extends pulumi.ComponentResource {
  /** Configuration ARN per Slack channel id. */
  readonly configurationArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ChatNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(chatNotificationsType, name, {}, opts);
    const channels = args.channels ?? [];
    const child = { parent: this, provider: args.provider };
    this.configurationArns = {};
    if (channels.length > 0) {
      const role = new aws.iam.Role(`${name}-role`, { description: `AWS Chatbot: Crazy-Gary ${args.environment} alert channels`, assumeRolePolicy: chatbotTrustPolicy() }, child);
      new aws.iam.RolePolicy(`${name}-role-policy`, { role: role.name, policy: chatbotRolePolicy() }, child);
      for (const channel of channels) {
        const key = createHash("sha256").update(`${channel.teamId}:${channel.channelId}`).digest("hex").slice(0, 8);
        const topics = Object.values(args.topicArns).flatMap((bySeverity) => channel.severities.map((severity) => bySeverity[severity]));
        const configuration = new aws.chatbot.SlackChannelConfiguration(
          `${name}-${key}`,
          {
            configurationName: chatConfigurationName(args.environment, channel.channelId),
            iamRoleArn: role.arn,
            slackTeamId: channel.teamId,
            slackChannelId: channel.channelId,
            snsTopicArns: topics,
            guardrailPolicyArns: [...chatGuardrailPolicyArns],
            loggingLevel: "ERROR",
          },
          child,
        );
        this.configurationArns[channel.channelId] = configuration.chatConfigurationArn;
      }
    }
    this.registerOutputs({ configurationArns: this.configurationArns });
  }
}
