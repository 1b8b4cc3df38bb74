/**
 * The Route53 rules the leader-following failover relies on (domain/routingHealth.ts and
 * domain/healthCheckers.ts cite each): a routing check is healthy only while its region's endpoint
 * and its region's Patroni `GET /primary` both are; a failover name answers PRIMARY unless it is
 * unhealthy and SECONDARY healthy, both unhealthy answers PRIMARY; the 18 % checker rule and the
 * status-change bound the DNS budgets are built on.
 */
import { describe, expect, it } from "vitest";
import { aggregateHealthy, checkerVerdict, healthyCheckerShare, statusChangeBoundSeconds } from "../domain/healthCheckers";
import { answeringRole, calculatedHealthy, failoverAnswer, failoverTypeOf, routingCheckHealthy, routingChildHealthThreshold, type RegionHealth, type RegionRole } from "../domain/routingHealth";

const roles: RegionRole[] = ["primary", "secondary"];
const up = (databaseLeader: boolean): RegionHealth => ({ endpoint: true, databaseLeader });

describe("record roles never follow activeRegion", () => {
  it("the primary region's record is PRIMARY and the secondary's SECONDARY", () => {
    expect(roles.map(failoverTypeOf)).toEqual(["PRIMARY", "SECONDARY"]);
  });

  it("refuses anything but a region role, naming the argument and what is allowed", () => {
    expect(() => failoverTypeOf("tertiary" as RegionRole)).toThrow('role: "tertiary" is not a region role; use primary or secondary');
  });
});

describe("routing check status", () => {
  it("requires both children: the endpoint and the database leader", () => {
    expect(routingChildHealthThreshold).toBe(2);
    expect(
      [
        [true, true],
        [true, false],
        [false, true],
        [false, false],
      ].map(([endpoint, databaseLeader]) => routingCheckHealthy({ endpoint, databaseLeader })),
    ).toEqual([true, false, false, false]);
  });

  it.each([
    // children, threshold -> healthy (HealthCheckConfig HealthThreshold)
    [[true, false], 1, true],
    [[true, false], 2, false],
    [[true, true], 2, true],
    [[false, false], 0, true],
    [[true, true], 3, false],
  ])("a CALCULATED check over %j with threshold %i is healthy=%s", (children, threshold, healthy) => {
    expect(calculatedHealthy(children, threshold)).toBe(healthy);
  });
});

describe("Route53's failover answer", () => {
  it.each([
    [true, true, "PRIMARY"],
    [true, false, "PRIMARY"],
    [false, true, "SECONDARY"],
    // "If both primary and secondary are unhealthy, Route 53 returns the primary."
    [false, false, "PRIMARY"],
  ] as const)("PRIMARY healthy=%s, SECONDARY healthy=%s: answers %s", (primary, secondary, answer) => {
    expect(failoverAnswer({ PRIMARY: primary, SECONDARY: secondary })).toBe(answer);
  });

  it.each(roles)("DNS answers the region whose database is the leader (%s), whatever activeRegion says", (leader) => {
    const regions = { primary: up(leader === "primary"), secondary: up(leader === "secondary") };
    expect(answeringRole(regions)).toBe(leader);
  });

  it("with no writable primary anywhere, both routing checks fail and Route53 answers the primary record", () => {
    expect(answeringRole({ primary: up(false), secondary: up(false) })).toBe("primary");
  });

  it("the leader's region with its endpoint down: both unhealthy, the primary record answers", () => {
    expect(answeringRole({ primary: up(false), secondary: { endpoint: false, databaseLeader: true } })).toBe("primary");
  });
});

describe("Route53's checkers (the 18 % rule) and the status-change bound", () => {
  it("is healthy only when more than 18 % of the checkers say so", () => {
    expect(healthyCheckerShare).toBe(0.18);
    const verdicts = (healthy: number, of: number) => Array.from({ length: of }, (_, i) => i < healthy);
    expect(aggregateHealthy(verdicts(2, 16))).toBe(false); // 12.5 %
    expect(aggregateHealthy(verdicts(3, 16))).toBe(true); // 18.75 %
    expect(aggregateHealthy(verdicts(9, 50))).toBe(false); // exactly 18 %
    expect(() => aggregateHealthy([])).toThrow("no checker verdicts given");
  });

  it("a checker turns only after failure-threshold consecutive results the other way", () => {
    expect(checkerVerdict(true, [false], 2)).toBe(true);
    expect(checkerVerdict(true, [false, true, false], 2)).toBe(true);
    expect(checkerVerdict(true, [false, false], 2)).toBe(false);
    expect(checkerVerdict(false, [true, true, true], 3)).toBe(true);
  });

  /**
   * Checkers that do not coordinate: each checks every interval at its own phase. After the
   * endpoint changes at time 0, the aggregated status must have changed by interval × threshold,
   * whatever the phases and whichever way the change went.
   */
  it.each([
    [10, 2],
    [10, 3],
    [30, 3],
    [10, 1],
  ])("with interval %i s and threshold %i, every phase layout changes status within interval × threshold", (interval, threshold) => {
    const bound = statusChangeBoundSeconds({ requestIntervalSeconds: interval, failureThreshold: threshold });
    expect(bound).toBe(interval * threshold);
    const checkers = 16;
    for (let layout = 0; layout < 50; layout++) {
      // Deterministic spread of phases in [0, interval), different per layout.
      const phases = Array.from({ length: checkers }, (_, i) => ((i * 7919 + layout * 104729) % (interval * 1000)) / 1000);
      for (const becomesHealthy of [true, false]) {
        const statusAt = (t: number) =>
          aggregateHealthy(
            phases.map((phase) => {
              const checksSinceChange = Math.max(0, Math.floor((t - phase) / interval) + 1);
              return checkerVerdict(!becomesHealthy, Array(checksSinceChange).fill(becomesHealthy), threshold);
            }),
          );
        expect(statusAt(bound), `layout ${layout}`).toBe(becomesHealthy);
      }
    }
  });
});
