/**
 * The failure simulator's rules (domain/simulation/), each on a small hand-made plan: outages,
 * the engine's order, failures, skips and outputs, the database mechanisms, Route53's answer,
 * and what the workflows read.
 */
import { describe, expect, it } from "vitest";
import { applyFlip, etcdQuorum, settle, settledState, writablePrimaries, type DatabaseView } from "../domain/simulation/database";
import { dnsAnswers } from "../domain/simulation/dns";
import { isUp, noOutage, parseOutage, partitionalControl } from "../domain/simulation/endpoints";
import { planSteps, runSteps, stateOf } from "../domain/simulation/engine";
import { findFlipStep } from "../domain/simulation/flipSteps";
import type { SimPlan, SimResource, SimTopology } from "../domain/simulation/model";
import { activeRegionSourceOf } from "../domain/simulation/workflow";

const topology: SimTopology = {
  stack: "t",
  regions: { primary: "us-east-1", secondary: "us-west-2" },
  witnessRegion: "us-east-2",
  hosts: [
    { role: "primary", region: "us-east-1", names: ["db1.example"] },
    { role: "secondary", region: "us-west-2", names: ["db2.example"] },
    { role: "witness", region: "us-east-2", names: ["w.example"] },
  ],
  endpointNames: [
    { name: "lb1.example", region: "us-east-1" },
    { name: "lb2.example", region: "us-west-2" },
  ],
  automaticFailover: false,
};

const urn = (name: string) => `urn:pulumi:t::p::x::${name}`;
function res(name: string, type: string, extra: Partial<SimResource> = {}): SimResource {
  return { urn: urn(name), type, name, region: null, parent: null, provider: null, custom: true, inputs: {}, dependsOn: [], propertyDependencies: {}, ...extra };
}
const plan = (resources: SimResource[], extra: Partial<SimPlan> = {}): SimPlan => ({ set: [], resources, invokes: [], outputs: {}, activeRegion: "primary", ...extra });
const provider = (name: string, region: string, inputs: Record<string, unknown> = {}) => res(name, "pulumi:providers:aws", { inputs: { region, skipCredentialsValidation: "true", skipRequestingAccountId: "true", ...inputs } });
const param = (name: string, region: string, value: string, deps: string[] = []) =>
  res(name, "aws:ssm/parameter:Parameter", { region, provider: urn(`p-${region}`), inputs: { name: "/x/active-region", insecureValue: value }, dependsOn: deps.map(urn) });

describe("outages (--down)", () => {
  it("parses regions, REGION:control and the partitional control planes, comma lists included", () => {
    expect(parseOutage(["us-east-1,route53-control", "us-west-2:control", "iam-control"])).toEqual({ regions: ["us-east-1"], controlPlanes: ["us-west-2"], partitional: ["route53", "iam"] });
  });
  it.each(["useast1", "us-east-1:data", "dns-control"])("refuses %s, naming it and what is allowed", (word) => {
    expect(() => parseOutage([word])).toThrow(new RegExp(`--down "${word}": not an outage; allowed: a region code`));
  });
  it("a region down takes the partitional control planes it hosts; REGION:control leaves its data plane and hosts up", () => {
    expect(isUp(partitionalControl("route53"), parseOutage(["us-east-1"]))).toBe(false);
    const control = parseOutage(["us-east-1:control"]);
    expect(isUp(partitionalControl("iam"), control)).toBe(false);
    expect(isUp({ kind: "data", service: "route53", region: "us-east-1" }, control)).toBe(true);
    expect(isUp({ kind: "host", host: "db1.example", region: "us-east-1", protocol: "ssh" }, control)).toBe(true);
    expect(isUp(partitionalControl("route53"), parseOutage(["route53-control"]))).toBe(false);
    expect(isUp({ kind: "control", service: "ssm", region: "us-east-1" }, parseOutage(["route53-control"]))).toBe(true);
  });
});

