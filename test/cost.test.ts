/**
 * The cost report's pricing (domain/cost) on a small plan computed by hand, the price table's
 * schema, and an AWS type with no price listed by name instead of dropped.
 */
import { describe, expect, it } from "vitest";
import type { PlannedResource, PricingContext } from "../domain/cost/context";
import { committedPriceTable, unitPrice } from "../domain/cost/priceTable";
import { cents, costReport, drShare } from "../domain/cost/report";
import type { CostSettings } from "../domain/cost/usage";
import { checkedPriceTable, PriceTableError } from "../tools/cost/priceTableSchema";

const stackUrn = "urn:pulumi:t::crazy-gary-dr::pulumi:pulumi:Stack::crazy-gary-dr-t";
const componentUrn = (type: string, name: string) => `urn:pulumi:t::crazy-gary-dr::pulumi:pulumi:Stack$crazygary:dr:${type}::${name}`;
const resource = (type: string, name: string, region: string | null, inputs: Record<string, unknown>, parent = stackUrn): PlannedResource => ({
  urn: `urn:pulumi:t::crazy-gary-dr::${type}::${name}`,
  type,
  name,
  region,
  parent,
  inputs,
});

const dns = componentUrn("FailoverDns", "dns");
const wal = componentUrn("WalArchiveBucket", "wal-primary");
const settings: CostSettings = {
  walGiBPerDay: 1,
  databaseGiB: 10,
  dnsQueriesPerMonth: 2_000_000,
  logGiBPerDay: 0.1,
  hostsOnEc2: false,
  instanceTypes: { database: "m6i.large", witness: "t4g.small" },
  volumeGiB: { database: 100, witness: 8 },
};

/** A plan small enough to price by hand (see the test below for each figure). */
const smallPlan: PlannedResource[] = [
  { urn: stackUrn, type: "pulumi:pulumi:Stack", name: "crazy-gary-dr-t", region: null, parent: null, inputs: {} },
  { ...resource("crazygary:dr:FailoverDns", "dns", null, {}), urn: dns },
  resource("aws:route53/healthCheck:HealthCheck", "dns-api-primary", "us-east-1", { type: "HTTPS", fqdn: "api-use1.example.com", requestInterval: 30, tags: { RegionRole: "primary" } }, dns),
  resource("aws:route53/healthCheck:HealthCheck", "dns-api-primary-routing", "us-east-1", { type: "CALCULATED", childHealthchecks: ["x"], tags: { RegionRole: "primary" } }, dns),
  resource("aws:route53/record:Record", "dns-api-primary", "us-east-1", { type: "CNAME", name: "api.example.com", setIdentifier: "us-east-1", failoverRoutingPolicies: [{ type: "PRIMARY" }] }, dns),
  resource("aws:route53/record:Record", "dns-api-secondary", "us-east-1", { type: "CNAME", name: "api.example.com", setIdentifier: "us-west-2", failoverRoutingPolicies: [{ type: "SECONDARY" }] }, dns),
  { ...resource("crazygary:dr:WalArchiveBucket", "wal-primary", null, {}), urn: wal },
  resource("aws:s3/bucket:Bucket", "wal-primary-bucket", "us-east-1", {}, wal),
  resource(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "wal-primary-lifecycle",
    "us-east-1",
    {
      rules: [
        { status: "Enabled", filter: { prefix: "archive/" }, expiration: { days: 10 } },
        { status: "Enabled", filter: { prefix: "backup/" }, expiration: { days: 10 } },
        { status: "Enabled", filter: { prefix: "" }, noncurrentVersionExpiration: { noncurrentDays: 2 } },
      ],
    },
    wal,
  ),
  resource("aws:kms/key:Key", "wal-primary-key", "us-east-1", {}, wal),
  resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-cpu-secondary", "us-west-2", { period: 60 }),
  resource("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-fast-secondary", "us-west-2", { period: 10 }),
  resource("aws:secretsmanager/secret:Secret", "roles-monitor-secret", "us-east-1", { replicas: [{ region: "us-west-2" }] }),
  resource("aws:ssm/parameter:Parameter", "sync-primary-big", "us-east-1", { tier: "Advanced" }),
  resource("aws:ssm/parameter:Parameter", "sync-primary-small", "us-east-1", {}),
  resource("aws:iam/role:Role", "host-role", "us-east-1", {}),
];

const contextFor = (resources: PlannedResource[], overrides: Partial<PricingContext> = {}): PricingContext => ({
  prices: checkedPriceTable(),
  settings,
  regions: { primary: "us-east-1", secondary: "us-west-2" },
  activeRegion: "primary",
  archiveTimeoutSeconds: 60,
  databaseHosts: [],
  resources,
  ...overrides,
});

