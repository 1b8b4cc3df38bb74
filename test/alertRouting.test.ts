import { sharedPlan } from "./support/plans";
import { beforeAll, describe, expect, it } from "vitest";
import { alertKeyPolicy, emptyTopicWarning, subscriptionKey, topicName } from "../components/alertRouting";
import { StackConfigError } from "../infra/parseConfig";
import { parseStackConfig } from "../infra/parseConfig";
import { loadStackConfig } from "../tools/offline/stackFiles";
import { mockAccountId, planStack, type CapturedResource, type Plan } from "../tools/offline";

const severities = ["P0", "P1", "P2", "P3"] as const;

let prod: Plan;
let dr: Plan;

beforeAll(async () => {
  prod = await sharedPlan("prod");
  dr = await sharedPlan("dr");
});

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const routingNamed = (plan: Plan, alarmRegion: string) => plan.resources.find((r) => r.type === "crazygary:dr:AlertRouting" && r.name === `alarms-routing-${alarmRegion}`);
const childrenOf = (plan: Plan, parent: CapturedResource, type: string) => ofType(plan, type).filter((r) => r.parent === parent.urn);

/** The SNS subscriptions each stack file leads to, per severity (Slack goes through AWS Chatbot: test/paging.test.ts). */
const configured: Record<string, Record<(typeof severities)[number], [string, string][]>> = {
  prod: {
    P0: [["https", "https://events.pagerduty.com/integration/crazy-gary-p0/enqueue"]],
    P1: [["https", "https://events.pagerduty.com/integration/crazy-gary-p1/enqueue"]],
    P2: [["email", "devops@crazy-gary.app"]],
    P3: [["email", "devops@crazy-gary.app"]],
  },
  dr: {
    P0: [],
    P1: [],
    P2: [["email", "dr-drills@crazy-gary.app"]],
    P3: [["email", "dr-drills@crazy-gary.app"]],
  },
};

/** Per stack, its alarm regions (docs/architecture/glossary.md): the key an AlertRouting is named by, and the region code. */
const routingRegions: [stack: "prod" | "dr", plan: () => Plan, alarmRegions: [key: string, region: string][]][] = [
  ["prod", () => prod, [["primary", "us-east-1"], ["secondary", "us-west-2"]]],
  // Neither dr region is us-east-1, where the Route53 health alarms live: a third routing there.
  ["dr", () => dr, [["primary", "us-east-2"], ["secondary", "us-west-1"], ["route53-metrics", "us-east-1"]]],
];

describe.each(routingRegions)("%s: one routing per region that holds alarms", (stack, plan, alarmRegions) => {
  it("has exactly one routing per alarm region", () => {
    expect(ofType(plan(), "crazygary:dr:AlertRouting").map((r) => r.name).sort()).toEqual(alarmRegions.map(([key]) => `alarms-routing-${key}`).sort());
  });

  describe.each(alarmRegions)("%s (%s)", (alarmRegion, region) => {
    it("keeps one KMS key with rotation on, protected, whose policy lets CloudWatch publish", () => {
      const keys = childrenOf(plan(), routingNamed(plan(), alarmRegion)!, "aws:kms/key:Key");
      expect(keys).toHaveLength(1);
      const [key] = keys;
      expect(key.region).toBe(region);
      expect(key.inputs.enableKeyRotation).toBe(true);
      expect(key.options.protect).toBe(true);
      const statements = JSON.parse(key.inputs.policy as string).Statement as { Principal: Record<string, string>; Action: string | string[] }[];
      expect(statements).toContainEqual(expect.objectContaining({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] }));
      // The account id comes from the stack config (no getCallerIdentity invoke).
      const accountId = parseStackConfig(loadStackConfig(stack)).accountId;
      expect(statements).toContainEqual(expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*" }));
    });

    it.each(severities)("encrypts the %s topic with that key and protects it", (severity) => {
      const routing = routingNamed(plan(), alarmRegion)!;
      const topics = childrenOf(plan(), routing, "aws:sns/topic:Topic").filter((t) => t.inputs.name === `crazy-gary-${stack}-alerts-${severity}`);
      expect(topics).toHaveLength(1);
      const [topic] = topics;
      const key = childrenOf(plan(), routing, "aws:kms/key:Key")[0];
      expect(topic.region).toBe(region);
      expect(topic.inputs.kmsMasterKeyId).toBe(`arn:aws:kms:${region}:${mockAccountId}:key/${key.name}-id`);
      expect(topic.options.protect).toBe(true);
    });

    it.each(severities)("subscribes exactly the configured %s endpoints", (severity) => {
      const routing = routingNamed(plan(), alarmRegion)!;
      const topic = childrenOf(plan(), routing, "aws:sns/topic:Topic").find((t) => t.inputs.name === `crazy-gary-${stack}-alerts-${severity}`)!;
      const subscriptions = childrenOf(plan(), routing, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.startsWith(`${routing.name}-${severity}-`));
      expect(subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint]).sort()).toEqual([...configured[stack][severity]].sort());
      for (const subscription of subscriptions) {
        expect(subscription.inputs.topic).toBe(`arn:aws:sns:${region}:${mockAccountId}:${topic.name}`);
        expect(subscription.region).toBe(region);
      }
    });
  });

  it("warns about no topic: every severity has subscribers", () => {
    expect(plan().warnings.filter((w) => w.includes("has no subscriptions"))).toEqual([]);
  });
});