describe("the engine", () => {
  const providers = [provider("p-us-east-1", "us-east-1"), provider("p-us-west-2", "us-west-2")];
  const before = plan([...providers, param("a", "us-east-1", "us-east-1"), param("b", "us-west-2", "us-east-1", ["a"]), param("c", "us-west-2", "us-east-1")], { outputs: { activeRegionRole: "primary" } });
  const after = plan([...providers, param("a", "us-east-1", "us-west-2"), param("b", "us-west-2", "us-west-2", ["a"]), param("c", "us-west-2", "us-west-2")], { outputs: { activeRegionRole: "secondary" }, set: ["activeRegion=secondary"] });
  const steps = planSteps(stateOf(before), after, topology, () => undefined);
  const run = (down: string[], continueOnError: boolean, p = after) => runSteps(stateOf(before), p, planSteps(stateOf(before), p, topology, () => undefined), before.outputs, { outage: parseOutage(down), continueOnError });
  const status = (r: ReturnType<typeof run>) => Object.fromEntries(r.steps.map((s) => [s.resource.name, s.status]));

  it("makes a step only for what changed, each after what it depends on", () => {
    expect(steps.map((s) => `${s.op} ${s.resource.name}`)).toEqual(["update a", "update b", "update c"]);
    expect(steps[0].calls.map((c) => c.endpoint)).toEqual([{ kind: "control", service: "ssm", region: "us-east-1" }]);
  });
  it("with --continue-on-error: the failed step's dependents are skipped, independent steps go on, the program's outputs are saved", () => {
    const r = run(["us-east-1"], true);
    expect(status(r)).toEqual({ a: "failed", b: "skipped", c: "succeeded" });
    expect(r.state.get(urn("a"))!.inputs.insecureValue).toBe("us-east-1");
    expect(r.state.get(urn("c"))!.inputs.insecureValue).toBe("us-west-2");
    expect(r.outputs.activeRegionRole).toBe("secondary");
  });
  it("without it: nothing starts after the first failure and the old outputs stay", () => {
    const r = run(["us-east-1"], false);
    expect(status(r)).toEqual({ a: "failed", b: "not run", c: "not run" });
    expect(r.outputs.activeRegionRole).toBe("primary");
  });
  it("a failed invoke fails the preview: nothing runs, the outputs stay", () => {
    const r = run(["us-east-1:control"], true, { ...after, invokes: [{ token: "aws:route53/getZone:getZone", region: "us-east-1" }] });
    expect(r.previewFailure).toMatch(/getZone.*route53 control plane.*is down/);
    expect(new Set(r.steps.map((s) => s.status))).toEqual(new Set(["not run"]));
    expect(r.outputs).toEqual(before.outputs);
  });
  it("an AWS provider without skipCredentialsValidation calls STS in its region when configured: a region down fails the preview", () => {
    const validating = { ...after, resources: after.resources.map((r) => (r.name === "p-us-west-2" ? provider("p-us-west-2", "us-west-2", { skipCredentialsValidation: "false" }) : r)) };
    expect(runSteps(stateOf(before), validating, [], {}, { outage: parseOutage(["us-west-2"]), continueOnError: true }).previewFailure).toMatch(/sts in us-west-2 is down/);
    expect(runSteps(stateOf(before), after, [], {}, { outage: parseOutage(["us-west-2"]), continueOnError: true }).previewFailure).toBeUndefined();
  });
  it("every step succeeding saves the new outputs", () => {
    expect(run([], false).outputs.activeRegionRole).toBe("secondary");
  });
});

describe("the database", () => {
  const view = (down: string[], extra: Partial<SimTopology> = {}): DatabaseView => ({ topology: { ...topology, ...extra }, outage: parseOutage(down) });
  it("etcd keeps a quorum with any one of three regions down, not with two", () => {
    expect(etcdQuorum(topology, parseOutage(["us-east-1"]))).toBe(true);
    expect(etcdQuorum(topology, parseOutage(["us-east-1", "us-east-2"]))).toBe(false);
    expect(etcdQuorum({ ...topology, witnessRegion: undefined }, parseOutage(["us-west-2"]))).toBe(false);
  });
  it("Patroni: a leader whose region is down loses the lock; the nofailover passive member is not promoted by itself", () => {
    const state = settle(settledState("primary"), view(["us-east-1"]));
    expect(writablePrimaries(state, view(["us-east-1"]))).toEqual([]);
    const auto = settle(settledState("primary"), view(["us-east-1"], { automaticFailover: true }));
    expect(writablePrimaries(auto, view(["us-east-1"]))).toEqual(["secondary"]);
  });
  it("Patroni: a leader back with a quorum while nobody leads takes the lock again; back while another leads, it is not writable", () => {
    const lost = settle(settledState("primary"), view(["us-east-1"]));
    expect(lost.leader).toBeNull();
    expect(writablePrimaries(settle(lost, view([])), view([]))).toEqual(["primary"]);
    const failedOver = applyFlip(lost, view(["us-east-1"]), "secondary", "primary");
    expect(failedOver.ok && writablePrimaries(settle(failedOver.state, view([])), view([]))).toEqual(["secondary"]);
  });
  it("Patroni: the witness region down leaves the leader writable", () => {
    expect(writablePrimaries(settle(settledState("primary"), view(["us-east-2"])), view(["us-east-2"]))).toEqual(["primary"]);
  });
  it("Patroni, by the flip's own decideFlip: a switchover needs a leader; a failover (regionDown) waits for the old lock, then runs; a live leader makes a failover wait", () => {
    const lost = settle(settledState("primary"), view(["us-east-1"]));
    expect(applyFlip(lost, view(["us-east-1"]), "secondary", undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/^refused: the cluster has no leader, so a switchover/) });
    expect(applyFlip(settledState("primary"), view([]), "secondary", "primary")).toMatchObject({ ok: false, reason: expect.stringMatching(/us-east-1 still holds the leader lock.*times out$/) });
    const failover = applyFlip(lost, view(["us-east-1"]), "secondary", "primary");
    expect(failover.ok && writablePrimaries(failover.state, view(["us-east-1"]))).toEqual(["secondary"]);
    const switched = applyFlip(settledState("primary"), view([]), "secondary", undefined);
    expect(switched.ok && writablePrimaries(switched.state, view([]))).toEqual(["secondary"]);
  });
});

