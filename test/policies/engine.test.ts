import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { evaluatePolicies, hasMandatoryViolations, toPolicyResources } from "../../policies/engine";
import { createPolicies } from "../../policies/policies";
import { byName, compliantPlan } from "./fixtures";

describe("the in-process policy engine", () => {
  it("links parents, providers and property dependencies", () => {
    const plan = compliantPlan();
    const resources = toPolicyResources(plan);
    const versioning = resources.find((r) => r.name === "wal-primary-versioning")!;
    expect(versioning.parent?.type).toBe("crazygary:dr:WalArchiveBucket");
    expect(versioning.provider).toMatchObject({ type: "pulumi:providers:aws", props: { region: "us-east-1" }, name: "aws-primary" });
    expect(versioning.propertyDependencies.bucket.map((r) => r.name)).toEqual(["wal-primary-bucket"]);
    expect(versioning.isType(aws.s3.BucketVersioning)).toBe(true);
    expect(versioning.isType(aws.s3.Bucket)).toBe(false);
    expect(versioning.asType(aws.s3.BucketVersioning)).toBe(byName(plan, "wal-primary-versioning").inputs);
  });

  it("gives resource policies opts.protect, skips other types through notApplicable, and groups violations", async () => {
    const seen: string[] = [];
    const policy: ResourceValidationPolicy = {
      name: "test-keys",
      description: "test",
      enforcementLevel: "advisory",
      validateResource: validateResourceOfType(aws.kms.Key, (props, args, report) => {
        seen.push(args.name);
        if (!args.opts.protect) report("unprotected");
        if (props.enableKeyRotation) report("rotates");
      }),
    };
    const [outcome] = await evaluatePolicies([policy], compliantPlan());
    expect(seen).toEqual(["wal-primary-key", "wal-secondary-key"]);
    expect(outcome.violations).toEqual([
      { policy: "test-keys", enforcementLevel: "advisory", urn: byName(compliantPlan(), "wal-primary-key").urn, message: "rotates" },
      { policy: "test-keys", enforcementLevel: "advisory", urn: byName(compliantPlan(), "wal-secondary-key").urn, message: "rotates" },
    ]);
    expect(hasMandatoryViolations([outcome])).toBe(false);
  });

  it("applies the pack config: enforcement level and schema defaults", async () => {
    const policy: StackValidationPolicy = {
      name: "test-stack",
      description: "test",
      enforcementLevel: "mandatory",
      configSchema: { properties: { limit: { type: "number", default: 3 } } },
      validateStack: (args, report) => report(`limit ${args.getConfig<{ limit: number }>().limit}`),
    };
    const [outcome] = await evaluatePolicies([policy], compliantPlan());
    expect(outcome.violations.map((v) => v.message)).toEqual(["limit 3"]);
    expect(hasMandatoryViolations([outcome])).toBe(true);
    const [configured] = await evaluatePolicies([policy], compliantPlan(), { "test-stack": { enforcementLevel: "advisory", limit: 1 } });
    expect(configured).toMatchObject({ enforcementLevel: "advisory", violations: [{ message: "limit 1", urn: undefined }] });
    expect(await evaluatePolicies([policy], compliantPlan(), { "test-stack": "disabled" })).toEqual([]);
  });
});

describe("values the real engine does not know yet (a preview of new resources)", () => {
  // CrossGuard's own proxy: reading an unknown value throws `UnknownValueError`.
  const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(value: T): T; unknownStringValue: unknown };

  it("joins by property dependency and region when the bucket's name and the policy text are unknown", async () => {
    const plan = compliantPlan();
    for (const r of plan) {
      if (r.type === "aws:s3/bucket:Bucket" || r.type.startsWith("aws:s3/bucket")) r.inputs = proxy.unknownCheckingProxy({ ...r.inputs, bucket: proxy.unknownStringValue, ...(r.inputs.policy ? { policy: proxy.unknownStringValue } : {}) });
    }
    const outcomes = await evaluatePolicies(createPolicies(), plan);
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);
  });
});
