/**
 * What the readiness report reads from a stack's evaluated plan: the same resources and rendered
 * host files the policy pack reads, and the drill crons of the workflow.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Measurement, Measurements } from "../domain/readiness";
import { readinessRows } from "../domain/readinessRows";
import { cronFor, drills } from "../domain/testingSchedule";
import { toPlanJson } from "../tools/offline";
import { declaredRecovery, drillSchedules } from "../tools/readiness/declared";
import { sharedPlan } from "./support/plans";

const workflowPath = ".github/workflows/drills.yml";
const workflow = { path: workflowPath, text: readFileSync(join(__dirname, "..", workflowPath), "utf8") };
const figure = (seconds: number): Measurement => ({ seconds, measuredBy: "npm run bench:promotion", where: "dev/patroni", when: "2026-12-07T05:00:00.000Z", machine: "2 cores", detail: "fixture" });

describe("declaredRecovery of prod", async () => {
  const declared = declaredRecovery(toPlanJson(await sharedPlan("prod")), workflow);

  it("reads each failover name's worst record: interval × threshold + the alias answer's 60 s (api) or the TTL (app)", () => {
    expect(declared.failover).toEqual([
      { hostname: "api", records: ["failover-dns-api-primary", "failover-dns-api-secondary"], healthChecks: ["failover-dns-api-primary", "failover-dns-api-secondary"], requestIntervalSeconds: 10, failureThreshold: 2, cacheSeconds: 60, totalSeconds: 80 },
      { hostname: "app", records: ["failover-dns-app-primary", "failover-dns-app-secondary"], healthChecks: ["failover-dns-app-primary", "failover-dns-app-secondary"], requestIntervalSeconds: 10, failureThreshold: 2, cacheSeconds: 30, totalSeconds: 50 },
    ]);
  });

  it("reads the database hosts' rendered archive_timeout, backup and restore-test timers, and the lag alarms", () => {
    expect(declared.flip).toEqual(["patroni-flip-command"]);
    expect(declared.databaseHosts).toEqual(["database-host-primary", "database-host-secondary"]);
    expect(declared.archiveTimeoutSeconds).toBe(60);
    expect(declared.backups).toEqual({ timers: ["crazy-gary-backup-full.timer", "crazy-gary-backup-incr.timer"], fullGapHours: 24, anyGapHours: 6 });
    expect(declared.restoreTest).toEqual({ timers: ["crazy-gary-restore-test.timer"], monthsBetweenRuns: 1 });
    expect(declared.replicationLagAlarms).toEqual({ names: ["crazy-gary-prod-replica-lag-primary", "crazy-gary-prod-replica-lag-secondary"], maxThresholdSeconds: 300 });
  });

  it("reads the flip's path: a switchover, Patroni's ttl 30 + loop_wait 10 for a lost leader's lock", () => {
    expect(declared.flipPath).toEqual({ regionDown: false, lockWaitSeconds: 40 });
  });

  it("reads retention from the stack's settings, the lifecycle expiry and the log groups", () => {
    expect(declared.retention).toEqual({ fullDays: 30, incrementalDays: 7, walHours: 48, pitrHours: 24 });
    expect(declared.lifecycle).toEqual({ resources: ["wal-archive-primary-lifecycle", "wal-archive-secondary-lifecycle"], backupDays: 33, archiveDays: 33 });
    expect(declared.logGroups?.minRetentionDays).toBe(90);
    expect(declared.logGroups?.names).toContain("/crazy-gary/prod/api");
  });

  it("reads each drill's cron from the workflow", () => {
    expect(declared.drillSchedules["quarterly-dr-simulation"]).toEqual({ source: workflowPath, crons: ["0 6 15 1,4,7,10 *"], monthsBetweenRuns: 3 });
  });
});

describe("drillSchedules", () => {
  it("finds no drill in a workflow without its computed cron, and none without a workflow", () => {
    expect(drillSchedules("w.yml", "on:\n  schedule:\n    - cron: '0 6 15 1 *'\n")).toEqual({});
    expect(drillSchedules("w.yml", undefined)).toEqual({});
    expect(drillSchedules("w.yml", `on:\n  schedule:\n    - cron: '${cronFor(drills["annual-bc-test"])}'\n`)).toEqual({ "annual-bc-test": { source: "w.yml", crons: ["0 6 15 3 *"], monthsBetweenRuns: 12 } });
  });
});

// The API's DNS budget after the new leader takes writes (interval × threshold + cache): 80 s on prod, 50 s on dr.
describe.each([["prod", 80], ["dr", 50]] as const)("readiness of %s with and without regionDown (API DNS %i s)", (stack, apiDns) => {
  const measurements: Measurements = { figures: { promotionSeconds: figure(3.02), failoverSeconds: figure(2.5) }, drills: {} };
  const rowsOf = async (set: string[]) => Object.fromEntries(readinessRows(declaredRecovery(toPlanJson(await sharedPlan(stack, set)), workflow), measurements, new Date("2026-12-07T06:00:00Z")).map((r) => [r.id, r]));

  it("budgets the switchover while both regions answer: the measured write pause, then DNS", async () => {
    const rows = await rowsOf(["activeRegion=secondary"]);
    expect(rows["rto-database"].value).toBe(3.02);
    expect(rows["rto-api"].value).toBeCloseTo(apiDns + 3.02, 9);
  });

  it("budgets regionDown as the lost leader's lock (ttl 30 + loop_wait 10), then the longer of the measured failover and the switchover the flip runs if the old region still answers", async () => {
    const rows = await rowsOf(["activeRegion=secondary", "regionDown=primary"]);
    expect(rows["rto-database"]).toMatchObject({ value: 43.02, budget: "leader lock expiry ttl + loop_wait 40 s + the longer of failover 2.5 s (measured) and switchover if the old region answers 3 s (measured): 3 s = 43 s" });
    expect(rows["rto-api"].value).toBeCloseTo(apiDns + 43.02, 9);
    expect(rows["rto-api"].verdict).toBe("met");
  });

  it("follows patroni.ttl and patroni.loopWait from the stack's config", async () => {
    const rows = await rowsOf(["activeRegion=secondary", "regionDown=primary", "patroni.ttl=60", "patroni.loopWait=5"]);
    expect(rows["rto-database"].value).toBe(68.02);
  });
});
