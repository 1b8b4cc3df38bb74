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
    ["prod", "us-east-1", "us-west-2"],
    ["dr", "us-east-2", "us-west-1"],
  ])("%s: with the active region %s down, the region-down flip fails over to %s: the dead region's steps fail, their dependents are skipped, the rest goes on", (stack, down, survivor) => {
    const r = result(`${stack}/region-down-${down}`);
    const run = r.runs[0];
    expect(run.run.previewFailure).toBeUndefined();
    expect(run.flip).toMatch(new RegExp(`^succeeded: failover to ${survivor}`));
    const failed = run.run.steps.filter((s) => s.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const step of failed) expect(step.detail).toMatch(new RegExp(`\\(${down}\\) is down|in ${down} is down`));
    expect(run.writable).toEqual(["secondary"]);
    expect(run.dns.map((d) => d.region)).toEqual([survivor, survivor]);
    expect(run.parameters.find((p) => p.region === down)).toMatchObject({ readable: false });
    expect(run.commit.committed).toBe(true);
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.next.kind).toBe("finishes");
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

  it.each(["prod", "dr"])("%s: a region-down flip that fails in part, rerun once the region is back, finishes the undone steps; the flip step does not run again; the old leader is a replica; no flip-back", (stack) => {
    const r = result(`${stack}/partial-then-rerun`);
    expect(r.runs).toHaveLength(2);
    expect(r.runs[0].run.steps.some((s) => s.status === "failed")).toBe(true);
    expect(r.runs[0].writable).toEqual(["secondary"]);
    expect(r.runs[1].writableBefore).toEqual(["secondary"]);
    expect(r.runs[1].run.steps.filter((s) => s.status !== "succeeded")).toEqual([]);
    expect(r.runs[1].flip).toBe("not in this run (its triggers did not change)");
    expect(r.runs[1].writable).toEqual(["secondary"]);
    expect(r.verdict).toEqual({ pass: true, failures: [] });
    expect(r.next.kind).toBe("no-op");
  });
});
