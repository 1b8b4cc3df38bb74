/**
 * The readiness report's decisions, on plain values: each verdict, the budgets built from what
 * a stack declares and what was measured, the drills dated against a fixed clock, and the
 * comparison with a base report.
 */
import { describe, expect, it } from "vitest";
import { atRiskShare, exitCodeOf, verdictOf, worsenedSince, type Measurement, type Measurements } from "../domain/readiness";
import { readinessRows, type DeclaredRecovery } from "../domain/readinessRows";
import { recoveryObjectives } from "../domain/runbook";
import { allowedDrillAgeDays, cronFor, drills } from "../domain/testingSchedule";

describe.each([
  // value, limit, direction, missing, band, verdict, margin
  [100, 600, "atMost", [], true, "met", 500],
  [590, 600, "atMost", [], true, "at risk", 10],
  [600, 600, "atMost", [], false, "met", 0],
  [601, 600, "atMost", [], true, "not met", -1],
  [100, 600, "atMost", ["switchover"], true, "not measured", null],
  [null, 600, "atMost", ["switchover"], true, "not measured", null],
  [null, 600, "atMost", [], true, "not met", null],
  [30, 30, "atLeast", [], false, "met", 0],
  [29, 30, "atLeast", [], false, "not met", -1],
] as const)("verdictOf(%s against %s, %s, missing %j, band %s)", (value, limit, direction, missing, atRiskBand, verdict, margin) => {
  it(`is ${verdict} with margin ${margin}`, () => {
    expect(verdictOf({ value, limit, direction, missing, atRiskBand })).toEqual({ verdict, margin });
  });
});

const measurement = (seconds: number, extra: Partial<Measurement> = {}): Measurement => ({
  seconds, measuredBy: "npm run bench", where: "loopback", when: "2026-12-01T20:00:00.000Z", machine: "2 cores", detail: "fixture", ...extra,
});

const declared: DeclaredRecovery = {
  stack: "prod",
  failover: [
    { hostname: "api", records: ["failover-dns-api-primary", "failover-dns-api-secondary"], healthChecks: ["hc-api-p", "hc-api-s"], requestIntervalSeconds: 10, failureThreshold: 3, cacheSeconds: 60, totalSeconds: 90 },
    { hostname: "app", records: ["failover-dns-app-primary"], healthChecks: ["hc-app-p"], requestIntervalSeconds: 30, failureThreshold: 10, cacheSeconds: 300, totalSeconds: 600 },
  ],
  flip: ["patroni-flip-command"],
  flipPath: { regionDown: false, lockWaitSeconds: 40 },
  databaseHosts: ["database-host-primary", "database-host-secondary"],
  archiveTimeoutSeconds: 60,
  replicationLagAlarms: { names: ["lag-primary"], maxThresholdSeconds: 300 },
  backups: { timers: ["crazy-gary-backup-full.timer"], fullGapHours: 24, anyGapHours: 6 },
  restoreTest: { timers: ["crazy-gary-restore-test.timer"], monthsBetweenRuns: 1 },
  retention: { fullDays: 30, incrementalDays: 7, walHours: 48, pitrHours: 24 },
  lifecycle: { resources: ["lifecycle"], archiveDays: 33, backupDays: 33 },
  logGroups: { names: ["/crazy-gary/prod/api"], minRetentionDays: 90 },
  drillSchedules: {
    "quarterly-dr-simulation": { source: "drills.yml", crons: [cronFor(drills["quarterly-dr-simulation"])], monthsBetweenRuns: 3 },
    "semi-annual-failover-test": { source: "drills.yml", crons: ["0 6 15 2 *"], monthsBetweenRuns: 12 },
    "annual-bc-test": { source: "drills.yml", crons: [cronFor(drills["annual-bc-test"])], monthsBetweenRuns: 12 },
  },
};

