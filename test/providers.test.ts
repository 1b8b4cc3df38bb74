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

describe("provider start-up reaches no failed region's control plane, nor IAM's (domain/providerSettings.ts)", () => {
  const awsProviders = async (stack: string) => (await planOf(stack, [])).resources.filter((r) => r.type === "pulumi:providers:aws");

  it.each(["prod", "dr"])("%s: regional providers validate against their own region's STS (the account id S3 needs comes from that call); global-service providers skip every start-up call", async (stack) => {
    const providers = await awsProviders(stack);
    const startup = (r: (typeof providers)[number]) => [
      r.name,
      r.inputs.region,
      r.inputs.stsRegion,
      r.inputs.skipCredentialsValidation,
      r.inputs.skipRequestingAccountId,
      r.inputs.skipMetadataApiCheck,
      r.inputs.skipRegionValidation,
    ];
    const regions = stack === "prod" ? ["us-east-1", "us-west-2"] : ["us-east-2", "us-west-1"];
    // The bridge hands boolean provider settings to the engine as strings.
    const on = "true";
    const off = "false";
    expect(providers.map(startup).sort()).toEqual([
      ["aws-chatbot", "us-east-2", "us-east-2", on, on, on, on],
      ["aws-primary", regions[0], regions[0], off, off, on, on],
      ["aws-route53-metrics", "us-east-1", "us-east-1", on, on, on, on],
      ["aws-secondary", regions[1], regions[1], off, off, on, on],
    ]);
  });

  it.each(["prod", "dr"])("%s: with regionDown, that role's provider makes no start-up call (its STS is down; a failed configure would fail the whole preview); the other stays regional", async (stack) => {
    const providers = (await planOf(stack, ["activeRegion=secondary", "regionDown=primary"])).resources.filter((r) => r.type === "pulumi:providers:aws");
    const skips = (name: string) => {
      const p = providers.find((r) => r.name === name)!;
      return [p.inputs.skipCredentialsValidation, p.inputs.skipRequestingAccountId];
    };
    expect(skips("aws-primary")).toEqual(["true", "true"]);
    expect(skips("aws-secondary")).toEqual(["false", "false"]);
  });

  it.each(["prod", "dr"])("%s: no S3 resource uses a provider that skips the account id (S3 Control needs it: hashicorp/terraform-provider-aws#45520)", async (stack) => {
    const plan = await planOf(stack, []);
    const skipping = plan.resources.filter((r) => r.type === "pulumi:providers:aws" && String(r.inputs.skipRequestingAccountId) === "true").map((r) => r.urn);
    const s3 = plan.resources.filter((r) => r.type.startsWith("aws:s3/") && skipping.some((urn) => (r.provider ?? "").startsWith(urn)));
    expect(s3.map((r) => r.name)).toEqual([]);
  });
});
