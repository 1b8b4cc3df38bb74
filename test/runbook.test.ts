import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  backups,
  maxArchiveTimeoutSeconds,
  recoveryObjectives,
  rollbackTriggers,
  severityLevels,
  sla,
} from "../domain/runbook";

const runbookText = fs.readFileSync(path.resolve(__dirname, "../domain/runbook.md"), "utf8");

describe("the runbook as data", () => {
  it("holds all seven RTO/RPO rows with their tiers, in minutes", () => {
    const rows = Object.values(recoveryObjectives).map((r) => [r.component, r.tier, r.rtoMinutes, r.rpoMinutes]);
    expect(rows).toEqual([
      ["Database (PostgreSQL)", 1, 15, 5],
      ["API Service (Flask)", 1, 10, null],
      ["Authentication Service", 1, 10, null],
      ["Frontend Web App", 2, 30, null],
      ["MCP Tools Integration", 2, 45, 15],
      ["Background Task Processing", 3, 120, 30],
      ["Analytics & Logging", 4, 240, 60],
    ]);
    for (const row of Object.values(recoveryObjectives)) expect(runbookText).toContain(`**${row.component}**`);
  });

  it("holds the SLA figures and the backup strategy", () => {
    expect(sla).toMatchObject({ availabilityPercent: 99.9, allowedDowntimeHoursPerYear: 8.77, backupRetentionDays: 30, logRetentionDays: 90 });
    expect(backups.full).toMatchObject({ timeUtc: "02:00", intervalHours: 24, retentionDays: 30 });
    expect(backups.incremental).toMatchObject({ intervalHours: 6, retentionDays: 7 });
    expect(backups.transactionLogs).toMatchObject({ intervalMinutes: 15, retentionHours: 48 });
    expect(backups.pointInTimeRecovery.windowHours).toBe(24);
    expect(backups.logs.retentionDays).toBe(90);
    expect(maxArchiveTimeoutSeconds).toBe(60);
  });

  it("holds every rollback-trigger row of the runbook, word for word", () => {
    const section = runbookText.slice(runbookText.indexOf("## Automated Rollback Triggers"), runbookText.indexOf("## Database Backup & Restore Procedures"));
    const bullets = [...section.matchAll(/^- (.+)$/gm)].map((m) => m[1].replace(/`/g, "").trim());
    expect(Object.values(rollbackTriggers).map((t) => t.text)).toEqual(bullets);
  });

  it("holds severities P0-P3 with response times and update cadence", () => {
    expect(Object.entries(severityLevels).map(([s, l]) => [s, l.responseMinutes, l.updateEveryMinutes])).toEqual([
      ["P0", 5, 15],
      ["P1", 15, 30],
      ["P2", 60, null],
      ["P3", 240, null],
    ]);
  });

  it("is frozen", () => {
    expect(() => {
      (backups.full as { retentionDays: number }).retentionDays = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(rollbackTriggers["api-latency-p95"])).toBe(true);
  });
});