const now = new Date("2026-12-01T21:00:00.000Z");
const measured: Measurements = {
  figures: {
    promotionSeconds: measurement(4.5),
    failoverSeconds: measurement(3.25),
    restoreSeconds: measurement(20, { databaseBytes: 2 ** 30 }),
    walPushSeconds: measurement(2),
    rpoLossWindowSeconds: measurement(61),
  },
  drills: {
    "quarterly-dr-simulation": { when: "2026-11-15T06:30:00.000Z", outcome: "passed", stack: "dr", where: "https://example.com/run/1" },
    "annual-bc-test": { when: "2025-03-15T06:30:00.000Z", outcome: "passed", stack: "dr", where: "https://example.com/run/2" },
  },
};
const byId = (rows: ReturnType<typeof readinessRows>) => Object.fromEntries(rows.map((r) => [r.id, r]));

describe("readinessRows", () => {
  const rows = byId(readinessRows(declared, measured, now));

  it("has one row per runbook objective, in runbook order", () => {
    const components = Object.keys(recoveryObjectives);
    const withRpo = components.filter((id) => recoveryObjectives[id as keyof typeof recoveryObjectives].rpoMinutes !== null);
    expect(Object.keys(rows)).toEqual([
      "rto-database", "rto-database-restore", ...components.filter((c) => c !== "database").map((c) => `rto-${c}`),
      "rpo-database", "rpo-database-lag-alarm", "rpo-database-measured", ...withRpo.filter((c) => c !== "database").map((c) => `rpo-${c}`),
      "backup-full-cadence", "backup-incremental-cadence", "retention-full", "retention-incremental", "retention-wal", "pitr-window", "retention-logs",
      "test-monthly-restore", "drill-quarterly-dr-simulation", "drill-semi-annual-failover-test", "drill-annual-bc-test",
      "drill-measured-failover", "drill-measured-data-lost",
    ]);
  });

  it("adds DNS failover (interval × threshold + cache) and the measured switchover for the API, with its provenance", () => {
    const api = rows["rto-api"];
    expect(api).toMatchObject({ value: 94.5, limit: 600, margin: 505.5, verdict: "met", budget: "DNS 10 s × 3 + 60 s cache + switchover 4.5 s (measured) = 94.5 s" });
    expect(api.mechanism).toContain("failover-dns-api-primary, failover-dns-api-secondary");
    expect(api.measured).toEqual([{ figure: "switchover", measurement: measured.figures.promotionSeconds }]);
    expect(rows["rto-auth"].value).toBe(94.5);
    expect(rows["rto-web"]).toMatchObject({ value: 600, limit: 1800, verdict: "met" });
  });

  it("puts the database RPO at archive_timeout + measured WAL push, and states the largest database restorable within the RTO", () => {
    expect(rows["rpo-database"]).toMatchObject({ value: 62, limit: 300, margin: 238, verdict: "met" });
    expect(rows["rpo-database-measured"]).toMatchObject({ value: 61, verdict: "met" });
    expect(rows["rpo-database-lag-alarm"]).toMatchObject({ value: 300, margin: 0, verdict: "met" });
    // One size measured: 1 GiB in 20 s is 51.2 MiB/s with no fixed part; over the 900 s RTO that is 45 GiB.
    expect(rows["rto-database-restore"].budget).toBe(
      "restore of 1.0 GiB 20 s (measured) = 20 s; no database size declared (readiness --database-size); " +
        "largest database within the RTO 45.0 GiB (from 1.0 GiB in 20 s at the slowest measured 51 MiB/s and no fixed part (one size measured))",
    );
  });

  describe("the restore row, from restores measured at two sizes", () => {
    const sized = (restore: Measurement): Measurements => ({ ...measured, figures: { ...measured.figures, restoreSeconds: restore } });
    const size = (gib: number, seconds: number) => ({ databaseBytes: gib * 2 ** 30, seconds, walBytes: 80 * 2 ** 20, runsSeconds: [seconds], loadAverages: [9.5] });
    // 1 GiB in 10 s and 4 GiB in 25 s: 5 s fixed + size / 204.8 MiB/s; (900 - 5) × 204.8 MiB = 179 GiB.
    const twoSizes = sized(measurement(10, { databaseBytes: 2 ** 30, sizes: [size(1, 10), size(4, 25)] }));

    it("judges the largest measured restore when no database size is declared, and states the largest database within the RTO with the line it came from", () => {
      const row = byId(readinessRows(declared, twoSizes, now))["rto-database-restore"];
      expect(row).toMatchObject({ value: 25, margin: 875, verdict: "met" });
      expect(row.budget).toBe(
        "restore of 4.0 GiB 25 s (measured) = 25 s; no database size declared (readiness --database-size); " +
          "largest database within the RTO 179.0 GiB (linear from 1.0 GiB in 10 s and 4.0 GiB in 25 s: 5 s fixed + size / 205 MiB/s)",
      );
      expect(row.measured).toEqual([{ figure: "restore", measurement: twoSizes.figures.restoreSeconds }]);
    });

    it("predicts the declared size's restore from the line, with its margin against the 15 min RTO", () => {
      const row = byId(readinessRows({ ...declared, databaseBytes: 100 * 2 ** 30 }, twoSizes, now))["rto-database-restore"];
      // 5 s + 100 GiB / 204.8 MiB/s = 5 + 500 = 505 s.
      expect(row.value).toBeCloseTo(505, 9);
      expect(row.margin).toBeCloseTo(395, 9);
      expect(row.verdict).toBe("met");
      expect(row.budget).toMatch(/^restore of the declared 100\.0 GiB: 5 s \+ 100\.0 GiB \/ 205 MiB\/s \(predicted from measurements\) = 505 s; largest database within the RTO 179\.0 GiB/);
    });

    it("is at risk within a tenth of the RTO and not met past it", () => {
      const judged = (gib: number) => byId(readinessRows({ ...declared, databaseBytes: gib * 2 ** 30 }, twoSizes, now))["rto-database-restore"].verdict;
      expect([judged(150), judged(170), judged(180)]).toEqual(["met", "at risk", "not met"]);
    });

    it("is not measured, never guessed, when no restore was measured", () => {
      const row = byId(readinessRows({ ...declared, databaseBytes: 2 ** 30 }, { figures: {}, drills: {} }, now))["rto-database-restore"];
      expect(row).toMatchObject({ verdict: "not measured", value: null, budget: "restore not measured (run npm run bench:recovery)" });
    });
  });

  describe("the flip's path", () => {
    const regionDown: DeclaredRecovery = { ...declared, flipPath: { regionDown: true, lockWaitSeconds: 40 } };
    const down = byId(readinessRows(regionDown, measured, now));

    it("is a switchover while both regions answer: the measured write pause", () => {
      expect(rows["rto-database"]).toMatchObject({ value: 4.5, budget: "switchover 4.5 s (measured) = 4.5 s", mechanism: "Patroni switchover by patroni-flip-command (both regions answer)" });
    });

    // regionDown is declared, not found: an old region that still answers keeps its lock past the
    // wait and the flip switches over instead (decideFlip's leaderLockOutlived), so the budget is
    // the wait plus the longer of the two measured paths.
    it("with regionDown, waits out the lost leader's lock (ttl + loop_wait), then the longer of the measured failover and the measured switchover (the old region may still answer), for the database and every row served by the API", () => {
      expect(down["rto-database"]).toMatchObject({
        value: 44.5, margin: 855.5, verdict: "met",
        budget: "leader lock expiry ttl + loop_wait 40 s + the longer of failover 3.3 s (measured) and switchover if the old region answers 4.5 s (measured): 4.5 s = 44.5 s",
        mechanism:
          "Patroni failover by patroni-flip-command to the surviving region once the lost leader's lock expires (regionDown); if the old region still answers, its leader keeps the lock past that wait and the flip switches over instead",
      });
      expect(down["rto-database"].measured).toEqual([
        { figure: "failover", measurement: measured.figures.failoverSeconds },
        { figure: "switchover if the old region answers", measurement: measured.figures.promotionSeconds },
      ]);
      // DNS 10 s x 3 + 60 s cache after the new leader takes writes.
      expect(down["rto-api"]).toMatchObject({ value: 134.5, margin: 465.5 });
      expect([down["rto-auth"].value, down["rto-mcpTools"].value, down["rto-backgroundTasks"].value]).toEqual([134.5, 134.5, 134.5]);
    });

    it("with regionDown budgets the failover when it is the slower path", () => {
      const slowFailover = { ...measured, figures: { ...measured.figures, failoverSeconds: { ...measured.figures.failoverSeconds!, seconds: 12 } } };
      expect(byId(readinessRows(regionDown, slowFailover, now))["rto-database"]).toMatchObject({
        value: 52, budget: "leader lock expiry ttl + loop_wait 40 s + the longer of failover 12 s (measured) and switchover if the old region answers 4.5 s (measured): 12 s = 52 s",
      });
    });

    it("follows Patroni's timings: ttl 60 + loop_wait 10 moves the API row by 30 s", () => {
      const slower = byId(readinessRows({ ...declared, flipPath: { regionDown: true, lockWaitSeconds: 70 } }, measured, now));
      expect(slower["rto-api"].value).toBe(164.5);
    });

    it("is not measured, never the switchover's figure alone, until a failover was timed", () => {
      const { failoverSeconds: _dropped, ...others } = measured.figures;
      const row = byId(readinessRows(regionDown, { ...measured, figures: others }, now))["rto-database"];
      expect(row).toMatchObject({
        verdict: "not measured", value: null,
        budget: "leader lock expiry ttl + loop_wait 40 s + failover not measured (run npm run bench:promotion) and switchover if the old region answers 4.5 s (measured)",
      });
    });

    it("is not met without a flip", () => {
      expect(byId(readinessRows({ ...declared, flip: [], flipPath: null }, measured, now))["rto-database"]).toMatchObject({ verdict: "not met", budget: "no mechanism declared", mechanism: "no flip declared" });
    });
  });

  it("says 'not measured', never a guess, where a measured term is missing", () => {
    const scheduled = { ...declared.drillSchedules, "semi-annual-failover-test": { source: "drills.yml", crons: [cronFor(drills["semi-annual-failover-test"])], monthsBetweenRuns: 6 } };
    const none = byId(readinessRows({ ...declared, drillSchedules: scheduled }, { figures: {}, drills: {} }, now));
    expect(none["rto-api"]).toMatchObject({ verdict: "not measured", value: null, margin: null, budget: "DNS 10 s × 3 + 60 s cache + switchover not measured (run npm run bench:promotion)" });
    expect(none["rpo-database"].verdict).toBe("not measured");
    expect(none["rpo-analyticsLogging"].verdict).toBe("not measured");
    expect(none["drill-semi-annual-failover-test"].verdict).toBe("not measured");
    expect(exitCodeOf(Object.values(none))).toBe(0);
  });

  it("is at risk when the margin is under a tenth of the objective, and not met past it", () => {
    const slowPromotion = (seconds: number) => byId(readinessRows(declared, { ...measured, figures: { ...measured.figures, promotionSeconds: measurement(seconds) } }, now))["rto-api"];
    expect(slowPromotion(600 - 90 - atRiskShare * 600 + 1)).toMatchObject({ verdict: "at risk", margin: 59 });
    expect(slowPromotion(511)).toMatchObject({ verdict: "not met", margin: -1 });
  });

  it("is not met where the stack declares no mechanism", () => {
    const bare = byId(readinessRows({ ...declared, failover: [], replicationLagAlarms: null, logGroups: null }, measured, now));
    expect(bare["rto-api"]).toMatchObject({ verdict: "not met", budget: "no mechanism declared", mechanism: expect.stringContaining("no failover records for api") });
    expect(bare["rpo-database-lag-alarm"]).toMatchObject({ verdict: "not met", budget: "alarm threshold -: none declared" });
    expect(bare["retention-logs"].verdict).toBe("not met");
  });

  it("dates drills against the clock: met when recent, not met when overdue or scheduled too rarely, not measured before the first", () => {
    expect(rows["drill-quarterly-dr-simulation"]).toMatchObject({ verdict: "met", value: 16.6, limit: allowedDrillAgeDays(drills["quarterly-dr-simulation"]) });
    expect(rows["drill-semi-annual-failover-test"]).toMatchObject({ verdict: "not met", budget: "needs a run at least every 6 months" });
    expect(rows["drill-annual-bc-test"]).toMatchObject({ verdict: "not met", limit: 12 * 31 + 14 });
    expect(rows["drill-annual-bc-test"].value).toBeGreaterThan(12 * 31 + 14);
    const fresh = byId(readinessRows(declared, { ...measured, drills: {} }, now));
    expect(fresh["drill-quarterly-dr-simulation"]).toMatchObject({ verdict: "not measured", budget: "no drill recorded yet" });
  });

  it("judges the last timed drill's flip against the API RTO and its data lost against the database RPO, with where and when; not measured before one", () => {
    expect(rows["drill-measured-failover"]).toMatchObject({ verdict: "not measured", value: null, budget: "not measured (no drill has timed a flip yet: run npm run drill -- run)" });
    expect(rows["drill-measured-data-lost"].verdict).toBe("not measured");
    const timed = { when: "2026-11-20T06:30:00.000Z", outcome: "passed" as const, stack: "dr", where: "https://github.com/crazy-gary/dr/actions/runs/7", measured: { promotionSeconds: 4.2, dnsSwitchSeconds: 71.5, firstWriteSeconds: 72.1, dataLostSeconds: 38.4 } };
    const older = { ...timed, when: "2026-08-20T06:30:00.000Z", measured: { ...timed.measured, firstWriteSeconds: 900 } };
    const withDrill = byId(readinessRows(declared, { ...measured, drills: { "quarterly-dr-simulation": timed, "semi-annual-failover-test": older } }, now));
    expect(withDrill["drill-measured-failover"]).toMatchObject({ verdict: "met", value: 72.1, limit: 600, margin: 527.9, budget: "new leader 4.2 s, DNS switch 71.5 s, first write 72.1 s (measured by a drill) = 72.1 s" });
    expect(withDrill["drill-measured-failover"].measured).toEqual([{ figure: "last timed drill", measurement: timed }]);
    expect(withDrill["drill-measured-failover"].mechanism).toContain("last on dr (passed)");
    expect(withDrill["drill-measured-data-lost"]).toMatchObject({ verdict: "met", value: 38.4, limit: 300 });
    const slow = byId(readinessRows(declared, { ...measured, drills: { "quarterly-dr-simulation": { ...timed, measured: { ...timed.measured, firstWriteSeconds: 601 } } } }, now));
    expect(slow["drill-measured-failover"]).toMatchObject({ verdict: "not met", margin: -1 });
  });

  it("exits 1 when any objective is not met", () => {
    expect(exitCodeOf(Object.values(rows))).toBe(1);
  });
});

describe("worsenedSince", () => {
  const rows = readinessRows(declared, measured, now);
  const base = rows.map(({ id, margin, verdict }) => ({ id, margin, verdict }));

  it("lists nothing for the same report", () => {
    expect(worsenedSince(base, rows)).toEqual([]);
  });

  it("lists a shrunk margin and a worse verdict with old and new", () => {
    const slower = readinessRows(declared, { ...measured, figures: { ...measured.figures, promotionSeconds: measurement(460) } }, now);
    const worse = worsenedSince(base, slower);
    expect(worse.map((w) => w.id)).toEqual(["rto-api", "rto-auth", "rto-mcpTools", "rto-backgroundTasks", "rto-analyticsLogging", "rto-database"].sort((a, b) => slower.findIndex((r) => r.id === a) - slower.findIndex((r) => r.id === b)));
    expect(worse.find((w) => w.id === "rto-api")).toEqual({ id: "rto-api", objective: "API Service (Flask) RTO 10 min", old: { margin: 505.5, verdict: "met" }, new: { margin: 50, verdict: "at risk" }, unit: "s" });
  });
});
