/**
 * Route 53's rules for failover record sets (domain/route53Rules.ts), and the walk through every
 * state a zone passes while the engine applies DNS changes (domain/route53Walk.ts), on two model
 * flips that change DNS: swapping the records' failover types is refused in both directions;
 * keeping the records' roles and toggling routing health checks passes in both. (Today's flip
 * changes no Route 53 resource at all, the routing checks follow Patroni's `GET /primary`:
 * test/flipPreview.test.ts walks it.)
 */
import { describe, expect, it } from "vitest";
import { isHealthy, validateZoneState, type HealthCheckModel, type RecordModel, type ZoneState } from "../domain/route53Rules";
import { walkDnsChanges, type DnsChange, type DnsObject } from "../domain/route53Walk";
import { diffPlans, type DiffableResource } from "../domain/planDiff";
import { dnsChangesOf, healthCheckType, recordType } from "../domain/route53Plan";

const rec = (key: string, setIdentifier: string, failover: "PRIMARY" | "SECONDARY" | undefined, extra: Partial<RecordModel> = {}): RecordModel => ({
  key,
  zoneId: "Z1",
  name: "api.example.test",
  type: "A",
  setIdentifier,
  ...(failover ? { failover } : {}),
  healthCheck: `hc-${setIdentifier}`,
  alias: { evaluateTargetHealth: true },
  ...extra,
});
const hc = (key: string, extra: Partial<HealthCheckModel> = {}): HealthCheckModel => ({ key, type: "HTTPS", disabled: false, inverted: false, children: [], ...extra });
const checks = [hc("hc-east"), hc("hc-west")];
const zone = (records: RecordModel[], healthChecks = checks): ZoneState => ({ records, healthChecks });
const pair = [rec("r-east", "east", "PRIMARY"), rec("r-west", "west", "SECONDARY")];

describe("validateZoneState", () => {
  it.each([
    ["a failover pair", zone(pair), []],
    ["two PRIMARY records", zone([rec("r-east", "east", "PRIMARY"), rec("r-west", "west", "PRIMARY")]), [["one-primary-one-secondary", "2 PRIMARY records for api.example.test A: east, west"]]],
    ["two SECONDARY records", zone([rec("r-east", "east", "SECONDARY"), rec("r-west", "west", "SECONDARY")]), [["one-primary-one-secondary", "2 SECONDARY records for api.example.test A: east, west"]]],
    ["the same set identifier twice", zone([rec("r-east", "east", "PRIMARY"), rec("r-east2", "east", "SECONDARY")]), [["unique-set-identifier", "2 record sets api.example.test A (east) with the same name, type and set identifier"]]],
    ["a failover record without a set identifier", zone([{ ...rec("r", "east", "PRIMARY"), setIdentifier: undefined }]), [["failover-needs-set-identifier", "failover record api.example.test A has no set identifier"]]],
    ["a simple record beside a failover pair", zone([...pair, rec("r-simple", "", undefined, { setIdentifier: undefined, healthCheck: undefined })]), [["no-mixed-routing", "api.example.test A mixes failover and non-failover record sets"]]],
    ["a failover alias not evaluating target health", zone([rec("r-east", "east", "PRIMARY", { alias: { evaluateTargetHealth: false } })]), [["failover-alias-evaluates-target-health", "failover alias api.example.test A (east) does not evaluate target health"]]],
    ["a CNAME beside an A record", zone([rec("r-east", "east", "PRIMARY", { type: "CNAME", alias: undefined }), rec("r-a", "a", undefined, { setIdentifier: undefined, healthCheck: undefined })]), [["cname-alone", "api.example.test has a CNAME beside A records"]]],
    ["a record naming a missing health check", zone(pair, [hc("hc-east")]), [["health-check-exists", "api.example.test A (west) names health check hc-west, which does not exist"]]],
    ["a non-alias PRIMARY without a health check", zone([rec("r-east", "east", "PRIMARY", { alias: undefined, healthCheck: undefined })]), [["primary-can-fail-over", "non-alias PRIMARY api.example.test A (east) has no health check: it never fails over"]]],
  ] as const)("%s", (_what, state, expected) => {
    expect(validateZoneState(state).map((v) => [v.rule, v.message])).toEqual(expected);
  });

  it("treats a disabled check as healthy and a disabled, inverted one as unhealthy", () => {
    const state = zone([], [hc("e", { disabled: true }), hc("f", { disabled: true, inverted: true }), hc("calc", { type: "CALCULATED", children: ["e", "g"], childHealthThreshold: 1 }), hc("g")]);
    const down = () => false;
    expect(state.healthChecks.map((h) => [h.key, isHealthy(h, state, down)])).toEqual([
      ["e", true],
      ["f", false],
      ["calc", true],
      ["g", false],
    ]);
  });
});

