/**
 * What the readiness report reads from a stack's evaluated plan: the same resources and rendered
 * host files the policy pack reads, and the drill crons of the workflow.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cronFor, drills } from "../domain/testingSchedule";
import { toPlanJson } from "../tools/offline";
import { declaredRecovery, drillSchedules } from "../tools/readiness/declared";
import { sharedPlan } from "./support/plans";

const workflowPath = ".github/workflows/drills.yml";
const workflow = { path: workflowPath, text: readFileSync(join(__dirname, "..", workflowPath), "utf8") };

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
