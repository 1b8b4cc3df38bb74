/**
 * The paging, least-privilege and backup-copy rules on the compliant fixture: each case changes
 * one property and the rule reports it, mandatory, on the resource, with its message. The
 * compliant fixture itself passes every rule (pack.test.ts).
 */
import { describe, expect, it } from "vitest";
import { wildcardProblem, wildcardStatements } from "../../policies/iamWildcards";
import { byName, compliantPlan, describeViolationCases, violationsOf, type ViolationCase } from "./fixtures";

type Plan = ReturnType<typeof compliantPlan>;

const change = (name: string, edit: (inputs: Record<string, any>) => void) => (plan: Plan) => {
  const resource = byName(plan, name);
  edit(resource.inputs);
  return resource.urn;
};
const remove = (plan: Plan, name: string) => plan.splice(plan.indexOf(byName(plan, name)), 1);
const editHostPolicy = (edit: (statements: any[]) => void) =>
  change("host-policy", (i) => {
    const document = JSON.parse(i.policy);
    edit(document.Statement);
    i.policy = JSON.stringify(document);
  });

const cases: ViolationCase[] = [
  {
    policy: "paging-p0-p1-reach-someone",
    change: "the P0 PagerDuty subscription is gone and Chatbot no longer lists P0",
    mutate: (plan) => {
      remove(plan, "routing-P0-pagerduty");
      byName(plan, "chat-incidents").propertyDependencies = { snsTopicArns: [byName(plan, "routing-P1").urn] };
      byName(plan, "chat-incidents").inputs.snsTopicArns = ["arn:aws:sns:us-east-1:123456789012:routing-P1"];
      return byName(plan, "routing-P0").urn;
    },
    message: /^P0 topic crazy-gary-test-alerts-P0 in us-east-1 has no subscriber that delivers once created; add \{protocol: pagerduty/,
  },
  {
    policy: "paging-p0-p1-reach-someone",
    change: "P1's only subscriber is a Slack webhook",
    mutate: (plan) => {
      const chat = byName(plan, "chat-incidents");
      chat.propertyDependencies = { snsTopicArns: [byName(plan, "routing-P0").urn] };
      chat.inputs.snsTopicArns = ["arn:aws:sns:us-east-1:123456789012:routing-P0"];
      const webhook = structuredClone(byName(plan, "routing-P0-pagerduty"));
      Object.assign(webhook, { name: "routing-P1-webhook", urn: `${webhook.urn}-webhook`, propertyDependencies: { topic: [byName(plan, "routing-P1").urn] } });
      Object.assign(webhook.inputs, { topic: "arn:aws:sns:us-east-1:123456789012:routing-P1", endpoint: "https://hooks.slack.com/services/T0/B0/x", endpointAutoConfirms: false });
      plan.push(webhook);
      return byName(plan, "routing-P1").urn;
    },
    message: /only https https:\/\/hooks\.slack\.com\/services\/T0\/B0\/x \(a Slack webhook never confirms\)/,
  },
  {
    policy: "paging-p0-p1-reach-someone",
    change: "PagerDuty is not marked auto-confirming (an e-mail-like wait)",
    mutate: (plan) => {
      change("routing-P0-pagerduty", (i) => (i.endpointAutoConfirms = false))(plan);
      byName(plan, "chat-incidents").propertyDependencies = { snsTopicArns: [byName(plan, "routing-P1").urn] };
      byName(plan, "chat-incidents").inputs.snsTopicArns = [];
      return byName(plan, "routing-P0").urn;
    },
    message: /only https https:\/\/events\.pagerduty\.com\/integration\/test-p0-key\/enqueue \(pending until confirmed\)/,
  },
  {
    policy: "least-privilege-data-services",
    change: "a statement allows s3:* on the repository",
    mutate: editHostPolicy((s) => (s[0].Action = "s3:*")),
    message: /^IAM policy host-policy statement "ReadWriteRepositoryObjects" allows every action of s3:\*; name the actions/,
  },
  {
    policy: "least-privilege-data-services",
    change: "a statement allows secretsmanager:GetSecretValue on every resource",
    mutate: editHostPolicy((s) => s.push({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*" })),
    message: /statement #3 allows secretsmanager:GetSecretValue on every resource \("Resource": "\*"\)/,
  },
  {
    policy: "backup-copy-every-repository",
    change: "the secondary bucket's selection is gone",
    mutate: (plan) => {
      remove(plan, "copy-secondary-selection");
      return byName(plan, "wal-secondary-bucket").urn;
    },
    message: /^WAL archive bucket wal-secondary-bucket \(us-west-2\) is in no AWS Backup selection/,
  },
  {
    policy: "backup-copy-every-repository",
    change: "the primary plan writes into a vault without lock",
    mutate: (plan) => {
      remove(plan, "copy-primary-lock");
      return byName(plan, "wal-primary-bucket").urn;
    },
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) is backed up only into vaults without Vault Lock/,
  },
  {
    policy: "backup-vault-locked",
    change: "a vault has no lock",
    mutate: (plan) => {
      remove(plan, "copy-secondary-lock");
      return byName(plan, "copy-secondary-vault").urn;
    },
    message: /^backup vault copy-secondary-vault \(us-west-2\) has no Vault Lock/,
  },
  {
    policy: "backup-vault-locked",
    change: "the lock's minimum retention is 7 d",
    mutate: change("copy-primary-lock", (i) => (i.minRetentionDays = 7)),
    message: /locked with minRetentionDays 7: shorter than the runbook's 30 d; use a value >= 30/,
  },
  {
    policy: "backup-vault-compliance-mode-on-prod",
    change: "prod's lock is in governance mode",
    mutate: change("copy-primary-lock", (i) => delete i.changeableForDays),
    message: /^backup vault copy-primary-vault \(us-east-1\) \(prod\) is locked in governance mode/,
  },
];

describeViolationCases(cases);

describe("paging-p2-p3-subscribed (advisory)", () => {
  it("warns about a P3 topic nobody is subscribed to, advisory, on the topic", async () => {
    const plan = compliantPlan();
    remove(plan, "routing-P3-email");
    expect(await violationsOf("paging-p2-p3-subscribed", plan)).toEqual([
      expect.objectContaining({ enforcementLevel: "advisory", urn: byName(plan, "routing-P3").urn, message: expect.stringMatching(/^P3 topic crazy-gary-test-alerts-P3 has no subscriber that can deliver/) }),
    ]);
  });
});

describe("backup-vault-compliance-mode-on-prod outside prod", () => {
  it("lets a dr vault use governance mode (drills clean up their copies)", async () => {
    const plan = compliantPlan();
    byName(plan, "copy-primary-vault").inputs.tags = { Environment: "dr" };
    delete byName(plan, "copy-primary-lock").inputs.changeableForDays;
    expect(await violationsOf("backup-vault-compliance-mode-on-prod", plan)).toEqual([]);
  });
});

describe("wildcard statements", () => {
  it.each([
    [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }, "allows every action of *"],
    [{ Effect: "Allow", Action: ["kms:*"], Resource: "arn:aws:kms:us-east-1:1:key/k" }, "allows every action of kms:*"],
    [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: ["*"] }, 'allows ssm:GetParameter on every resource ("Resource": "*")'],
    [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }, "allows everything but iam:* (NotAction)"],
  ])("refuses %j", (statement, problem) => {
    expect(wildcardProblem(statement)).toBe(problem);
  });

  it.each([
    [{ Effect: "Deny", Action: "s3:*", Resource: "*" }],
    [{ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" }],
    [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }],
  ])("lets %j pass", (statement) => {
    expect(wildcardProblem(statement)).toBeUndefined();
  });

  it("names statements by Sid, else by position", () => {
    expect(wildcardStatements({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }, { Effect: "Allow", Action: "kms:*", Resource: "k" }] })).toEqual([
      { statement: "#2", problem: "allows every action of kms:*" },
    ]);
  });
});
