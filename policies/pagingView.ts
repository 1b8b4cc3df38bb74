/**
 * How the paging policies read the alert topics and who they reach, as the engine shows them:
 * a severity's topic (`crazy-gary-<environment>-alerts-P0`), its SNS subscriptions, and the AWS
 * Chatbot Slack channel configurations that list it. Pure functions.
 *
 * What counts as delivering (see domain/alertDelivery.ts for the sources):
 * - at once: an AWS Chatbot configuration listing the topic; an https subscription whose
 *   endpoint confirms itself (`endpointAutoConfirms`, PagerDuty), unless it is a Slack webhook;
 *   an sqs or lambda subscription (same-account subscriptions need no confirmation);
 * - once someone confirms: e-mail, and https endpoints that do not confirm themselves;
 * - never: a Slack incoming webhook (it cannot confirm an SNS subscription).
 */
import type { PolicyResource } from "@pulumi/policy";
import { isSlackWebhook } from "../domain/alertDelivery";
import type { Severity } from "../domain/runbook";
import { knownString, peek, refersTo } from "./stackView";

export const topicType = "aws:sns/topic:Topic";
export const topicSubscriptionType = "aws:sns/topicSubscription:TopicSubscription";
export const slackChannelConfigurationType = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration";

export interface AlertTopic {
  topic: PolicyResource;
  severity: Severity;
  /** The topic's name, for messages. */
  name: string;
}

/** The severity topics: SNS topics named `...-alerts-P0` to `...-alerts-P3`. */
export function alertTopics(resources: readonly PolicyResource[]): AlertTopic[] {
  return resources.flatMap((topic) => {
    if (topic.type !== topicType) return [];
    const name = knownString(peek(() => topic.props.name)) ?? topic.name;
    const match = /-alerts-(P[0-3])$/.exec(name);
    return match ? [{ topic, severity: match[1] as Severity, name }] : [];
  });
}

/** The topic's ARN where the engine knows it. */
const topicArnOf = (topic: PolicyResource) => knownString(peek(() => topic.props.arn)) ?? knownString(peek(() => topic.props.id));

export interface Subscribers {
  /** Subscribers that deliver once created. */
  immediate: string[];
  /** Subscribers that deliver only after a confirmation. */
  pending: string[];
  /** Subscribers that can never deliver. */
  never: string[];
}

/** Who `topic` reaches, by when. */
export function subscribersOf(resources: readonly PolicyResource[], topic: PolicyResource): Subscribers {
  const arn = topicArnOf(topic);
  const out: Subscribers = { immediate: [], pending: [], never: [] };
  for (const s of resources.filter((r) => r.type === topicSubscriptionType && refersTo(r, "topic", topic, arn))) {
    const protocol = String(peek(() => s.props.protocol));
    const endpoint = knownString(peek(() => s.props.endpoint)) ?? "[unknown endpoint]";
    const who = `${protocol} ${endpoint}`;
    if ((protocol === "https" || protocol === "http") && isSlackWebhook(endpoint)) out.never.push(who);
    else if (protocol === "sqs" || protocol === "lambda" || (protocol === "https" && peek(() => s.props.endpointAutoConfirms) === true)) out.immediate.push(who);
    else out.pending.push(who);
  }
  for (const c of resources.filter((r) => r.type === slackChannelConfigurationType)) {
    const fromTopic = (c.propertyDependencies?.snsTopicArns ?? []).some((d) => d.urn === topic.urn);
    const listed = peek(() => c.props.snsTopicArns);
    if (fromTopic || (arn !== undefined && Array.isArray(listed) && listed.includes(arn))) {
      out.immediate.push(`AWS Chatbot ${knownString(peek(() => c.props.configurationName)) ?? c.name}`);
    }
  }
  return out;
}
