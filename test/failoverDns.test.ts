import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { FailoverDns } from "../components/failoverDns";
import {
  cacheSecondsFor,
  endpointPairProblem,
  healthCheckFqdn,
  loadBalancerAliasTtlSeconds,
  recordFqdn,
  recordShape,
  slowestFailover,
  validateEndpointPairs,
  worstCaseDnsFailover,
} from "../domain/failoverRouting";
import { type Endpoint } from "../domain/topology";
import { parseStackConfig, StackConfigError } from "../infra/parseConfig";
import { recoveryObjectives } from "../domain/runbook";
import { evaluate, type CapturedResource, type Plan } from "../tools/offline";
import { sharedPlan } from "./support/plans";
import { loadStackConfig } from "../tools/offline/stackFiles";

const planOf = sharedPlan;

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const records = (plan: Plan) => ofType(plan, "aws:route53/record:Record");
const allChecks = (plan: Plan) => ofType(plan, "aws:route53/healthCheck:HealthCheck");
/** The HTTPS endpoint checks (`/health`; the routing checks are CALCULATED, the leader checks ask `/primary`). */
const healthChecks = (plan: Plan) => allChecks(plan).filter((c) => c.inputs.type === "HTTPS" && c.inputs.resourcePath === "/health");
const leaderChecks = (plan: Plan) => allChecks(plan).filter((c) => c.inputs.resourcePath === "/primary");
const routingChecks = (plan: Plan) => allChecks(plan).filter((c) => c.inputs.type === "CALCULATED");
const failoverType = (record: CapturedResource) => (record.inputs.failoverRoutingPolicies as { type: string }[])[0].type;
/** Where a record sends clients: the CNAME target or the alias's DNS name. */
const recordTarget = (record: CapturedResource) =>
  record.inputs.type === "CNAME" ? (record.inputs.records as string[])[0] : (record.inputs.aliases as { name: string }[])[0].name;
const byName = (resources: CapturedResource[]) => Object.fromEntries(resources.map((r) => [r.name, r]));

const lb: Endpoint = { loadBalancer: { dnsName: "api-use1-1.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" } };
const host: Endpoint = { hostname: "web-use1.up.railway.app" };

