import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../tools/offline";
import { sharedPlan as planOf } from "./support/plans";

describe("providers", () => {
  it("Pulumi.yaml disables every default provider", () => {
    const project = parseYaml(fs.readFileSync(path.join(repositoryRoot, "Pulumi.yaml"), "utf8"));
    expect(project.config["pulumi:disable-default-providers"]).toEqual({ value: ["*"] });
  });

  it.each([
    ["prod", []],
    ["dr", []],
    ["prod", ["activeRegion=secondary"]],
  ])("every resource of %s %j names an explicit provider", async (stack, set) => {
    const plan = await planOf(stack, set as string[]);
    const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.filter((r) => !r.provider || r.provider.includes("::default_")).map((r) => r.urn)).toEqual([]);
  });

  it.each([
    ["prod", { "aws-primary": "us-east-1", "aws-secondary": "us-west-2", "aws-route53-metrics": "us-east-1", "aws-chatbot": "us-east-2" }],
    ["dr", { "aws-primary": "us-east-2", "aws-secondary": "us-west-1", "aws-route53-metrics": "us-east-1", "aws-chatbot": "us-east-2" }],
  ])("%s has one AWS provider per region role, plus Route53's metrics region and Chatbot's", async (stack, expected) => {
    const plan = await planOf(stack);
    const aws = plan.resources.filter((r) => r.type === "pulumi:providers:aws");
    expect(Object.fromEntries(aws.map((p) => [p.name, p.region]))).toEqual(expected);
  });

  it("every AWS resource lands in the region of its provider, and only in the stack's regions", async () => {
    const plan = await planOf("dr");
    const regions = new Set(plan.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.region));
    for (const region of regions) expect(["us-east-2", "us-west-1", "us-east-1"]).toContain(region);
  });

  it("every child's name starts with its component's name", async () => {
    const plan = await planOf("prod");
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const misnamed = plan.resources
      .filter((r) => r.parent && byUrn.get(r.parent)?.type.startsWith("crazygary:dr:"))
      .filter((r) => !r.name.startsWith(byUrn.get(r.parent!)!.name))
      .map((r) => `${r.name} under ${byUrn.get(r.parent!)!.name}`);
    expect(misnamed).toEqual([]);
  });
});
