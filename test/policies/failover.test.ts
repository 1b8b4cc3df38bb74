import { describe, expect, it } from "vitest";
import { byName, compliantPlan, violationsOf, type ViolationCase, describeViolationCases } from "./fixtures";

type Plan = ReturnType<typeof compliantPlan>;

const record = (plan: Plan, name: string) => byName(plan, name);
const routing = (plan: Plan, hostname: string, role: string) => byName(plan, `dns-${hostname}-${role}-routing`);

const cases: ViolationCase[] = [
  {
    policy: "failover-record-health-check",
    change: "the api SECONDARY record loses its health check",
    mutate: (plan) => {
      const r = record(plan, "dns-api-secondary");
      delete r.inputs.healthCheckId;
      r.propertyDependencies = {};
      return r.urn;
    },
    message: /^failover record api.example.test \(SECONDARY, set us-west-2\) has no health check; Route53 would never fail over from it: set healthCheckId/,
  },
  {
    policy: "failover-routing-check",
    change: "the api PRIMARY record uses the HTTPS endpoint check directly (today's design)",
    mutate: (plan) => {
      const r = record(plan, "dns-api-primary");
      r.inputs.healthCheckId = "hc-dns-api-primary-health";
      r.propertyDependencies = { healthCheckId: [byName(plan, "dns-api-primary-health").urn] };
      return r.urn;
    },
    message: /^failover record api.example.test \(PRIMARY, set us-east-1\) uses dns-api-primary-health \(type HTTPS\) as its health check; it needs a CALCULATED routing check/,
  },
  {
    policy: "failover-routing-check",
    change: "the app secondary routing check aggregates the primary region's endpoint",
    mutate: (plan) => {
      const check = routing(plan, "app", "secondary");
      check.inputs.childHealthchecks = ["hc-dns-app-primary-health"];
      check.propertyDependencies = { childHealthchecks: [byName(plan, "dns-app-primary-health").urn] };
      return check.urn;
    },
    message: /^routing check dns-app-secondary-routing of failover record app.example.test \(SECONDARY, set us-west-2\) aggregates dns-app-primary-health \(app-primary.example.test\); it must aggregate the endpoint check of the record's own target app-secondary.example.test/,
  },
  {
    policy: "failover-primary-secondary-pair",
    change: "both app records PRIMARY",
    mutate: (plan) => {
      record(plan, "dns-app-secondary").inputs.failoverRoutingPolicies = [{ type: "PRIMARY" }];
      return record(plan, "dns-app-primary").urn;
    },
    message: /^app.example.test \(CNAME\) has 2 PRIMARY and 0 SECONDARY failover records; it needs exactly one of each/,
  },
  {
    policy: "failover-primary-secondary-pair",
    change: "PRIMARY and SECONDARY share one routing check",
    mutate: (plan) => {
      const secondary = record(plan, "dns-api-secondary");
      secondary.inputs.healthCheckId = record(plan, "dns-api-primary").inputs.healthCheckId;
      secondary.propertyDependencies = { healthCheckId: [routing(plan, "api", "primary").urn] };
      return secondary.urn;
    },
    message: /^api.example.test \(CNAME\): PRIMARY and SECONDARY share health check dns-api-primary-routing/,
  },
  {
    policy: "failover-primary-secondary-pair",
    change: "no failover records at all",
    mutate: (plan) => {
      for (const r of plan.filter((x) => x.type === "aws:route53/record:Record")) plan.splice(plan.indexOf(r), 1);
      return undefined;
    },
    message: /^the stack declares no Route53 failover records/,
  },
  {
    policy: "failover-fixed-roles",
    change: "the flip done the old way: failover types follow activeRegion (secondary record PRIMARY, primary SECONDARY)",
    mutate: (plan) => {
      record(plan, "dns-api-secondary").inputs.failoverRoutingPolicies = [{ type: "PRIMARY" }];
      record(plan, "dns-api-primary").inputs.failoverRoutingPolicies = [{ type: "SECONDARY" }];
      return record(plan, "dns-api-secondary").urn;
    },
    message: /^failover record api.example.test \(PRIMARY, set us-west-2\) points at the secondary region \(health check dns-api-secondary-routing\) but is PRIMARY; the secondary region's record must always be SECONDARY/,
  },
  {
    policy: "failover-fixed-roles",
    change: "a routing check without its RegionRole tag",
    mutate: (plan) => {
      const check = routing(plan, "app", "primary");
      check.inputs.tags = {};
      return check.urn;
    },
    message: /^health check dns-app-primary-routing of failover record app.example.test \(PRIMARY, set us-east-1\) has no RegionRole tag/,
  },
  {
    policy: "failover-routing-follows-leader",
    change: "the api secondary routing check forced unhealthy the old way (disabled + inverted)",
    mutate: (plan) => {
      const check = routing(plan, "api", "secondary");
      Object.assign(check.inputs, { disabled: true, invertHealthcheck: true });
      return check.urn;
    },
    message: /^routing check dns-api-secondary-routing of failover record api.example.test \(SECONDARY, set us-west-2\) is disabled and inverted; DNS must follow the database leader by the checks' status alone/,
  },
  {
    policy: "failover-routing-follows-leader",
    change: "the app primary routing check without its database leader check",
    mutate: (plan) => {
      const check = routing(plan, "app", "primary");
      check.inputs.childHealthchecks = ["hc-dns-app-primary-health"];
      check.inputs.childHealthThreshold = 1;
      check.propertyDependencies = { childHealthchecks: [byName(plan, "dns-app-primary-health").urn] };
      return check.urn;
    },
    message: /^routing check dns-app-primary-routing of failover record app.example.test \(PRIMARY, set us-east-1\) aggregates no database leader check; it needs exactly one: its own region's HTTPS \/primary check of Patroni/,
  },
  {
    policy: "failover-routing-follows-leader",
    change: "the app secondary routing check follows the primary region's database",
    mutate: (plan) => {
      const check = routing(plan, "app", "secondary");
      check.inputs.childHealthchecks = ["hc-dns-app-secondary-health", "hc-dns-database-primary"];
      check.propertyDependencies = { childHealthchecks: [byName(plan, "dns-app-secondary-health").urn, byName(plan, "dns-database-primary").urn] };
      return check.urn;
    },
    message: /^routing check dns-app-secondary-routing of .* aggregates dns-database-primary \(primary\); it needs exactly one: its own region's/,
  },
  {
    policy: "failover-routing-follows-leader",
    change: "a routing check healthy with one of its two children",
    mutate: (plan) => {
      const check = routing(plan, "api", "primary");
      check.inputs.childHealthThreshold = 1;
      return check.urn;
    },
    message: /^routing check dns-api-primary-routing of .* is healthy with 1 of its 2 children; set childHealthThreshold to 2: the region's endpoint AND its database leader must both be healthy/,
  },
  {
    policy: "failover-detection-within-rto",
    change: "TTL of one hour on the api PRIMARY record",
    mutate: (plan) => {
      const r = record(plan, "dns-api-primary");
      r.inputs.ttl = 3600;
      return r.urn;
    },
    message:
      /^failover record api.example.test \(PRIMARY, set us-east-1\) fails over in up to 3620 s \(detection 20 s = request interval × failure threshold of dns-api-primary-health, dns-database-primary, plus TTL 3600 s\), more than the API RTO of 10 min/,
  },
  {
    policy: "failover-detection-within-rto",
    change: "slow endpoint checks (behind the routing check) against a tightened 2-minute web RTO",
    overrides: { webRtoMinutes: 2 },
    mutate: (plan) => {
      Object.assign(byName(plan, "dns-app-secondary-health").inputs, { requestInterval: 30, failureThreshold: 4 });
      return record(plan, "dns-app-secondary").urn;
    },
    message: /^failover record app.example.test \(SECONDARY, set us-west-2\) fails over in up to 150 s \(detection 120 s .* plus TTL 30 s\), more than the web app RTO of 2 min/,
  },
];

