import { describe, expect, it } from "vitest";
import { actionsEnabledFor, oneLevelLower, severityFor, treatMissingDataFor } from "../domain/alarmSettingsByRole";
import { alarmCatalog, effectiveThreshold, windowFor } from "../domain/alarmCatalog";
import { contractMetrics, renderMetricContract } from "../domain/metricContract";
import type { AlarmDefinition } from "../domain/alarmTypes";
import { parseStackConfig } from "../infra/parseConfig";
import { rollbackTriggers } from "../domain/runbook";
import { loadStackConfig } from "../tools/offline";

const defaults = parseStackConfig(loadStackConfig("prod"));
const catalog = alarmCatalog(defaults);
const byId = (id: string): AlarmDefinition => catalog.find((a) => a.id === id)!;

describe("alarm catalog", () => {
  it("has an alarm for every runbook rollback trigger that has no noAlarmReason", () => {
    const rows = new Set(catalog.map((a) => a.row));
    for (const [id, row] of Object.entries(rollbackTriggers)) expect(rows.has(id as AlarmDefinition["row"]), id).toBe(row.noAlarmReason === undefined);
  });

  it("derives the recovery rows: backup 24 h + 2 h grace, restore test 31 d + 1 d, WAL and lag at the RPO", () => {
    expect(byId("backup-missed").threshold).toBe(26);
    expect(byId("restore-test-missed").threshold).toBe(32);
    // A quarter of 31-day months plus the quarterly drill's 14 days of grace (domain/testingSchedule.ts).
    expect(byId("drill-overdue")).toMatchObject({ threshold: 3 * 31 + 14, periodSeconds: 86_400, treatMissingData: "breaching", source: "Regular Testing Schedule" });
    expect(byId("drill-overdue").expression).toMatchObject({ metric: { namespace: "CrazyGary/Drills", name: "DrDrillAgeDays" } });
    expect(byId("wal-archive-freshness")).toMatchObject({ periodSeconds: 300, evaluationPeriods: 1, threshold: 1, treatMissingData: "breaching" });
    expect(byId("replica-lag").threshold).toBe(300);
  });

  it("never breaches on the empty periods between two data of a metric: period >= publishing interval", () => {
    for (const alarm of catalog.filter((a) => a.treatMissingData === "breaching")) {
      const e = alarm.expression;
      const metric = e.kind === "percent" ? e.denominator : e.metric;
      if (metric.kind === "custom") expect(alarm.periodSeconds, alarm.id).toBeGreaterThanOrEqual(metric.publishEverySeconds);
    }
  });

  it("states a reason for every treatMissingData", () => {
    for (const alarm of catalog) expect(alarm.missingDataReason.length, alarm.id).toBeGreaterThan(20);
  });

  it("puts only the rollback-trigger rows (not the RPO rows, not the 30-day certificate warning) in the rollback composite", () => {
    expect(catalog.filter((a) => !a.rollbackTrigger).map((a) => a.id)).toEqual(["cert-expiry-warning", "wal-archive-freshness", "repository-wal-age-primary", "repository-wal-age-secondary", "replica-lag", "backup-missed", "restore-test-missed", "drill-overdue"]);
  });
});

describe("severityFor", () => {
  it.each([
    ["api-health", "primary", "primary", "P0"],
    ["api-health", "secondary", "primary", "P1"],
    ["api-health", "secondary", "secondary", "P0"],
    ["wal-archive-freshness", "primary", "secondary", "P1"],
    ["replica-lag", "secondary", "primary", "P0"],
    ["replica-lag", "primary", "secondary", "P0"],
    ["db-connect-time", "primary", "primary", "P0"],
    ["api-latency-p95", "secondary", "primary", "P1"],
    ["cpu", "primary", "primary", "P2"],
    ["cert-expiry-warning", "primary", "primary", "P3"],
    ["cert-expiry-urgent", "secondary", "primary", "P1"],
  ] as const)("%s in %s while %s is active: %s", (id, role, active, severity) => {
    expect(severityFor(byId(id), role, active)).toBe(severity);
  });

  it("one level lower stops at P3", () => {
    expect(["P0", "P1", "P2", "P3"].map((s) => oneLevelLower(s as "P0"))).toEqual(["P1", "P2", "P3", "P3"]);
  });
});

describe("treatMissingDataFor", () => {
  it.each([
    ["replica-lag", "primary", "primary", "notBreaching"],
    ["replica-lag", "secondary", "primary", "breaching"],
    ["restore-test-missed", "primary", "primary", "breaching"],
    ["restore-test-missed", "primary", "secondary", "notBreaching"],
    ["backup-missed", "secondary", "primary", "breaching"],
    ["api-error-rate", "primary", "primary", "notBreaching"],
  ] as const)("%s in %s while %s is active: %s", (id, role, active, missing) => {
    expect(treatMissingDataFor(byId(id), role, active)).toBe(missing);
  });
});

describe("actionsEnabledFor: an alarm pages only where its metric is published", () => {
  it.each([
    ["replica-lag", "secondary", "primary", true],
    ["replica-lag", "primary", "primary", false],
    ["replica-lag", "primary", "secondary", true],
    ["restore-test-missed", "primary", "primary", true],
    ["restore-test-missed", "secondary", "primary", false],
    ["api-error-rate", "secondary", "primary", true],
  ] as const)("%s in %s while %s is active: %s", (id, role, active, enabled) => {
    expect(actionsEnabledFor(byId(id), role, active)).toBe(enabled);
  });

  it("replica lag is P0 at the 300 s RPO: the catalog row the rpo-replica-lag-alarm policy checks", () => {
    expect(byId("replica-lag")).toMatchObject({ severity: { kind: "fixed", severity: "P0" }, threshold: 300, comparison: "GreaterThanThreshold", treatMissingData: "breaching", metricRegion: "own-region" });
  });
});

describe("thresholds and windows", () => {
  it("takes a tightened threshold from config, else the runbook's", () => {
    expect(effectiveThreshold("api-latency-p95", {})).toBe(2000);
    expect(effectiveThreshold("api-latency-p95", { "api-latency-p95": 1500 })).toBe(1500);
  });

  it("splits a runbook duration into all-breaching periods", () => {
    expect(windowFor(15, 60, 5)).toEqual({ periodSeconds: 60, evaluationPeriods: 15, datapointsToAlarm: 15 });
    expect(windowFor(null, 60, 5)).toEqual({ periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5 });
    expect(() => windowFor(7, 300, 5)).toThrow("a window of 7 min is not a whole number of 300 s periods");
  });
});

describe("metric contract", () => {
  it("lists each custom metric once, with the alarms that use it", () => {
    const requests = contractMetrics(catalog).find((c) => c.metric.namespace === "CrazyGary/API" && c.metric.name === "Requests")!;
    expect(requests.alarms).toEqual(["api-error-rate", "suspicious-usage"]);
    expect(contractMetrics(catalog).some((c) => c.metric.namespace.startsWith("AWS/"))).toBe(false);
  });

  it("renders a markdown row per metric with unit, dimensions, cadence and publisher", () => {
    const lines = renderMetricContract(catalog).split("\n");
    expect(lines[0]).toBe("| namespace | name | unit | dimensions | how often | who publishes | meaning | alarms |");
    expect(lines).toContain(
      "| CrazyGary/Backup | FullBackupAgeHours | None | Environment, Region | every 5 min | database host (monitor.sh) | hours since the newest full backup in the region's repository stopped | backup-missed |",
    );
    expect(lines).toHaveLength(2 + contractMetrics(catalog).length);
  });
});