describe("the price table (domain/prices/aws.json)", () => {
  it("passes its schema: every price has an AWS pricing page, the day it was read, and says whether it was confirmed", () => {
    const table = checkedPriceTable();
    for (const [id, entry] of Object.entries(table.prices)) {
      expect(entry.source, id).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(entry.read, id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect([entry.confirmed, entry.unconfirmed].filter(Boolean), id).toHaveLength(1);
    }
  });

  it.each([
    ["a price without the day it was read", (t: any) => delete t.prices["kms.key"].read, "prices.kms.key.read"],
    ["a price without a source", (t: any) => (t.prices["kms.key"].source = "somewhere"), "is not an AWS pricing page"],
    ["a price neither confirmed nor unconfirmed", (t: any) => delete t.prices["kms.key"].unconfirmed, "give exactly one of confirmed"],
    ["a regional price missing a region of the table", (t: any) => delete t.prices["s3.storage.standard"].usdByRegion["us-west-1"], "has no price for us-west-1"],
  ])("refuses %s, naming it", (_what, spoil, message) => {
    const table = structuredClone(committedPriceTable);
    spoil(table);
    expect(() => checkedPriceTable(table)).toThrow(PriceTableError);
    expect(() => checkedPriceTable(table)).toThrow(message);
  });

  it("covers the regions the stacks use: prod's, dr's and the witnesses'", () => {
    expect([...committedPriceTable.regions].sort()).toEqual(["us-east-1", "us-east-2", "us-west-1", "us-west-2"]);
  });
});

describe("costReport on a small plan priced by hand", () => {
  const report = costReport("t", contextFor(smallPlan));
  const price = (id: string, region?: string) => unitPrice(committedPriceTable, id, region).usd;

  it("uses the prices this hand computation assumes", () => {
    expect([
      price("route53.healthCheck.nonAws"),
      price("route53.healthCheck.optionalFeature.nonAws"),
      price("route53.healthCheck.calculated"),
      price("route53.queries.standard"),
      price("s3.storage.standard", "us-east-1"),
      price("s3.requests.put", "us-east-1"),
      price("kms.key"),
      price("cloudwatch.alarm.standard"),
      price("cloudwatch.alarm.highResolution"),
      price("secretsmanager.secret"),
      price("secretsmanager.replica"),
      price("ssm.parameter.advanced"),
      price("route53.hostedZone"),
      committedPriceTable.daysPerMonth,
    ]).toEqual([0.75, 2, 0.5, 0.4, 0.023, 0.005, 1, 0.1, 0.3, 0.4, 0.4, 0.05, 0.5, 30.42]);
  });

  it("totals $10.33 a month", () => {
    // HTTPS check on a non-AWS endpoint: 0.75 + 1 feature (HTTPS) x 2.00        = 2.75
    // calculated check                                                         = 0.50
    // queries: 2 million x 0.40 on the active region's record, none on the other = 0.80
    // WAL: 1 GiB a day x (10 d archive/ + 2 d noncurrent) = 12 GB x 0.023       = 0.276
    // backups: (10 + 1) GiB a day x (10 + 2) d = 132 GB x 0.023                 = 3.036
    // PUTs: max(1 x 64, 86400 / 60 = 1440) segments x 30.42 d / 1000 x 0.005    = 0.219024
    // key 1.00; alarms 0.10 (60 s) + 0.30 (10 s); secret 0.40 + replica 0.40;
    // advanced parameter 0.05; standard parameter and IAM role 0; hosted zone 0.50
    expect(report.total).toBeCloseTo(10.331024, 9);
    expect(cents(report.total)).toBe(10.33);
    expect(report.notPriced).toEqual([]);
  });

  it("gives the passive role's share: its alarms and the secret's replica, $0.80", () => {
    expect(report.passiveRole).toBe("secondary");
    expect(cents(report.byOwner.secondary)).toBe(0.8);
    expect(cents(drShare(report))).toBe(0.8);
    expect(cents(report.byOwner.primary + report.byOwner.secondary + report.byOwner.shared)).toBe(10.33);
  });

  it("groups by component and by resource type", () => {
    expect(report.byComponent.map((c) => [c.name, cents(c.monthly)])).toEqual([
      ["WalArchiveBucket wal-primary", 4.53],
      ["FailoverDns dns", 4.05],
      ["(stack)", 1.25],
      ["named in config", 0.5],
    ]);
    expect(report.byType.find((t) => t.name === "aws:route53/healthCheck:HealthCheck")?.monthly).toBeCloseTo(3.25, 9);
  });

  it("marks estimates with what they rest on", () => {
    const walLine = report.lines.find((l) => l.item === "S3 Standard storage: WAL (archive/)")!;
    expect(walLine.quantity).toBe(12);
    expect(walLine.estimate).toBe("cost.walGiBPerDay 1 x (archive/ expiry 10 d + noncurrent versions 2 d) from the plan's lifecycle");
    expect(report.lines.find((l) => l.priceId === "kms.key")?.estimate).toBeUndefined();
  });
});

describe("an AWS type the report has no price for", () => {
  it("is listed as not priced, by type and resource name, and stays out of the total", () => {
    const vpc = resource("aws:ec2/vpc:Vpc", "network-primary", "us-east-1", { cidrBlock: "10.0.0.0/16" });
    const report = costReport("t", contextFor([...smallPlan, vpc]));
    expect(report.notPriced).toEqual([{ type: "aws:ec2/vpc:Vpc", resources: ["network-primary"] }]);
    expect(cents(report.total)).toBe(10.33);
  });

  it("is not confused with the resources of other providers, which are counted apart", () => {
    const command = resource("command:local:Command", "flip", null, {});
    const report = costReport("t", contextFor([...smallPlan, command]));
    expect(report.notPriced).toEqual([]);
    expect(report.notAws).toContainEqual({ type: "command:local:Command", count: 1 });
  });
});

describe("database hosts on EC2", () => {
  it("price each named host's instance and volume in its region, and the witness's when the stack has one", () => {
    const report = costReport("t", contextFor(smallPlan, { settings: { ...settings, hostsOnEc2: true }, regions: { primary: "us-east-1", secondary: "us-west-2", witness: "us-east-2" } }));
    const hosts = report.lines.filter((l) => l.component === "named in config" && l.priceId.startsWith("ec2."));
    expect(hosts.map((l) => [l.resource, l.region, l.owner, cents(l.monthly)])).toEqual([
      ["databases.primary", "us-east-1", "primary", 70.08],
      ["databases.secondary", "us-west-2", "secondary", 70.08],
      ["witness", "us-east-2", "witness", 12.26],
    ]);
    // DR = the standby's share + the witness: 0.80 + 70.08 + 100 GiB x 0.08 + 12.264 + 8 GiB x 0.08
    expect(cents(drShare(report))).toBe(cents(0.8 + 70.08 + 8 + 12.264 + 0.64));
  });
});

describe("Route53 health checks by kind and option", () => {
  const checkCost = (inputs: Record<string, unknown>, databaseHosts: string[] = [], hostsOnEc2 = false) =>
    cents(
      costReport("t", contextFor([resource("aws:route53/healthCheck:HealthCheck", "dns-x-primary", "us-east-1", inputs)], { databaseHosts, settings: { ...settings, hostsOnEc2 } }))
        .lines.filter((l) => l.resourceType === "aws:route53/healthCheck:HealthCheck")
        .reduce((sum, l) => sum + l.monthly, 0),
    );
  it.each([
    ["HTTP, 30 s, non-AWS endpoint: the basic check", { type: "HTTP", fqdn: "web.up.railway.app", requestInterval: 30 }, 0.75],
    ["HTTPS: one optional feature", { type: "HTTPS", fqdn: "web.up.railway.app", requestInterval: 30 }, 0.75 + 2],
    ["HTTPS with string matching: two", { type: "HTTPS_STR_MATCH", fqdn: "web.up.railway.app", requestInterval: 30, searchString: "ok" }, 0.75 + 4],
    ["HTTPS, fast interval, latency: three", { type: "HTTPS", fqdn: "web.up.railway.app", requestInterval: 10, measureLatency: true }, 0.75 + 6],
    ["the same on a load balancer (an AWS endpoint)", { type: "HTTPS", fqdn: "api-1.us-east-1.elb.amazonaws.com", requestInterval: 10, measureLatency: true }, 0.5 + 3],
    ["calculated", { type: "CALCULATED", childHealthchecks: ["a", "b"] }, 0.5],
  ])("%s", (_what, inputs, usd) => {
    expect(checkCost(inputs)).toBe(cents(usd));
  });

  it("counts a check on a database host as an AWS endpoint only when the hosts are EC2 instances of the account (cost.hostsOnEc2)", () => {
    const patroni = { type: "HTTPS", fqdn: "db-use1.example.com", port: 8008, resourcePath: "/primary", requestInterval: 10 };
    expect(checkCost(patroni, ["db-use1.example.com"], true)).toBe(cents(0.5 + 2));
    expect(checkCost(patroni, ["db-use1.example.com"], false)).toBe(cents(0.75 + 4));
  });
});
