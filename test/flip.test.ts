/**
 * The `activeRegion` flip, as two plans compared: what must change (record failover types,
 * the promotion's direction, the active-region parameter) and what must not (any URN, any
 * replacement-triggering input of a stateful resource).
 */
import { describe, expect, it } from "vitest";
import { promoteScriptPath } from "../components/promotion";
import { planStack, type CapturedResource, type Plan } from "../tools/offline";
import { readFileSync } from "node:fs";
import { replaceRules } from "../domain/replacement";
import { isStatefulType } from "../domain/stateful";

// The mock engine is one per process: plans are evaluated one after another, never at once.
const plans: Record<string, Promise<Plan>> = {};
let lastPlan: Promise<unknown> = Promise.resolve();
const planOf = (stack: string, activeRegion: "primary" | "secondary") =>
  (plans[`${stack} ${activeRegion}`] ??= (lastPlan = lastPlan.catch(() => undefined).then(() => planStack(stack, { set: [`activeRegion=${activeRegion}`] }))) as Promise<Plan>);

/** Stateful: a type in the shared list (domain/statefulTypes.json), or anything a component protects. */
const isStateful = (r: CapturedResource) => isStatefulType(r.type) || r.options.protect || r.options.retainOnDelete;

/** The inputs whose change replaces the resource (domain/replacement.ts); all of them for a type without a rule. */
function replacementView(r: CapturedResource): Record<string, unknown> {
  const keys = replaceRules[r.type]?.properties;
  if (keys === undefined || keys === "*") return r.inputs;
  return Object.fromEntries(keys.map((k) => [k, r.inputs[k]]));
}