describe("a severity nobody is subscribed to", () => {
  it("still gets its topic in every region, and the plan warns once per region", async () => {
    const plan = await planStack("dr", { set: ["alerts.P3=[]"] });
    expect(ofType(plan, "aws:sns/topic:Topic").filter((t) => t.inputs.name === "crazy-gary-dr-alerts-P3")).toHaveLength(3);
    expect(ofType(plan, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.includes("-P3-"))).toEqual([]);
    expect(plan.warnings.filter((w) => w.includes("has no subscriptions")).sort()).toEqual(
      ["us-east-1", "us-east-2", "us-west-1"].map((region) => emptyTopicWarning("dr", region, "P3")).sort(),
    );
    expect(emptyTopicWarning("dr", "us-east-2", "P3")).toBe(
      "alert topic crazy-gary-dr-alerts-P3 in us-east-2 has no subscriptions: P3 alarms there page nobody; add subscriptions under alerts.P3 in the stack config",
    );
  });

  it("refuses the same subscriber twice for one severity, before anything is declared", async () => {
    const slack = "{protocol: slack, teamId: T0CRAZYGARY, channelId: C0DRDRILLS}";
    const error = await planStack("dr", { set: [`alerts.P0=[${slack}, ${slack}]`] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toContain('crazy-gary-dr:alerts.P0.1.channelId: "C0DRDRILLS" is listed twice for this severity (entry 0 too); list each subscriber once, e.g. remove entry 1');
  });

  it("refuses a Slack webhook as an https subscription, with the fix", async () => {
    const error = await planStack("dr", { set: ["alerts.P1=[{protocol: https, endpoint: 'https://hooks.slack.com/services/T0/B0/x'}]"] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual([
      'crazy-gary-dr:alerts.P1.0.endpoint: "https://hooks.slack.com/services/T0/B0/x" is a Slack webhook: SNS first sends a SubscriptionConfirmation that a Slack webhook cannot confirm, so it would never receive an alert; use a Slack channel through AWS Chatbot instead, e.g. {protocol: slack, teamId: T0123ABCD, channelId: C0123ABCD}',
    ]);
  });
});

describe("pure parts", () => {
  it("names topics by environment and severity", () => {
    expect(topicName("prod", "P0")).toBe("crazy-gary-prod-alerts-P0");
  });

  it("keys subscriptions by content, so reordering replaces nothing", () => {
    const a = { protocol: "email" as const, endpoint: "devops@crazy-gary.app" };
    const b = { protocol: "pagerduty" as const, integrationKey: "crazy-gary-p0" };
    expect(subscriptionKey(a)).toMatch(/^[0-9a-f]{8}$/);
    // PagerDuty keeps the key it had as a plain https subscription: moving to {protocol: pagerduty} replaces nothing.
    expect(subscriptionKey(b)).toBe(subscriptionKey({ protocol: "https", endpoint: "https://events.pagerduty.com/integration/crazy-gary-p0/enqueue" }));
    expect(subscriptionKey(a)).toBe(subscriptionKey({ ...a }));
    expect(subscriptionKey(a)).not.toBe(subscriptionKey(b));
  });

  it("writes the key policy for the account and partition given", () => {
    expect(JSON.parse(alertKeyPolicy("210987654321", "aws-us-gov")).Statement[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::210987654321:root" });
  });
});
