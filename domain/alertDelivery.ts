/**
 * Who a severity's alerts reach, and whether they reach them the minute the stack is up.
 * Pure decisions over the subscriptions the stack config lists per severity.
 *
 * How each kind delivers (the rules the stack relies on):
 * - `pagerduty`: an SNS https subscription to PagerDuty's Amazon CloudWatch integration
 *   (`https://events.pagerduty.com/integration/<key>/enqueue`). PagerDuty confirms the
 *   subscription itself, so it delivers as soon as it exists (PagerDuty's CloudWatch integration
 *   guide; `endpointAutoConfirms` in the `@pulumi/aws` `sns.TopicSubscription` docs: "Whether the
 *   endpoint is capable of auto confirming subscription (e.g., PagerDuty)").
 * - `slack`: AWS Chatbot (Amazon Q Developer in chat applications) subscribes itself to the
 *   topics a Slack channel configuration lists; nothing to confirm. The workspace must have been
 *   authorised once in the Chatbot console (its team id is what the config names).
 * - `email`: SNS sends a confirmation mail; the subscription stays "PendingConfirmation" and
 *   delivers nothing until someone clicks the link (SNS `Subscribe` API: "If the endpoint type is
 *   HTTP/S or email ... the endpoint owner must run the ConfirmSubscription action").
 * - `https` (any other URL): pending until the endpoint confirms, the same rule. A Slack incoming
 *   webhook (`https://hooks.slack.com/...`) never does: it cannot answer SNS's
 *   `SubscriptionConfirmation` (it does not follow the `SubscribeURL`) and does not accept SNS's
 *   message format (SNS developer guide, "Confirm your Amazon SNS subscription"), so it is refused.
 */
import { severities, type Severity } from "./runbook";

export type AlertSubscription =
  | {
      protocol: "pagerduty";
      /** The integration key of a PagerDuty service's "Amazon CloudWatch" integration. */
      integrationKey: string;
    }
  | {
      protocol: "slack";
      /** Slack workspace (team) id, as the Chatbot console shows it once the workspace is authorised. @example "T0123ABCD" */
      teamId: string;
      /** Slack channel id (the end of the channel's link). @example "C0123ABCD" */
      channelId: string;
    }
  | { protocol: "https"; endpoint: string }
  | { protocol: "email"; endpoint: string };

export type AlertProtocol = AlertSubscription["protocol"];

/** Whether a subscription delivers once created, or only after a person or endpoint confirms it. */
export type Delivery = "delivers-once-created" | "pending-until-confirmed";

/** Severities whose topic must reach someone the minute the stack is up: a P0/P1 cannot wait for a click. */
export const severitiesThatMustDeliver: readonly Severity[] = Object.freeze(["P0", "P1"] as const);

export function deliveryOf(subscription: AlertSubscription): Delivery {
  return subscription.protocol === "pagerduty" || subscription.protocol === "slack" ? "delivers-once-created" : "pending-until-confirmed";
}

/** PagerDuty's events endpoint for an Amazon CloudWatch integration key. */
export function pagerDutyEventsEndpoint(integrationKey: string): string {
  return `https://events.pagerduty.com/integration/${integrationKey}/enqueue`;
}

/** Whether a URL is a Slack incoming webhook. */
export function isSlackWebhook(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === "hooks.slack.com" || host.endsWith(".hooks.slack.com");
  } catch {
    return false;
  }
}

/** Why a Slack webhook cannot be an SNS subscriber, and what to use instead. */
export const slackWebhookFix =
  "is a Slack webhook: SNS first sends a SubscriptionConfirmation that a Slack webhook cannot confirm, so it would never receive an alert; use a Slack channel through AWS Chatbot instead, e.g. {protocol: slack, teamId: T0123ABCD, channelId: C0123ABCD}";

/** The SNS subscription a config entry becomes; `undefined` for Slack (Chatbot subscribes itself). */
export function snsSubscriptionOf(subscription: AlertSubscription): { protocol: "https" | "email"; endpoint: string; endpointAutoConfirms: boolean } | undefined {
  switch (subscription.protocol) {
    case "pagerduty":
      return { protocol: "https", endpoint: pagerDutyEventsEndpoint(subscription.integrationKey), endpointAutoConfirms: true };
    case "slack":
      return undefined;
    default:
      return { protocol: subscription.protocol, endpoint: subscription.endpoint, endpointAutoConfirms: false };
  }
}

/** A short, stable text naming the subscriber (no secret: an integration key is shown by its first 4 characters). */
export function describeSubscription(subscription: AlertSubscription): string {
  switch (subscription.protocol) {
    case "pagerduty":
      return `pagerduty ${subscription.integrationKey.slice(0, 4)}…`;
    case "slack":
      return `slack ${subscription.teamId}/${subscription.channelId}`;
    default:
      return `${subscription.protocol} ${subscription.endpoint}`;
  }
}

/**
 * The identity of a subscription, for "listed twice" checks and content-derived child names.
 * PagerDuty is identified by its SNS endpoint, so moving from `{protocol: https, endpoint:
 * <PagerDuty URL>}` to `{protocol: pagerduty}` keeps the subscription's name (no replacement).
 */
export function subscriptionIdentity(subscription: AlertSubscription): string {
  switch (subscription.protocol) {
    case "pagerduty":
      return `https:${pagerDutyEventsEndpoint(subscription.integrationKey)}`;
    case "slack":
      return `slack:${subscription.teamId}:${subscription.channelId}`;
    default:
      return `${subscription.protocol}:${subscription.endpoint}`;
  }
}

export type AlertSubscriptions = Partial<Record<Severity, readonly AlertSubscription[]>>;

/** One line per severity: who it reaches, and when. What the plan shows as `alertDelivery`. */
export interface SeverityDelivery {
  severity: Severity;
  /** Subscribers that deliver once created. */
  immediate: string[];
  /** Subscribers that deliver only after someone confirms (an e-mail click). */
  pending: string[];
}

export function alertDelivery(alerts: AlertSubscriptions): SeverityDelivery[] {
  return severities.map((severity) => {
    const list = alerts[severity] ?? [];
    return {
      severity,
      immediate: list.filter((s) => deliveryOf(s) === "delivers-once-created").map(describeSubscription),
      pending: list.filter((s) => deliveryOf(s) === "pending-until-confirmed").map(describeSubscription),
    };
  });
}

/** The warning the plan shows for a subscription that waits for a confirmation. */
export function pendingConfirmationWarning(environment: string, severity: Severity, subscription: AlertSubscription): string {
  const who = describeSubscription(subscription);
  return subscription.protocol === "email"
    ? `alerts.${severity}: ${who} stays "pending confirmation" after pulumi up and receives nothing until someone clicks the link in the mail from AWS Notifications (one mail per region's ${environment} topic)`
    : `alerts.${severity}: ${who} stays "pending confirmation" until that endpoint confirms the SNS subscription; it receives nothing before`;
}

/** Slack channels and the severities routed to each, in the order first listed. */
export function slackChannels(alerts: AlertSubscriptions): { teamId: string; channelId: string; severities: Severity[] }[] {
  const channels = new Map<string, { teamId: string; channelId: string; severities: Severity[] }>();
  for (const severity of severities) {
    for (const subscription of alerts[severity] ?? []) {
      if (subscription.protocol !== "slack") continue;
      const key = subscriptionIdentity(subscription);
      const channel = channels.get(key) ?? { teamId: subscription.teamId, channelId: subscription.channelId, severities: [] };
      channel.severities.push(severity);
      channels.set(key, channel);
    }
  }
  return [...channels.values()];
}