describeViolationCases(cases);

describe("failover joins", () => {
  it("finds the routing and endpoint checks by their ids when the plan has no property dependencies (an older plan file)", async () => {
    const plan = compliantPlan();
    for (const r of plan) r.propertyDependencies = undefined;
    for (const check of plan.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck")) check.inputs.id = `hc-${check.name}`;
    for (const policy of ["failover-detection-within-rto", "failover-record-health-check", "failover-routing-check", "failover-fixed-roles", "failover-routing-follows-leader"]) {
      expect(await violationsOf(policy, plan), policy).toEqual([]);
    }
    Object.assign(byName(plan, "dns-api-primary-health").inputs, { requestInterval: 30, failureThreshold: 10 });
    expect((await violationsOf("failover-detection-within-rto", plan, { apiRtoMinutes: 5 })).map((v) => v.message)).toEqual([
      expect.stringContaining("fails over in up to 330 s (detection 300 s"),
    ]);
  });

  it("counts an alias record's answer as cached for 60 s", async () => {
    const plan = compliantPlan();
    const r = record(plan, "dns-api-primary");
    delete r.inputs.ttl;
    r.inputs.aliases = [{ name: "api-primary.example.test", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }];
    const violations = await violationsOf("failover-detection-within-rto", plan, { apiRtoMinutes: 1 });
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringContaining("fails over in up to 80 s (detection 20 s"));
  });

  it("reads the worst case from the routing check's slowest child: a slow leader check counts", async () => {
    const plan = compliantPlan();
    Object.assign(byName(plan, "dns-database-secondary").inputs, { requestInterval: 30, failureThreshold: 3 });
    const violations = await violationsOf("failover-detection-within-rto", plan, { webRtoMinutes: 1 });
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringMatching(/^failover record app.example.test \(SECONDARY, set us-west-2\) fails over in up to 120 s \(detection 90 s = request interval × failure threshold of dns-app-secondary-health, dns-database-secondary, plus TTL 30 s\)/));
  });
});
