/**
 * The failure simulator against the real plans of prod and dr (`npm run simulate -- --scenarios`):
 * every scenario of issue #22 with the verdict today's code earns, and why. A scenario marked
 * FAIL here is a real gap of the stack the simulator finds (issue #22 items 1 and 2 close them).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { invokeRules, stepCalls } from "../domain/simulation/calls";
import { scenariosFor, type Scenario } from "../domain/simulation/scenarios";
import { PlanCache, simulateScenario, type SimulationResult } from "../tools/simulation/runner";

const plans = new PlanCache();
const results = new Map<string, { scenario: Scenario; result: SimulationResult }>();

beforeAll(async () => {
  for (const stack of ["prod", "dr"]) {
    const { plan, topology } = await plans.get(stack, []);
    for (const scenario of scenariosFor(topology, plan.activeRegion)) results.set(scenario.id, { scenario, result: await simulateScenario(scenario, plans) });
  }
}, 600_000);

const result = (id: string) => {
  const found = results.get(id);
  if (!found) throw new Error(`no scenario ${id}; have ${[...results.keys()].join(", ")}`);
  return found.result;
};

describe("every resource type and invoke of both plans has a rule for what it calls", () => {
  it.each(["prod", "dr"])("%s", async (stack) => {
    const { plan, topology } = await plans.get(stack, []);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    for (const resource of plan.resources) expect(() => stepCalls(resource, "update", { topology, byUrn })).not.toThrow();
    for (const invoke of plan.invokes) expect(Object.keys(invokeRules)).toContain(invoke.token);
  });
});

describe("scenarios", () => {
  it("each stack has its scenarios: a planned flip, each region down, us-east-1's control planes down, a partial failure then a rerun", () => {
    expect([...results.keys()]).toEqual([
      "prod/planned-flip",
      "prod/region-down-us-east-1",
      "prod/region-down-us-west-2",
      "prod/region-down-us-east-2",
      "prod/us-east-1-control-down",
      "prod/partial-then-rerun",
      "dr/planned-flip",
      "dr/region-down-us-east-2",
      "dr/region-down-us-west-1",
      "dr/region-down-us-west-2",
      "dr/us-east-1-control-down",
      "dr/partial-then-rerun",
    ]);
  });

  it.each(["prod", "dr"])("%s: a planned flip passes: every step succeeds, the secondary's database is the one leader, DNS and both parameters follow, git gets the commit", (stack) => {
    const r = result(`${stack}/planned-flip`);
    const run = r.runs[0];
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(run.run.steps.filter((s) => s.status !== "succeeded")).toEqual([]);
    expect(run.flip).toMatch(/^succeeded/);
    expect(run.writable).toEqual(["secondary"]);
    expect(new Set(run.dns.map((d) => d.region))).toEqual(new Set([r.topology.regions.secondary]));
    expect(run.parameters.map((p) => p.value)).toEqual([r.topology.regions.secondary, r.topology.regions.secondary]);
    expect(run.commit.committed).toBe(true);
    expect(r.next.kind).toBe("no-op");
  });

  it.each([
    ["prod", "us-east-1"],
    ["dr", "us-east-2"],
  ])("%s: with the active region %s down, the flip never starts today: an AWS provider there validates its credentials with STS and fails the preview", (stack, region) => {
    const r = result(`${stack}/region-down-${region}`);
    expect(r.runs[0].run.previewFailure).toMatch(new RegExp(`credentials validation .*skipCredentialsValidation not set.*: sts in ${region} is down`));
    expect(r.verdict.pass).toBe(false);
    expect(r.verdict.failures).toContain("no leader: no database takes writes");
    // No writable primary: both routing checks fail, Route53 answers the PRIMARY, the dead region.
    expect(r.runs[0].dns.map((d) => d.region)).toEqual([region, region]);
    expect(r.runs[0].commit.committed).toBe(false);
  });

  it.each([
    ["prod", "us-west-2"],
    ["dr", "us-west-1"],
  ])("%s: with the passive region %s down, a deploy from git changes nothing and the primary role's database stays the leader", (stack, region) => {
    const r = result(`${stack}/region-down-${region}`);
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.runs[0].writable).toEqual(["primary"]);
    expect(r.next.kind).toBe("no-op");
  });

  it.each([
    ["prod", "us-east-2"],
    ["dr", "us-west-2"],
  ])("%s: with the etcd witness region %s down, a deploy from git leaves the primary role's database the leader", (stack, region) => {
    const r = result(`${stack}/region-down-${region}`);
    expect(r.topology.witnessRegion).toBe(region);
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.runs[0].writable).toEqual(["primary"]);
  });

  it("prod: with us-east-1's control planes down, the Patroni flip needs nothing of them (it waits for no SSM parameter) and switches over; the parameter and us-east-1's alarms wait for the next deploy", () => {
    const r = result("prod/us-east-1-control-down");
    const run = r.runs[0];
    expect(run.run.previewFailure).toBeUndefined();
    expect(run.run.steps.find((s) => s.resource.name === "active-region-primary")).toMatchObject({ status: "failed", detail: "ssm control plane in us-east-1 is down (E5)" });
    expect(run.flip).toMatch(/^succeeded: switchover us-east-1 -> us-west-2/);
    expect(run.run.steps.filter((s) => s.resource.type.startsWith("aws:route53/"))).toEqual([]);
    expect(run.writable).toEqual(["secondary"]);
    expect(run.commit.committed).toBe(true);
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.next.kind).toBe("finishes");
  });

  it("dr: with us-east-1's control planes down, its own regions answer and the flip completes; only us-east-1's resources (Route53 health-check alarms) wait for the next deploy", () => {
    const r = result("dr/us-east-1-control-down");
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.runs[0].flip).toMatch(/^succeeded/);
    expect(new Set(r.runs[0].run.steps.filter((s) => s.status === "failed").map((s) => s.resource.region))).toEqual(new Set(["us-east-1"]));
    expect(r.next.kind).toBe("finishes");
  });

  it.each([
    ["prod", "us-east-1"],
    ["dr", "us-east-2"],
  ])("%s: a region-down flip whose preview fails, rerun unchanged once %s is back, fails today: its old leader took the lock again, so the failover (regionDown still set) waits for a lock that never expires", (stack, region) => {
    const r = result(`${stack}/partial-then-rerun`);
    expect(r.runs).toHaveLength(2);
    expect(r.runs[0].run.previewFailure).toMatch(/credentials validation/);
    expect(r.runs[0].writable).toEqual([]);
    // Back with a quorum and nobody leading, the last leader (the only member without nofailover) takes the lock again.
    expect(r.runs[1].writableBefore).toEqual(["primary"]);
    expect(r.runs[1].flip).toMatch(new RegExp(`^failed: ${region} still holds the leader lock.*remove regionDown for a switchover.*times out$`));
    expect(r.runs[1].writable).toEqual(["primary"]);
    expect(r.verdict.failures).toEqual(["the leader is primary, not secondary (the flip did not happen)"]);
    // git was never committed: the next deploy keeps primary, no flip-back.
    expect(r.next.kind).not.toBe("flip-back");
  });
});
