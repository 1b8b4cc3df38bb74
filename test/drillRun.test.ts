/**
 * domain/drillRun.ts: a drill's phases, order, outcome, data lost, metric data and the DNS
 * answer check, as the drill runner uses them (the runner itself runs against real PostgreSQL in
 * test/postgres/drill.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  dataLostOf,
  dnsAnswersTarget,
  drillAgeAlarmDays,
  drillAgeDays,
  drillMetricData,
  drillReport,
  measuredOf,
  phaseProblems,
  renderDrillMarkdown,
  type PhaseResult,
} from "../domain/drillRun";
import { validateMeasurements } from "../tools/readiness/measurements";

const at = (s: number): PhaseResult => ({ seconds: s, at: new Date(Date.parse("2027-01-15T06:00:00Z") + s * 1000).toISOString() });
const base = {
  drill: "quarterly-dr-simulation" as const,
  stack: "dr",
  from: { role: "primary" as const, region: "us-east-2" },
  to: { role: "secondary" as const, region: "us-west-1" },
  startedAt: "2027-01-15T06:00:00.000Z",
  finishedAt: "2027-01-15T06:20:00.000Z",
  phases: { promotion: at(4.2), dnsSwitch: at(71.5), firstWrite: at(72.1) },
  dataLost: dataLostOf("2027-01-15T05:59:30.500Z", "2027-01-15T06:00:04.200Z"),
  flipBack: { outcome: "done" as const, seconds: 600 },
  where: "https://ci.example/run/9",
};

describe("drillReport", () => {
  it("passes with every phase measured in order, the data lost known and the flip back done", () => {
    const report = drillReport(base);
    expect(report).toMatchObject({ outcome: "passed", failures: [] });
    expect(report.dataLost).toEqual({ seconds: 33.7, heartbeatAt: "2027-01-15T05:59:30.500Z", promotedAt: "2027-01-15T06:00:04.200Z" });
  });

  it.each([
    ["DNS before promotion (clients sent to a read-only database)", { phases: { ...base.phases, dnsSwitch: at(3) } }, "dnsSwitch (3 s) came before promotion (4.2 s)"],
    ["a phase never reached", { phases: { ...base.phases, firstWrite: { seconds: null, at: null, error: "waited" } } }, "firstWrite: not reached (waited)"],
    ["a zero time", { phases: { ...base.phases, promotion: at(0) } }, "promotion: measured 0 s, not a positive time"],
    ["no heartbeat", { dataLost: dataLostOf(null, "2027-01-15T06:00:04.200Z") }, "data lost: not measured (no heartbeat row seen on the standby at promotion)"],
    ["a failed flip back", { flipBack: { outcome: "failed" as const, seconds: null, error: "ssh exited with 255" } }, "flip back: ssh exited with 255"],
  ])("fails on %s, naming it", (_what, change, failure) => {
    const report = drillReport({ ...base, ...change });
    expect(report.outcome).toBe("failed");
    expect(report.failures).toContain(failure);
    expect(renderDrillMarkdown(report)).toContain(`- ${failure}`);
  });

  it("lists order problems only between measured phases", () => {
    expect(phaseProblems({ promotion: at(5), dnsSwitch: { seconds: null, at: null }, firstWrite: at(6) })).toEqual(["dnsSwitch: not reached (no observation)"]);
  });
});

describe("drill metrics", () => {
  it("puts the age 0 and every measured time after a passed drill, with Environment and Region", () => {
    const data = drillMetricData(drillReport(base), "dr", "us-west-1", 80);
    expect(data.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
      ["DrDrillAgeDays", 0, "None"],
      ["DrDrillPromotionSeconds", 4.2, "Seconds"],
      ["DrDrillDnsSwitchSeconds", 71.5, "Seconds"],
      ["DrDrillFirstWriteSeconds", 72.1, "Seconds"],
      ["DrDrillDataLostSeconds", 33.7, "Seconds"],
    ]);
    expect(data[0].Dimensions).toEqual([{ Name: "Environment", Value: "dr" }, { Name: "Region", Value: "us-west-1" }]);
  });

  it("keeps the previous age after a failed drill, and publishes no age when none ever passed", () => {
    const failed = drillReport({ ...base, flipBack: { outcome: "failed", seconds: null } });
    expect(drillMetricData(failed, "dr", "us-east-2", 80)[0]).toMatchObject({ MetricName: "DrDrillAgeDays", Value: 80 });
    expect(drillMetricData(failed, "dr", "us-east-2", null).map((d) => d.MetricName)).not.toContain("DrDrillAgeDays");
  });

  it("dates the youngest passed drill of any kind; the alarm allows a quarter of 31-day months plus 14 days", () => {
    const now = new Date("2027-01-25T06:00:00Z");
    expect(drillAgeDays({ "quarterly-dr-simulation": { when: "2027-01-15T06:00:00Z", outcome: "failed" }, "annual-bc-test": { when: "2026-12-26T06:00:00Z", outcome: "passed" } }, now)).toBe(30);
    expect(drillAgeDays({}, now)).toBeNull();
    expect(drillAgeAlarmDays).toBe(107);
  });
});

describe("measuredOf and the measurements file", () => {
  it("keeps the times only when every one was measured, and the file accepts them", () => {
    const measured = measuredOf(drillReport(base))!;
    expect(measured).toEqual({ promotionSeconds: 4.2, dnsSwitchSeconds: 71.5, firstWriteSeconds: 72.1, dataLostSeconds: 33.7 });
    expect(measuredOf(drillReport({ ...base, phases: { ...base.phases, dnsSwitch: { seconds: null, at: null } } }))).toBeUndefined();
    const record = { when: base.finishedAt, outcome: "passed", stack: "dr", where: base.where, measured };
    expect(validateMeasurements({ drills: { "quarterly-dr-simulation": record } }, "test").drills["quarterly-dr-simulation"]?.measured).toEqual(measured);
    expect(() => validateMeasurements({ drills: { "quarterly-dr-simulation": { ...record, measured: { ...measured, dnsSwitchSeconds: "71" } } } }, "test")).toThrow(
      'drills.quarterly-dr-simulation.measured.dnsSwitchSeconds: "71" is not a number of seconds >= 0',
    );
  });
});

describe("dnsAnswersTarget", () => {
  it.each([
    [["web-usw1.dr.crazy-gary.app.", "203.0.113.7"], "web-usw1.dr.crazy-gary.app", [], true],
    [["web-use2.dr.crazy-gary.app.", "203.0.113.8"], "web-usw1.dr.crazy-gary.app", [], false],
    [["198.51.100.2", "198.51.100.3"], "api-usw2.elb.amazonaws.com", ["198.51.100.3", "198.51.100.2"], true],
    [["198.51.100.2", "192.0.2.1"], "api-usw2.elb.amazonaws.com", ["198.51.100.2"], false],
    [[], "web-usw1.dr.crazy-gary.app", [], false],
    [[";; connection timed out; no servers could be reached"], "x", [], false],
  ] as [string[], string, string[], boolean][])("%j for %s (target addresses %j): %s", (answer, target, addresses, expected) => {
    expect(dnsAnswersTarget(answer, target, addresses)).toBe(expected);
  });
});
