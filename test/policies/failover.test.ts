import { describe, expect, it } from "vitest";
import { byName, compliantPlan, violationsOf, type ViolationCase, describeViolationCases } from "./fixtures";

type Plan = ReturnType<typeof compliantPlan>;

const record = (plan: Plan, name: string) => byName(plan, name);

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
    change: "PRIMARY and SECONDARY share one health check",
    mutate: (plan) => {
      const secondary = record(plan, "dns-api-secondary");
      secondary.inputs.healthCheckId = record(plan, "dns-api-primary").inputs.healthCheckId;
      secondary.propertyDependencies = { healthCheckId: [byName(plan, "dns-api-primary-health").urn] };
      return secondary.urn;
    },
    message: /^api.example.test \(CNAME\): PRIMARY and SECONDARY share health check dns-api-primary-health/,
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
    policy: "failover-detection-within-rto",
    change: "TTL of one hour on the api PRIMARY record",
    mutate: (plan) => {
      const r = record(plan, "dns-api-primary");
      r.inputs.ttl = 3600;
      return r.urn;
    },
    message:
      /^failover record api.example.test \(PRIMARY\) fails over in up to 3630 s \(detection 30 s = request interval × failure threshold of dns-api-primary-health, plus TTL 3600 s\), more than the API RTO of 10 min/,
  },
  {
    policy: "failover-detection-within-rto",
    change: "slow health checks against a tightened 2-minute web RTO",
    overrides: { webRtoMinutes: 2 },
    mutate: (plan) => {
      Object.assign(byName(plan, "dns-app-secondary-health").inputs, { requestInterval: 30, failureThreshold: 3 });
      return record(plan, "dns-app-secondary").urn;
    },
    message: /^failover record app.example.test \(SECONDARY\) fails over in up to 150 s \(detection 90 s .* plus TTL 60 s\), more than the web app RTO of 2 min/,
  },
];

describeViolationCases(cases);

describe("failover joins", () => {
  it("finds the health check by its id when the plan has no property dependencies (an older plan file)", async () => {
    const plan = compliantPlan();
    for (const r of plan) r.propertyDependencies = undefined;
    for (const check of plan.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck")) check.inputs.id = `hc-${check.name}`;
    expect(await violationsOf("failover-detection-within-rto", plan)).toEqual([]);
    expect(await violationsOf("failover-record-health-check", plan)).toEqual([]);
  });

  it("counts an alias record's answer as cached for 60 s", async () => {
    const plan = compliantPlan();
    const r = record(plan, "dns-api-primary");
    delete r.inputs.ttl;
    r.inputs.aliases = [{ name: "lb.example.test", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }];
    const violations = await violationsOf("failover-detection-within-rto", plan, { apiRtoMinutes: 1 });
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringContaining("fails over in up to 90 s (detection 30 s"));
  });
});