describe("failover routing decisions", () => {
  it("a hostname endpoint is a CNAME with the configured TTL", () => {
    expect(recordShape(host, 45)).toEqual({ kind: "cname", type: "CNAME", ttl: 45, records: ["web-use1.up.railway.app"] });
  });

  it("a load balancer is an alias A record with evaluateTargetHealth and no TTL of its own", () => {
    const shape = recordShape(lb, 45);
    expect(shape).toEqual({
      kind: "alias",
      type: "A",
      aliases: [{ name: "api-use1-1.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }],
    });
    expect(shape).not.toHaveProperty("ttl");
  });

  it("health checks probe the regional endpoint itself, never the failover name", () => {
    expect(healthCheckFqdn(host)).toBe("web-use1.up.railway.app");
    expect(healthCheckFqdn(lb)).toBe("api-use1-1.us-east-1.elb.amazonaws.com");
  });

  it("record names are the hostname key under the zone, with or without the zone's trailing dot", () => {
    expect(recordFqdn("api", "crazy-gary.app")).toBe("api.crazy-gary.app");
    expect(recordFqdn("app", "dr.crazy-gary.app.")).toBe("app.dr.crazy-gary.app");
  });

  it("a hostname whose regions mix a load balancer and a hostname is refused, naming the key and the fix", () => {
    expect(endpointPairProblem("api", { primary: lb, secondary: lb })).toBeUndefined();
    expect(endpointPairProblem("app", { primary: host, secondary: host })).toBeUndefined();
    expect(() => validateEndpointPairs({ api: { primary: lb, secondary: host }, app: { primary: host, secondary: host } })).toThrow(
      'endpoints.api.secondary: {"hostname":"web-use1.up.railway.app"} is a hostname endpoint but endpoints.api.primary is a loadBalancer; use the same kind in both regions',
    );
  });

  it("stack config with a mixed pair stops before any resource, naming the key, the value and what is allowed", () => {
    const run = () => parseStackConfig(loadStackConfig("prod", { set: ["endpoints.api.secondary={hostname: api-usw2.crazy-gary.app}"] }));
    expect(run).toThrow(StackConfigError);
    expect(run).toThrow(
      'crazy-gary-dr:endpoints.api.secondary: {"hostname":"api-usw2.crazy-gary.app"} is a hostname endpoint but endpoints.api.primary is a loadBalancer; use the same kind in both regions (both {hostname: ...} for CNAME records, or both {loadBalancer: ...} for alias records)',
    );
  });

  it.each([
    // interval, threshold, shapes' TTLs -> detection, cache, total
    [10, 2, [30], 20, 30, 50],
    [10, 3, [60], 30, 60, 90],
    [30, 3, [60], 90, 60, 150],
    [10, 1, [5], 10, 5, 15],
    [10, 3, [20, 300], 30, 300, 330],
  ])("interval %i s × threshold %i + longest TTL %j: detection %i s, cache %i s, total %i s", (interval, threshold, ttls, detection, cache, total) => {
    const shapes = ttls.map((ttl) => recordShape(host, ttl));
    expect(worstCaseDnsFailover({ requestIntervalSeconds: interval, failureThreshold: threshold }, shapes)).toEqual({
      detectionSeconds: detection,
      cacheSeconds: cache,
      totalSeconds: total,
    });
  });

  it("an alias record is cached for the load balancer's own 60 s TTL, whatever the configured TTL", () => {
    expect(loadBalancerAliasTtlSeconds).toBe(60);
    expect(cacheSecondsFor(recordShape(lb, 5))).toBe(60);
    expect(worstCaseDnsFailover({ requestIntervalSeconds: 10, failureThreshold: 3 }, [recordShape(lb, 5), recordShape(host, 5)]).totalSeconds).toBe(90);
  });

  it("refuses to compute a worst case over no records", () => {
    expect(() => worstCaseDnsFailover({ requestIntervalSeconds: 10, failureThreshold: 3 }, [])).toThrow("no records given");
  });

  it("the slowest hostname decides the stack's one number", () => {
    const timing = { requestIntervalSeconds: 10, failureThreshold: 2 };
    expect(slowestFailover({ api: worstCaseDnsFailover(timing, [recordShape(lb, 30)]), app: worstCaseDnsFailover(timing, [recordShape(host, 30)]) })).toBe(80);
    expect(() => slowestFailover({})).toThrow("no hostnames given");
  });
});

describe.each([
  ["prod", [], { primary: "us-east-1", secondary: "us-west-2" }, "crazy-gary.app"],
  ["dr", [], { primary: "us-east-2", secondary: "us-west-1" }, "dr.crazy-gary.app"],
] as const)("FailoverDns in %s", (stack, set, regions, zone) => {
  it("declares one HTTPS /health check per hostname and region role, protected, on the us-east-1 provider", async () => {
    const plan = await planOf(stack, [...set]);
    const checks = byName(healthChecks(plan));
    expect(Object.keys(checks).sort()).toEqual(["failover-dns-api-primary", "failover-dns-api-secondary", "failover-dns-app-primary", "failover-dns-app-secondary"]);
    for (const check of Object.values(checks)) {
      expect(check.inputs).toMatchObject({
        type: "HTTPS",
        port: 443,
        resourcePath: "/health",
        enableSni: true,
        measureLatency: true,
        requestInterval: 10,
        failureThreshold: 2,
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
      });
      expect(check.options.protect).toBe(true);
      expect(check.region).toBe("us-east-1");
      expect(check.provider).toContain("aws-route53-metrics");
    }
  });

  it("declares per hostname exactly one PRIMARY and one SECONDARY record, set identifiers = region codes", async () => {
    const plan = await planOf(stack, [...set]);
    for (const hostname of ["api", "app"]) {
      const pair = records(plan).filter((r) => r.inputs.name === `${hostname}.${zone}`);
      expect(pair.map(failoverType).sort()).toEqual(["PRIMARY", "SECONDARY"]);
      expect(Object.fromEntries(pair.map((r) => [r.name, [r.inputs.setIdentifier, failoverType(r)]]))).toEqual({
        [`failover-dns-${hostname}-primary`]: [regions.primary, "PRIMARY"],
        [`failover-dns-${hostname}-secondary`]: [regions.secondary, "SECONDARY"],
      });
      expect(pair.map((r) => r.inputs.zoneId)).toEqual(Array(2).fill(stack === "prod" ? "Z0CRAZYGARYPROD1" : "Z0CRAZYGARYDR001"));
    }
    expect(records(plan)).toHaveLength(4);
  });

  it("declares one HTTPS GET /primary check of each region's Patroni REST API, protected, on the us-east-1 provider", async () => {
    const plan = await planOf(stack, [...set]);
    const databases = parseStackConfig(loadStackConfig(stack)).databases;
    expect(Object.fromEntries(leaderChecks(plan).map((c) => [c.name, [c.inputs.fqdn, c.inputs.port, c.inputs.tags]]))).toEqual({
      "failover-dns-database-primary": [databases.primary.pgHost, 8008, expect.objectContaining({ RegionRole: "primary", Purpose: "database-leader" })],
      "failover-dns-database-secondary": [databases.secondary.pgHost, 8008, expect.objectContaining({ RegionRole: "secondary", Purpose: "database-leader" })],
    });
    for (const check of leaderChecks(plan)) {
      expect(check.inputs).toMatchObject({ type: "HTTPS", requestInterval: 10, failureThreshold: 2, regions: ["us-east-1", "us-west-2", "eu-west-1"] });
      expect([check.region, check.options.protect]).toEqual(["us-east-1", true]);
    }
  });

  it("gives every record its region's routing check: CALCULATED over that region's endpoint and leader checks, both required, never disabled or inverted", async () => {
    const plan = await planOf(stack, [...set]);
    const checkById = new Map(allChecks(plan).map((c) => [`hc-${c.name}`, c]));
    for (const record of records(plan)) {
      const routing = checkById.get(record.inputs.healthCheckId as string)!;
      const role = record.name.endsWith("-primary") ? "primary" : "secondary";
      expect(routing.name).toBe(`${record.name}-routing`);
      expect(routing.inputs).toMatchObject({ type: "CALCULATED", childHealthThreshold: 2 });
      expect(routing.inputs).not.toHaveProperty("disabled");
      expect(routing.inputs).not.toHaveProperty("invertHealthcheck");
      expect([routing.region, routing.options.protect]).toEqual(["us-east-1", true]);
      const [endpoint, leader] = (routing.inputs.childHealthchecks as string[]).map((id) => checkById.get(id)!);
      expect([endpoint.name, endpoint.inputs.fqdn]).toEqual([record.name, recordTarget(record)]);
      expect(leader.name).toBe(`failover-dns-database-${role}`);
    }
    expect(routingChecks(plan)).toHaveLength(4);
  });
});

describe("record shapes", () => {
  it("prod's api (load balancers) are alias A records with evaluateTargetHealth and no TTL", async () => {
    const plan = await planOf("prod");
    const api = byName(records(plan))["failover-dns-api-secondary"];
    expect(api.inputs).toMatchObject({
      type: "A",
      aliases: [{ name: "api-usw2-0987654321.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5", evaluateTargetHealth: true }],
    });
    expect(api.inputs).not.toHaveProperty("ttl");
    expect(api.inputs).not.toHaveProperty("records");
  });

  it.each(["prod", "dr"])("%s's app (hostnames) are CNAMEs with the configured 30 s TTL", async (stack) => {
    const plan = await planOf(stack);
    const app = byName(records(plan))["failover-dns-app-primary"];
    expect(app.inputs).toMatchObject({ type: "CNAME", ttl: 30, records: [stack === "prod" ? "web-use1.up.railway.app" : "web-use2.dr.crazy-gary.app"] });
    expect(app.inputs).not.toHaveProperty("aliases");
  });

  it("takes interval, threshold and TTL from config", async () => {
    // prod: dr's shared settings (healthCheck among them) follow prod through environment sync.
    const plan = await planOf("prod", ["healthCheck.requestIntervalSeconds=30", "healthCheck.failureThreshold=3", "healthCheck.ttlSeconds=45"]);
    expect(healthChecks(plan).map((c) => [c.inputs.requestInterval, c.inputs.failureThreshold])).toEqual(Array(4).fill([30, 3]));
    // Only the CNAME records (app) carry a TTL; prod's api records are aliases.
    expect(records(plan).map((r) => [r.name, r.inputs.ttl])).toEqual([
      ["failover-dns-api-primary", undefined],
      ["failover-dns-api-secondary", undefined],
      ["failover-dns-app-primary", 45],
      ["failover-dns-app-secondary", 45],
    ]);
    // The api aliases are cached for the load balancer's 60 s, whatever the TTL.
    expect(plan.outputs.worstCaseDnsFailover).toEqual({
      api: { detectionSeconds: 90, cacheSeconds: 60, totalSeconds: 150 },
      app: { detectionSeconds: 90, cacheSeconds: 45, totalSeconds: 135 },
    });
    expect(plan.outputs.worstCaseDnsFailoverSeconds).toBe(150);
  });

  it("uses the configured zone id: the program makes no invoke (the mock refuses any)", async () => {
    const plan = await planOf("dr", ["dnsZone.id=Z0CONFIGURED123"]);
    expect(records(plan).map((r) => r.inputs.zoneId)).toEqual(Array(4).fill("Z0CONFIGURED123"));
  });

  it("refuses a stack without dnsZone.id, naming the key", () => {
    const loaded = loadStackConfig("prod");
    const run = () => parseStackConfig({ ...loaded, values: { ...loaded.values, dnsZone: { name: "crazy-gary.app" } } });
    expect(run).toThrow(StackConfigError);
    expect(run).toThrow("crazy-gary-dr:dnsZone.id: missing but required; give text matching /^Z[A-Z0-9]{4,32}$/, e.g. Z0123456789ABCDEFGHIJ");
  });
});

describe("ordering and outputs", () => {
  it("no DNS resource waits for the Patroni flip or anything else a flip runs", async () => {
    const plan = await planOf("prod");
    const flipSteps = new Set(plan.resources.filter((r) => r.type.startsWith("command:")).map((r) => r.urn));
    for (const dns of plan.resources.filter((r) => r.type.startsWith("aws:route53/"))) {
      expect((dns.options.dependsOn ?? []).filter((urn: string) => flipSteps.has(urn)), dns.name).toEqual([]);
    }
  });

  it("exports the endpoint, leader and routing check ids and the records' fixed roles", async () => {
    const plan = await planOf("prod");
    expect(plan.outputs.healthCheckIds).toEqual({
      api: { primary: "hc-failover-dns-api-primary", secondary: "hc-failover-dns-api-secondary" },
      app: { primary: "hc-failover-dns-app-primary", secondary: "hc-failover-dns-app-secondary" },
    });
    expect(plan.outputs.routingHealthCheckIds).toEqual({
      api: { primary: "hc-failover-dns-api-primary-routing", secondary: "hc-failover-dns-api-secondary-routing" },
      app: { primary: "hc-failover-dns-app-primary-routing", secondary: "hc-failover-dns-app-secondary-routing" },
    });
    expect(plan.outputs.leaderHealthCheckIds).toEqual({ primary: "hc-failover-dns-database-primary", secondary: "hc-failover-dns-database-secondary" });
    expect((plan.outputs.failoverRecords as Record<string, unknown>).api).toEqual({
      fqdn: "api.crazy-gary.app",
      primary: { setIdentifier: "us-east-1", failoverType: "PRIMARY", healthCheckId: "hc-failover-dns-api-primary", leaderHealthCheckId: "hc-failover-dns-database-primary", routingHealthCheckId: "hc-failover-dns-api-primary-routing" },
      secondary: { setIdentifier: "us-west-2", failoverType: "SECONDARY", healthCheckId: "hc-failover-dns-api-secondary", leaderHealthCheckId: "hc-failover-dns-database-secondary", routingHealthCheckId: "hc-failover-dns-api-secondary-routing" },
    });
  });

  it("declares a worst-case DNS failover of api 10 s × 2 + 60 s = 80 s and app 10 s × 2 + 30 s = 50 s, inside each RTO", async () => {
    const plan = await planOf("prod");
    expect(plan.outputs.worstCaseDnsFailover).toEqual({
      api: { detectionSeconds: 20, cacheSeconds: 60, totalSeconds: 80 },
      app: { detectionSeconds: 20, cacheSeconds: 30, totalSeconds: 50 },
    });
    expect(plan.outputs.worstCaseDnsFailoverSeconds).toBe(80);
    expect(80).toBeLessThanOrEqual(recoveryObjectives.api.rtoMinutes * 60);
    expect(50).toBeLessThanOrEqual(recoveryObjectives.web.rtoMinutes * 60);
  });
});

describe("FailoverDns arguments", () => {
  it("refuses fewer than 3 checker regions, naming the argument and the rule", async () => {
    const declare = () =>
      evaluate(
        async () => {
          new FailoverDns("dns", {
            provider: new aws.Provider("aws", { region: "us-east-1" }),
            zone: { name: "example.net", id: "Z0EXAMPLE1234" },
            endpoints: { api: { primary: host, secondary: host }, app: { primary: host, secondary: host } },
            databaseLeader: { primary: { host: "db-use1.example.net", port: 8008 }, secondary: { host: "db-usw2.example.net", port: 8008 } },
            regions: { primary: "us-east-1", secondary: "us-west-2" },
            healthCheck: { checkerRegions: ["us-east-1", "us-west-2"] },
          });
          return {};
        },
        { stack: "test" },
      );
    await expect(declare()).rejects.toThrow('FailoverDns healthCheck.checkerRegions: ["us-east-1","us-west-2"] has fewer than 3 regions; Route53 needs at least 3');
  });
});

describe("Patroni's REST port admits Route53's health checkers (databases.<role>.restApiIngress)", () => {
  it.each(["prod", "dr"])("%s: one ingress rule per host, from the Route53 health-check prefix list, on patroni.restApiPort, in the host's region", async (stack) => {
    const plan = await planOf(stack);
    const config = parseStackConfig(loadStackConfig(stack));
    const rules = plan.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules.map((r) => [r.name, r.region, r.inputs.securityGroupId, r.inputs.prefixListId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort])).toEqual(
      (["primary", "secondary"] as const).map((role) => [
        `patroni-rest-api-${role}`,
        config.regions[role],
        config.databases[role].restApiIngress!.securityGroupId,
        config.databases[role].restApiIngress!.prefixListId,
        "tcp",
        config.patroni.restApiPort,
        config.patroni.restApiPort,
      ]),
    );
    for (const rule of rules) expect(rule.inputs).not.toHaveProperty("cidrIpv4");
  });

  it("refuses a prefix list id that is not one, naming the key", () => {
    const run = () => parseStackConfig(loadStackConfig("prod", { set: ["databases.primary.restApiIngress.prefixListId=com.amazonaws.us-east-1.route53-healthchecks"] }));
    expect(run).toThrow(StackConfigError);
    expect(run).toThrow('crazy-gary-dr:databases.primary.restApiIngress.prefixListId: "com.amazonaws.us-east-1.route53-healthchecks" is not a prefix list id; use pl- and 8 to 17 hex digits, e.g. pl-0123456789abcdef0');
  });
});