const object = (record: RecordModel): DnsObject => ({ kind: "record", record });
const check = (healthCheck: HealthCheckModel): DnsObject => ({ kind: "healthCheck", healthCheck });
const initialOf = (objects: DnsObject[]) => new Map(objects.map((o) => [o.kind === "record" ? o.record.key : o.healthCheck.key, o]));

/** A flip that swaps the records' failover types, the one becoming PRIMARY written last. */
function recordSwap(toRole: "east" | "west"): { initial: Map<string, DnsObject>; changes: DnsChange[] } {
  const eastPrimary = toRole === "west";
  const before = { east: eastPrimary ? "PRIMARY" : "SECONDARY", west: eastPrimary ? "SECONDARY" : "PRIMARY" } as const;
  const after = { east: before.west, west: before.east };
  const [becomesPrimary, becomesSecondary] = toRole === "east" ? ["east", "west"] : ["west", "east"];
  const initial = initialOf([...checks.map(check), object(rec("r-east", "east", before.east)), object(rec("r-west", "west", before.west))]);
  const changes: DnsChange[] = (["east", "west"] as const).map((region) => ({
    key: `r-${region}`,
    op: "update",
    before: object(rec(`r-${region}`, region, before[region])),
    after: object(rec(`r-${region}`, region, after[region])),
    dependsOn: region === becomesPrimary ? [`r-${becomesSecondary}`] : [],
  }));
  return { initial, changes };
}

/**
 * A fixed-role flip: records keep PRIMARY (east) and SECONDARY (west) and name a calculated
 * routing check per region; the flip makes the newly passive region's routing check disabled and
 * inverted (always unhealthy) and the newly active region's a plain aggregate of its endpoint check.
 */
function routingFlip(toRole: "east" | "west"): { initial: Map<string, DnsObject>; changes: DnsChange[] } {
  const routing = (region: "east" | "west", forcedDown: boolean) => hc(`routing-${region}`, { type: "CALCULATED", children: [`hc-${region}`], childHealthThreshold: 1, disabled: forcedDown, inverted: forcedDown });
  const passiveBefore = toRole === "west" ? "west" : "east";
  const records = [rec("r-east", "east", "PRIMARY", { healthCheck: "routing-east" }), rec("r-west", "west", "SECONDARY", { healthCheck: "routing-west" })];
  const initial = initialOf([...checks.map(check), check(routing("east", passiveBefore === "east")), check(routing("west", passiveBefore === "west")), ...records.map(object)]);
  const changes: DnsChange[] = (["east", "west"] as const).map((region) => ({
    key: `routing-${region}`,
    op: "update",
    before: check(routing(region, passiveBefore === region)),
    after: check(routing(region, passiveBefore !== region)),
    dependsOn: [],
  }));
  return { initial, changes };
}

describe("walkDnsChanges", () => {
  it.each(["west", "east"] as const)("refuses a record swap towards %s: the first update leaves two records of one failover type", (toRole) => {
    const { initial, changes } = recordSwap(toRole);
    const result = walkDnsChanges(initial, changes);
    const firstWritten = toRole === "west" ? "r-east" : "r-west";
    expect(result.statesChecked).toBe(3);
    expect(result.violations).toEqual([{ rule: "one-primary-one-secondary", message: `2 SECONDARY records for api.example.test A: east, west`, afterSteps: [`update ${firstWritten}`] }]);
  });

  it("refuses the swap in any order when the records do not wait for each other", () => {
    const { initial, changes } = recordSwap("west");
    const result = walkDnsChanges(initial, changes.map((c) => ({ ...c, dependsOn: [] })));
    expect(result.statesChecked).toBe(4);
    expect(result.violations.map((v) => v.message).sort()).toEqual(["2 PRIMARY records for api.example.test A: east, west", "2 SECONDARY records for api.example.test A: east, west"]);
  });

  it.each(["west", "east"] as const)("accepts the fixed-role flip towards %s in every order: only routing checks change", (toRole) => {
    const { initial, changes } = routingFlip(toRole);
    const result = walkDnsChanges(initial, changes);
    expect(result.steps).toEqual(["update routing-east", "update routing-west"]);
    expect(result.statesChecked).toBe(4);
    expect(result.violations).toEqual([]);
  });

  it("refuses replacing a record in place: the new copy exists beside the old one until the end", () => {
    const old = rec("r-east", "east", "PRIMARY");
    const initial = initialOf([...checks.map(check), object(old), object(rec("r-west", "west", "SECONDARY"))]);
    const result = walkDnsChanges(initial, [{ key: "r-east", op: "replace", before: object(old), after: object({ ...old, type: "A" }), dependsOn: [] }]);
    expect(result.steps).toEqual(["create-replacement r-east", "delete-replaced r-east"]);
    expect(result.violations.map((v) => v.rule)).toEqual(["one-primary-one-secondary", "unique-set-identifier"]);
  });

  it("refuses deleting a health check a record still names", () => {
    const initial = initialOf([...checks.map(check), ...pair.map(object)]);
    const result = walkDnsChanges(initial, [{ key: "hc-west", op: "delete", before: check(hc("hc-west")), dependsOn: [] }]);
    expect(result.violations).toEqual([{ rule: "health-check-exists", message: "api.example.test A (west) names health check hc-west, which does not exist", afterSteps: ["delete hc-west"] }]);
  });

  it("stops on steps that wait for each other in a cycle", () => {
    const { initial, changes } = recordSwap("west");
    expect(() => walkDnsChanges(initial, changes.map((c) => ({ ...c, dependsOn: [c.key === "r-east" ? "r-west" : "r-east"] })))).toThrow("the steps wait for each other in a cycle");
  });
});