const byUrn = (plan: Plan) => new Map(plan.resources.map((r) => [r.urn, r]));
const find = (plan: Plan, type: string, name: string) => {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the ${plan.stack} plan`);
  return found;
};
const failoverType = (r: CapturedResource) => (r.inputs.failoverRoutingPolicies as { type: string }[])[0].type;
const withoutFailoverType = (r: CapturedResource) => ({ ...r.inputs, failoverRoutingPolicies: undefined });

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("flipping %s's activeRegion", (stack, regions) => {
  it("changes no URN: the same resources, by name and type, before and after", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    expect(before.resources.length).toBeGreaterThan(10);
    expect(after.resources.map((r) => r.urn)).toEqual(before.resources.map((r) => r.urn));
  });

  it("changes no replacement-triggering input, nor protection, of any stateful resource", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const afterByUrn = byUrn(after);
    const stateful = before.resources.filter(isStateful);
    expect(stateful.map((r) => r.type)).toContain("aws:route53/healthCheck:HealthCheck");
    for (const resource of stateful) {
      const flipped = afterByUrn.get(resource.urn)!;
      expect({ urn: resource.urn, inputs: replacementView(flipped) }).toEqual({ urn: resource.urn, inputs: replacementView(resource) });
      expect([resource.urn, flipped.options.protect, flipped.options.retainOnDelete]).toEqual([resource.urn, resource.options.protect, resource.options.retainOnDelete]);
    }
  });

  it("re-runs the promotion, and replaces no command whose delete step would undo its own re-run", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const afterByUrn = byUrn(after);
    // A changed trigger replaces a command, create-before-delete: the new one runs `create`,
    // then the old one runs its `delete`. Harmless only when there is no `delete`.
    const retriggered = before.resources
      .filter((r) => r.type.startsWith("command:") && "triggers" in r.inputs)
      .filter((r) => JSON.stringify(afterByUrn.get(r.urn)!.inputs.triggers) !== JSON.stringify(r.inputs.triggers));
    expect(retriggered.map((r) => r.name)).toContain("promotion-promote");
    expect(retriggered.filter((r) => r.inputs.delete !== undefined).map((r) => r.name)).toEqual([]);
  });

  it("leaves the health checks exactly as they were (every input)", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const checks = (plan: Plan) => plan.resources.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck").map((r) => [r.urn, r.inputs]);
    expect(checks(after)).toEqual(checks(before));
  });

  it.each(["api", "app"])("swaps only the failover types of %s's records; set identifiers and targets stay", async (hostname) => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    for (const [role, typeBefore, typeAfter] of [
      ["primary", "PRIMARY", "SECONDARY"],
      ["secondary", "SECONDARY", "PRIMARY"],
    ] as const) {
      const name = `failover-dns-${hostname}-${role}`;
      const [r0, r1] = [find(before, "aws:route53/record:Record", name), find(after, "aws:route53/record:Record", name)];
      expect([failoverType(r0), failoverType(r1)]).toEqual([typeBefore, typeAfter]);
      expect([r0.inputs.setIdentifier, r1.inputs.setIdentifier]).toEqual([regions[role], regions[role]]);
      expect(withoutFailoverType(r1)).toEqual(withoutFailoverType(r0));
    }
  });

  it("runs the promotion the other way round, from the same script, under the same name", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const [c0, c1] = [find(before, "command:local:Command", "promotion-promote"), find(after, "command:local:Command", "promotion-promote")];
    expect(c1.urn).toBe(c0.urn);
    expect([c0.inputs.triggers, c1.inputs.triggers]).toEqual([
      ["primary", regions.primary],
      ["secondary", regions.secondary],
    ]);
    const env = (c: CapturedResource) => c.inputs.environment as Record<string, string>;
    expect([env(c0).NEW_PRIMARY_HOST, env(c0).OLD_PRIMARY_HOST]).toEqual([env(c1).OLD_PRIMARY_HOST, env(c1).NEW_PRIMARY_HOST]);
    expect(env(c1).NEW_PRIMARY_HOST).toMatch(stack === "prod" ? /^db-usw2\./ : /^db-usw1\./);
    expect(c1.inputs.create).toBe(readFileSync(promoteScriptPath, "utf8"));
    expect(c1.inputs.create).toBe(c0.inputs.create);
  });

  it("points the records at the promotion, so DNS moves only after the database accepts writes", async () => {
    const after = await planOf(stack, "secondary");
    const promotion = find(after, "command:local:Command", "promotion-promote");
    const records = after.resources.filter((r) => r.type === "aws:route53/record:Record");
    expect(records).toHaveLength(4);
    for (const record of records) expect(record.options.dependsOn).toContain(promotion.urn);
    // After the flip the secondary's record is PRIMARY, so it is the one written last.
    expect(find(after, "aws:route53/record:Record", "failover-dns-api-secondary").options.dependsOn).toContain(
      find(after, "aws:route53/record:Record", "failover-dns-api-primary").urn,
    );
  });

  it("writes the active region's code to /crazy-gary/<env>/active-region in both regions", async () => {
    for (const [active, plan] of [
      ["primary", await planOf(stack, "primary")],
      ["secondary", await planOf(stack, "secondary")],
    ] as const) {
      const parameters = plan.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter" && r.inputs.name === `/crazy-gary/${stack}/active-region`);
      expect(parameters.map((p) => [p.name, p.region, p.inputs.type, p.inputs.insecureValue])).toEqual([
        ["active-region-primary", regions.primary, "String", regions[active]],
        ["active-region-secondary", regions.secondary, "String", regions[active]],
      ]);
    }
  });

  it("starts the promotion only once the previous region's active-region parameter names the new region (the old primary's lease reads that copy)", async () => {
    for (const [active, previous, plan] of [
      ["primary", "secondary", await planOf(stack, "primary")],
      ["secondary", "primary", await planOf(stack, "secondary")],
    ] as const) {
      const promotion = find(plan, "command:local:Command", "promotion-promote");
      const parameter = find(plan, "aws:ssm/parameter:Parameter", `active-region-${previous}`);
      expect([parameter.region, parameter.inputs.insecureValue]).toEqual([regions[previous], regions[active]]);
      expect(promotion.options.dependsOn).toEqual([parameter.urn]);
    }
  });

  it("reports the active region and the records' failover types in the outputs", async () => {
    const after = await planOf(stack, "secondary");
    expect(after.outputs).toMatchObject({
      activeRegion: regions.secondary,
      activeRegionRole: "secondary",
      failoverRecords: {
        api: { primary: { failoverType: "SECONDARY" }, secondary: { failoverType: "PRIMARY" } },
        app: { primary: { failoverType: "SECONDARY" }, secondary: { failoverType: "PRIMARY" } },
      },
    });
  });
});
