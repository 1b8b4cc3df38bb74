import { describe, expect, it } from "vitest";
import { awsServiceOf, callTargetOf } from "../domain/controlPlanes";
import { sharedPlan } from "./support/plans";

describe("which endpoint a step calls (domain/controlPlanes.ts)", () => {
  it.each([
    ["aws:route53/healthCheck:HealthCheck", "us-east-1", { kind: "aws-control-plane", service: "route53", region: "us-east-1" }],
    ["aws:route53/record:Record", "us-west-2", { kind: "aws-control-plane", service: "route53", region: "us-east-1" }],
    ["aws:iam/role:Role", "us-west-2", { kind: "aws-control-plane", service: "iam", region: "us-east-1" }],
    ["aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "us-east-2", { kind: "aws-control-plane", service: "chatbot", region: "us-east-2" }],
    ["aws:ssm/parameter:Parameter", "us-west-2", { kind: "aws-control-plane", service: "ssm", region: "us-west-2" }],
    ["aws:s3/bucket:Bucket", "us-east-1", { kind: "aws-control-plane", service: "s3", region: "us-east-1" }],
    ["command:remote:Command", "us-west-2", { kind: "ssh-host", region: "us-west-2" }],
    ["command:local:Command", null, { kind: "local" }],
    ["postgresql:index/role:Role", null, { kind: "postgres-writable" }],
    ["random:index/randomPassword:RandomPassword", null, { kind: "none" }],
  ] as const)("%s in %s calls %j", (type, region, target) => {
    expect(callTargetOf(type, region)).toEqual(target);
  });

  it("refuses a type it has no rule for, and an AWS type without its region, naming the type", () => {
    expect(() => callTargetOf("kubernetes:core/v1:Pod", null)).toThrow("callTargetOf: no rule for kubernetes:core/v1:Pod; add one to domain/controlPlanes.ts");
    expect(() => callTargetOf("aws:ssm/parameter:Parameter", null)).toThrow("callTargetOf: aws:ssm/parameter:Parameter needs the region of its provider or host");
    expect(() => awsServiceOf("aws")).toThrow('"aws" is not an aws:<service>/<resource>:<Type> token');
  });

  it.each(["prod", "dr"])("has a rule for every resource type %s declares", async (stack) => {
    const plan = await sharedPlan(stack, []);
    for (const r of plan.resources) expect(() => callTargetOf(r.type, r.region ?? "us-east-1"), r.type).not.toThrow();
  });
});