describe("Route53's answer", () => {
  const check = (name: string, fqdn: string, path = "/health") => res(name, "aws:route53/healthCheck:HealthCheck", { inputs: { type: "HTTPS", fqdn, resourcePath: path, requestInterval: 10, failureThreshold: 2 } });
  const calculated = (name: string, children: string[]) =>
    res(name, "aws:route53/healthCheck:HealthCheck", { inputs: { type: "CALCULATED", childHealthThreshold: children.length }, propertyDependencies: { childHealthchecks: children.map(urn) } });
  const record = (name: string, type: "PRIMARY" | "SECONDARY", region: string, checkName: string) =>
    res(name, "aws:route53/record:Record", { inputs: { name: "api.example", ttl: 30, setIdentifier: region, failoverRoutingPolicies: [{ type }] }, propertyDependencies: { healthCheckId: [urn(checkName)] } });
  const state = stateOf(
    plan([
      check("e1", "lb1.example"),
      check("e2", "lb2.example"),
      check("l1", "db1.example", "/primary"),
      check("l2", "db2.example", "/primary"),
      calculated("r1", ["e1", "l1"]),
      calculated("r2", ["e2", "l2"]),
      record("rec1", "PRIMARY", "us-east-1", "r1"),
      record("rec2", "SECONDARY", "us-west-2", "r2"),
    ]),
  );
  it("answers the region whose database is the writable leader, detection + TTL after the change", () => {
    expect(dnsAnswers(state, { topology, outage: noOutage, writableRole: "secondary" })[0]).toMatchObject({ region: "us-west-2", failoverType: "SECONDARY", worstCaseSeconds: 50, budgetSeconds: 80 });
    expect(dnsAnswers(state, { topology, outage: noOutage, writableRole: "primary" })[0]).toMatchObject({ region: "us-east-1", failoverType: "PRIMARY" });
  });
  it("answers the PRIMARY when both are unhealthy (no writable primary anywhere)", () => {
    expect(dnsAnswers(state, { topology, outage: parseOutage(["us-west-2"]), writableRole: null })[0]).toMatchObject({ region: "us-east-1", health: { PRIMARY: false, SECONDARY: false } });
  });
});

describe("what the workflows read", () => {
  it("today's commit step and deploy guard read the stack output; a Patroni question is the database leader; comments do not count", () => {
    expect(activeRegionSourceOf("f", 'deployed=$(pulumi stack output activeRegionRole --stack "$S")')).toBe("stack output");
    expect(activeRegionSourceOf("g", "npm run -s deploy:guard -- --deployed \"$(jq -r '.activeRegionRole // \"\"' <<< \"$outputs\")\"")).toBe("stack output");
    expect(activeRegionSourceOf("f", "# no longer: pulumi stack output activeRegionRole\ncurl -sk https://db:8008/primary")).toBe("database leader");
    expect(activeRegionSourceOf("g", 'tools/ci/patroni-cluster.sh "$STACK" primary secondary | npm run -s deploy:guard -- --stack "$STACK" --cluster -')).toBe("database leader");
    expect(() => activeRegionSourceOf("f", "echo hi")).toThrow(/f reads the active region neither/);
  });
});

describe("the flip step", () => {
  const component = res("patroni-flip", "crazygary:dr:PatroniFlip", { custom: false });
  const command = (environment: Record<string, string>) => res("patroni-flip-command", "command:local:Command", { parent: urn("patroni-flip"), inputs: { environment } });
  const flipEnvironment = { FLIP_API_URL: "https://db2.example:8008", FLIP_CANDIDATE: "us-west-2", FLIP_REGION_DOWN: "false", FLIP_MAX_LAG_BYTES: "335544320", FLIP_FORCE: "false" };
  it("is the command of a flip component, with its mechanism", () => {
    const found = findFlipStep([component, command(flipEnvironment)]);
    expect(found.rule.mechanism).toBe("patroni");
    expect(found.resource.name).toBe("patroni-flip-command");
  });
  it("refuses a plan without one, and a flip component whose command no longer looks like its mechanism", () => {
    expect(() => findFlipStep([component])).toThrow(/the plan has 0 flip steps/);
    expect(() => findFlipStep([component, command({ NEW_PRIMARY_HOST: "db2.example", OLD_PRIMARY_HOST: "db1.example" })])).toThrow(
      /no longer looks like patroni: its environment lacks FLIP_API_URL, FLIP_CANDIDATE, FLIP_REGION_DOWN, FLIP_MAX_LAG_BYTES, FLIP_FORCE/,
    );
  });
});
