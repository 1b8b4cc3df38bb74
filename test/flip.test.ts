/**
 * The `activeRegion` flip, as two plans compared: what must change (the Patroni flip's candidate,
 * the active-region parameter, the one-sided alarms' settings) and what must not (any URN, region
 * or provider, any Route53 resource, any replacement-triggering input of a stateful resource).
 */
import { describe, expect, it } from "vitest";
import { flipCommandLine } from "../components/patroniFlip";
import type { CapturedResource, Plan } from "../tools/offline";
import { replaceRules } from "../domain/replacement";
import { isStatefulType } from "../domain/stateful";
import { sharedPlan } from "./support/plans";

const planOf = (stack: string, activeRegion: "primary" | "secondary") => sharedPlan(stack, [`activeRegion=${activeRegion}`]);

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
/** Where each resource lands: its provider (URN) and region, by URN. */
const placement = (plan: Plan) => plan.resources.map((r) => [r.urn, r.provider ?? null, r.region ?? null]);

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("flipping %s's activeRegion", (stack, regions) => {
  it("changes no URN: the same resources, by name and type, before and after", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    expect(before.resources.length).toBeGreaterThan(10);
    expect(after.resources.map((r) => r.urn)).toEqual(before.resources.map((r) => r.urn));
  });

  it("moves nothing: every resource keeps its provider and region, in both directions", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    expect(placement(after)).toEqual(placement(before));
    // Per-region things exist in both regions permanently, named by region role.
    const composites = (plan: Plan) => plan.resources.filter((r) => r.type === "aws:cloudwatch/compositeAlarm:CompositeAlarm").map((r) => [r.name, r.region, r.inputs.alarmRule]);
    expect(composites(after)).toEqual(composites(before));
    expect(Object.fromEntries(composites(before).map(([name, region]) => [name, region]))).toEqual({
      "alarms-rollback-primary": regions.primary,
      "alarms-rollback-health-primary": "us-east-1",
      "alarms-rollback-secondary": regions.secondary,
      "alarms-rollback-health-secondary": "us-east-1",
    });
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

  it("re-runs the Patroni flip, and replaces no command whose delete step would undo its own re-run", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const afterByUrn = byUrn(after);
    // A changed trigger replaces a command, create-before-delete: the new one runs `create`,
    // then the old one runs its `delete`. Harmless only when there is no `delete`.
    const retriggered = before.resources
      .filter((r) => r.type.startsWith("command:") && "triggers" in r.inputs)
      .filter((r) => JSON.stringify(afterByUrn.get(r.urn)!.inputs.triggers) !== JSON.stringify(r.inputs.triggers));
    expect(retriggered.map((r) => r.name)).toContain("patroni-flip-command");
    expect(retriggered.filter((r) => r.inputs.delete !== undefined).map((r) => r.name)).toEqual([]);
  });

  it("leaves every Route53 resource exactly as it was (every input, option and dependency): DNS follows the leader by health checks alone", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const dns = (plan: Plan) => plan.resources.filter((r) => r.type.startsWith("aws:route53/")).map((r) => [r.urn, r.inputs, r.options]);
    // 4 records, 4 endpoint checks, 2 database leader checks, 4 routing checks.
    expect(dns(before)).toHaveLength(14);
    expect(dns(after)).toEqual(dns(before));
    for (const record of after.resources.filter((r) => r.type === "aws:route53/record:Record")) {
      expect([record.name, failoverType(record)]).toEqual([record.name, record.name.endsWith("-primary") ? "PRIMARY" : "SECONDARY"]);
    }
  });

  it("runs the flip towards the newly active region's Patroni only, under the same name", async () => {
    const [before, after] = await Promise.all([planOf(stack, "primary"), planOf(stack, "secondary")]);
    const [c0, c1] = [find(before, "command:local:Command", "patroni-flip-command"), find(after, "command:local:Command", "patroni-flip-command")];
    expect(c1.urn).toBe(c0.urn);
    expect([c0.inputs.triggers, c1.inputs.triggers]).toEqual([
      ["primary", regions.primary, "regionDown=false", "force=false"],
      ["secondary", regions.secondary, "regionDown=false", "force=false"],
    ]);
    const env = (c: CapturedResource) => c.inputs.environment as Record<string, unknown>;
    const host = stack === "prod" ? "db-usw2.ops.crazy-gary.app" : "db-usw1.dr.ops.crazy-gary.app";
    expect(env(c1)).toMatchObject({
      FLIP_API_URL: `https://${host}:8008`,
      FLIP_CANDIDATE: regions.secondary,
      FLIP_REGION_DOWN: "false",
      FLIP_MAX_LAG_BYTES: "335544320",
      FLIP_FORCE: "false",
      PATRONI_RESTAPI_USERNAME: "patroni",
    });
    // Nothing of the region being left reaches the command.
    expect(JSON.stringify(env(c1))).not.toContain(stack === "prod" ? "db-use1" : "db-use2");
    expect([c0.inputs.create, c1.inputs.create]).toEqual([flipCommandLine, flipCommandLine]);
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

  it("with the old region declared down (regionDown), asks for a failover; forceFailover re-runs it", async () => {
    const down = find(await sharedPlan(stack, ["activeRegion=secondary", "regionDown=primary"]), "command:local:Command", "patroni-flip-command");
    expect([down.inputs.triggers, (down.inputs.environment as Record<string, string>).FLIP_REGION_DOWN]).toEqual([["secondary", regions.secondary, "regionDown=true", "force=false"], "true"]);
    const forced = find(await sharedPlan(stack, ["activeRegion=secondary", "regionDown=primary", "patroni.forceFailover=true"]), "command:local:Command", "patroni-flip-command");
    expect([forced.inputs.triggers, (forced.inputs.environment as Record<string, string>).FLIP_FORCE]).toEqual([["secondary", regions.secondary, "regionDown=true", "force=true"], "true"]);
    // It waits for nothing of the region that is down: only the surviving candidate's host step
    // (its nofailover lifted, Patroni reloaded), its REST password and the Patroni CA (made in the
    // tls provider's process, no call anywhere), which it verifies the candidate with.
    expect((down.options.dependsOn as string[]).map((urn) => urn.split("::").pop()).sort()).toEqual(["database-host-secondary-configure", "patroni-rest-password", "patroni-tls-ca"]);
    expect((down.inputs.environment as Record<string, string>).FLIP_CA_PEM).toBe("-----BEGIN CERTIFICATE-----\nmock patroni-tls-ca\n-----END CERTIFICATE-----\n");
  });

  it("reports the active region and the records' fixed roles in the outputs", async () => {
    const after = await planOf(stack, "secondary");
    const hostname = { primary: { failoverType: "PRIMARY" }, secondary: { failoverType: "SECONDARY" } };
    expect(after.outputs).toMatchObject({ activeRegion: regions.secondary, activeRegionRole: "secondary", failoverRecords: { api: hostname, app: hostname } });
  });
});
