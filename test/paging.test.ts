/**
 * Paging, end to end in the prod plan: for each severity, an alarm from its catalog row, the
 * topic its actions name, and each kind of subscriber that topic reaches (PagerDuty through an
 * auto-confirming https subscription, Slack through an AWS Chatbot channel configuration,
 * e-mail pending until someone clicks), and what the plan says about each.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { severityFor } from "../domain/alarmSettingsByRole";
import { alarmCatalog } from "../domain/alarmCatalog";
import type { Severity } from "../domain/runbook";
import { parseStackConfig } from "../infra/parseConfig";
import { chatbotRegion } from "../infra/regions";
import { StackConfigError } from "../infra/parseConfig";
import { loadStackConfig, mockAccountId, planStack, type Plan } from "../tools/offline";
import { sharedPlan } from "./support/plans";

let prod: Plan;
beforeAll(async () => {
  prod = await sharedPlan("prod");
});

const pagerDuty = (key: string) => ({ kind: "sns", protocol: "https", endpoint: `https://events.pagerduty.com/integration/${key}/enqueue`, endpointAutoConfirms: true });
const email = { kind: "sns", protocol: "email", endpoint: "devops@crazy-gary.app", endpointAutoConfirms: false };
const slackIncidents = { kind: "chatbot", configurationName: "crazy-gary-prod-C0INCIDENTS", slackTeamId: "T0CRAZYGARY", slackChannelId: "C0INCIDENTS", region: chatbotRegion };

/** What Pulumi.prod.yaml routes per severity, as subscriber kinds. */
const expected: Record<Severity, object[]> = {
  P0: [pagerDuty("crazy-gary-p0"), slackIncidents],
  P1: [pagerDuty("crazy-gary-p1"), slackIncidents],
  P2: [slackIncidents, email],
  P3: [email],
};

/** Who a topic ARN reaches in the plan. */
function subscribersOf(plan: Plan, topicArn: string) {
  const sns = plan.resources
    .filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.topic === topicArn)
    .map((r) => ({ kind: "sns", protocol: r.inputs.protocol, endpoint: r.inputs.endpoint, endpointAutoConfirms: r.inputs.endpointAutoConfirms }));
  const chat = plan.resources
    .filter((r) => r.type === "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration" && (r.inputs.snsTopicArns as string[]).includes(topicArn))
    .map((r) => ({ kind: "chatbot", configurationName: r.inputs.configurationName, slackTeamId: r.inputs.slackTeamId, slackChannelId: r.inputs.slackChannelId, region: r.region }));
  return [...sns, ...chat];
}

const byKind = (list: object[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe.each(["P0", "P1", "P2", "P3"] as const)("a %s alarm in prod's active region", (severity) => {
  const config = parseStackConfig(loadStackConfig("prod"));
  const row = alarmCatalog(config).find((a) => severityFor(a, "primary", config.activeRegion) === severity)!;

  it("has a catalog row of that severity", () => {
    expect(row, `no catalog row pages ${severity} in the active region`).toBeDefined();
  });

  it("notifies the severity's topic in its own region, which reaches each configured kind of subscriber", () => {
    const alarm = prod.resources.find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name === `alarms-${row.id}-primary`)!;
    const region = alarm.region!;
    const topic = prod.resources.find((r) => r.type === "aws:sns/topic:Topic" && r.region === region && r.inputs.name === `crazy-gary-prod-alerts-${severity}`)!;
    const topicArn = `arn:aws:sns:${region}:${mockAccountId}:${topic.name}`;
    expect(alarm.inputs.alarmActions).toEqual([topicArn]);
    expect(byKind(subscribersOf(prod, topicArn))).toEqual(byKind(expected[severity]));
  });

  it("is described in the plan's alertDelivery output: who is reached at once, who only after a click", () => {
    const delivery = (prod.outputs.alertDelivery as { severity: string; immediate: string[]; pending: string[] }[]).find((d) => d.severity === severity)!;
    const immediate = expected[severity].filter((s: any) => s.kind === "chatbot" || s.endpointAutoConfirms).length;
    expect(delivery.immediate).toHaveLength(immediate);
    expect(delivery.pending).toEqual(expected[severity].some((s: any) => s.protocol === "email") ? ["email devops@crazy-gary.app"] : []);
  });
});

describe("the plan says which subscriptions wait for a click", () => {
  it("warns once per e-mail subscription, naming the severity", () => {
    expect(prod.warnings.filter((w) => w.includes("pending confirmation")).map((w) => w.split(":")[0])).toEqual(["alerts.P2", "alerts.P3"]);
  });

  it("the Chatbot configuration lists every alarm region's topics of its severities, with a read-only guardrail", () => {
    const [chat] = prod.resources.filter((r) => r.type === "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration");
    const topics = ["us-east-1", "us-west-2"].flatMap((region) => ["P0", "P1", "P2"].map((s) => `arn:aws:sns:${region}:${mockAccountId}:alarms-routing-${region === "us-east-1" ? "primary" : "secondary"}-${s}`));
    expect([...(chat.inputs.snsTopicArns as string[])].sort()).toEqual(topics.sort());
    expect(chat.inputs.guardrailPolicyArns).toEqual(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    const role = prod.resources.find((r) => r.name === "chat-role")!;
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).toEqual({ Service: "chatbot.amazonaws.com" });
  });
});

describe("bad subscriptions are refused when the config is read, naming the key", () => {
  it.each([
    ["alerts.P0=[{protocol: slack, teamId: workspace, channelId: C0INCIDENTS}]", 'crazy-gary-dr:alerts.P0.0.teamId: "workspace" is not a Slack workspace (team) id; use the upper-case id, e.g. T0123ABCD'],
    ["alerts.P0=[{protocol: pagerduty, integrationKey: 'a b'}]", 'crazy-gary-dr:alerts.P0.0.integrationKey: "a b" is not a PagerDuty integration key; use the key of the service\'s Amazon CloudWatch integration (8-64 letters, digits, - or _), e.g. 0123456789abcdef0123456789abcdef'],
  ])("%s", async (setting, problem) => {
    const error = await planStack("dr", { set: [setting] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual([problem]);
  });
});