describe("dnsChangesOf: the fixed-role flip as two plans", () => {
  const stack = "urn:pulumi:prod::crazy-gary-dr::crazygary:dr:FailoverDns$";
  const awsEast = { urn: "urn:pulumi:prod::crazy-gary-dr::pulumi:providers:aws::aws-route53", type: "pulumi:providers:aws", name: "aws-route53", custom: true, provider: null, inputs: { region: "us-east-1" }, options: { dependsOn: [] } };
  const res = (type: string, name: string, inputs: Record<string, unknown>, propertyDependencies: Record<string, string[]> = {}, dependsOn: string[] = []): DiffableResource => ({
    urn: `${stack}${type}::${name}`,
    type,
    name,
    custom: true,
    provider: `${awsEast.urn}::id`,
    inputs,
    options: { dependsOn },
    propertyDependencies,
  });
  const endpoint = (region: string) => res(healthCheckType, `api-${region}`, { type: "HTTPS", fqdn: `api-${region}.example.test`, requestInterval: 10 });
  const routing = (region: string, forcedDown: boolean) =>
    res(healthCheckType, `routing-${region}`, { type: "CALCULATED", childHealthThreshold: 1, childHealthchecks: [`hc-api-${region}`], ...(forcedDown ? { disabled: true, invertHealthcheck: true } : {}) }, { childHealthchecks: [endpoint(region).urn] });
  // The flip's command, which the routing checks wait for (a change, but not a DNS one).
  const flipCommand = res("command:local:Command", "flip-command", { triggers: ["primary"] });
  const record = (region: string, failover: string) =>
    res(recordType, `api-${region}`, { zoneId: "Z1", name: "api.example.test", type: "A", setIdentifier: region, failoverRoutingPolicies: [{ type: failover }], aliases: [{ name: `lb-${region}`, zoneId: "Z2", evaluateTargetHealth: true }], healthCheckId: `hc-routing-${region}` }, { healthCheckId: [routing(region, false).urn] });
  const planWithActive = (active: "east" | "west") => [
    awsEast,
    endpoint("east"),
    endpoint("west"),
    { ...routing("east", active !== "east"), options: { dependsOn: [flipCommand.urn] } },
    { ...routing("west", active !== "west"), options: { dependsOn: [flipCommand.urn] } },
    { ...flipCommand, inputs: { triggers: [active] } },
    record("east", "PRIMARY"),
    record("west", "SECONDARY"),
  ];

  it.each([
    ["east", "west"],
    ["west", "east"],
  ] as const)("flipping %s -> %s updates only the two routing checks, after the flip's command, and Route 53 accepts every state", (from, to) => {
    const [before, after] = [planWithActive(from), planWithActive(to)];
    const diff = diffPlans(before, after);
    expect(diff.operations.map((o) => [o.op, o.name, o.properties])).toEqual([
      ["replace", "flip-command", ["triggers"]],
      ["update", "routing-east", ["disabled", "invertHealthcheck"]],
      ["update", "routing-west", ["disabled", "invertHealthcheck"]],
    ]);
    const { initial, changes } = dnsChangesOf(before, after, diff);
    expect(initial.size).toBe(6);
    expect(changes.map((c) => [c.op, c.key.split("::").pop(), c.dependsOn])).toEqual([
      ["update", "routing-east", []],
      ["update", "routing-west", []],
    ]);
    const walk = walkDnsChanges(initial, changes);
    expect([walk.statesChecked, walk.violations]).toEqual([4, []]);
    const state = initial.get(`${stack}${recordType}::api-east`);
    expect(state).toEqual({ kind: "record", record: { key: `${stack}${recordType}::api-east`, zoneId: "Z1", name: "api.example.test", type: "A", setIdentifier: "east", failover: "PRIMARY", healthCheck: routing("east", false).urn, alias: { evaluateTargetHealth: true } } });
  });
});
