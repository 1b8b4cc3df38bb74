/**
 * The cost report on the real offline plans: every AWS type priced, a flip that changes no
 * total, and a retention change whose S3 cost follows the lifecycle the plan derives from it.
 */
import { describe, expect, it } from "vitest";
import { cents, drShare, type CostReport } from "../domain/cost/report";
import { toPlanJson } from "../tools/offline";
import { sharedCostReport } from "./support/costReports";
import { sharedPlan } from "./support/plans";

const reportOf = sharedCostReport;

const s3StorageOf = (report: CostReport) => report.lines.filter((l) => l.priceId === "s3.storage.standard").reduce((sum, l) => sum + l.monthly, 0);

describe.each(["prod", "dr"])("the cost of stack %s", (stack) => {
  it("prices every AWS type of the plan (none is left unpriced) and gives a total and the standby's share", async () => {
    const report = await reportOf(stack);
    expect(report.notPriced).toEqual([]);
    const awsTypes = new Set(toPlanJson(await sharedPlan(stack)).resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type));
    expect(new Set(report.lines.filter((l) => l.resourceType.startsWith("aws:")).map((l) => l.resourceType))).toEqual(awsTypes);
    expect(report.total).toBeGreaterThan(0);
    expect(drShare(report)).toBeGreaterThan(0);
    expect(drShare(report)).toBeLessThan(report.total);
  });
});

describe("a flip (activeRegion=secondary)", () => {
  it("costs nothing extra: the total is the same to the cent; only usage that follows the active region moves", async () => {
    const before = await reportOf("prod");
    const after = await reportOf("prod", ["activeRegion=secondary"]);
    expect(cents(after.total)).toBe(cents(before.total));
    expect(after.passiveRole).toBe("primary");
    // What moves: the application logs' ingestion and storage, and the DNS queries (each hostname's
    // queries go to the record of the region now active). Nothing else changes price.
    const key = (l: CostReport["lines"][number]) => `${l.resource}|${l.priceId}|${l.region}`;
    const sums = (r: CostReport) => {
      const by = new Map<string, { priceId: string; monthly: number }>();
      for (const l of r.lines) by.set(key(l), { priceId: l.priceId, monthly: (by.get(key(l))?.monthly ?? 0) + l.monthly });
      return by;
    };
    const old = sums(before);
    const changed = [...sums(after)].filter(([k, v]) => cents(old.get(k)?.monthly ?? -1) !== cents(v.monthly)).map(([, v]) => v);
    expect(changed.length).toBeGreaterThan(0);
    expect([...new Set(changed.map((l) => l.priceId))].sort()).toEqual(["cloudwatch.logs.ingestion", "cloudwatch.logs.storage", "route53.queries.standard"]);
    // The queries move from each record to its twin, at the same price.
    const queries = (r: CostReport, role: string) => r.lines.filter((l) => l.priceId.startsWith("route53.queries") && l.owner === role).reduce((s, l) => s + l.monthly, 0);
    expect(cents(queries(after, "secondary"))).toBe(cents(queries(before, "primary")));
  });
});

describe("doubling the full-backup retention (retention.fullDays 30 -> 60)", () => {
  it("raises the S3 storage line by the hand-computed $33.12 a month", async () => {
    const base = await reportOf("prod");
    const doubled = await reportOf("prod", ["retention.fullDays=60"]);
    // The plan's lifecycle: ceil((fullDays x 24 + 24 + 6) / 24) + 1 days for archive/ and backup/:
    // 33 d at 30, 63 d at 60: 30 more days of each day's writes in each of the two buckets.
    // Per bucket: 30 d x (2 GiB WAL + (20 GiB full + 2 GiB incrementals)) = 720 GB x $0.023 = $16.56.
    expect(cents(s3StorageOf(doubled) - s3StorageOf(base))).toBe(33.12);
  });
});
