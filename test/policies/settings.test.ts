import { describe, expect, it } from "vitest";
import { backups, recoveryObjectives } from "../../domain/runbook";
import { evaluatePolicies } from "../../policies/engine";
import { createPolicies } from "../../policies/policies";
import { createRpoPolicies } from "../../policies/rpo";
import { PolicySettingsError, resolveSettings, runbookSettings } from "../../policies/settings";
import { compliantPlan, violationsOf } from "./fixtures";

describe("policy settings", () => {
  it("default to the runbook's numbers", () => {
    expect(runbookSettings).toEqual({
      databaseRpoMinutes: recoveryObjectives.database.rpoMinutes,
      archiveTimeoutSeconds: 60,
      fullBackupIntervalHours: backups.full.intervalHours,
      incrementalBackupIntervalHours: backups.incremental.intervalHours,
      fullRetentionDays: backups.full.retentionDays,
      walRetentionHours: backups.transactionLogs.retentionHours,
      pitrWindowHours: backups.pointInTimeRecovery.windowHours,
      logRetentionDays: backups.logs.retentionDays,
      apiRtoMinutes: recoveryObjectives.api.rtoMinutes,
      webRtoMinutes: recoveryObjectives.web.rtoMinutes,
    });
  });

  it("accept a tightened number", () => {
    expect(resolveSettings({ fullRetentionDays: 35, databaseRpoMinutes: 2 })).toMatchObject({ fullRetentionDays: 35, databaseRpoMinutes: 2 });
  });

  it.each([
    [{ fullRetentionDays: 14 }, "fullRetentionDays: 14 is looser than the runbook's 30; use a value >= 30"],
    [{ databaseRpoMinutes: 15 }, "databaseRpoMinutes: 15 is looser than the runbook's 5; use a value <= 5"],
    [{ archiveTimeoutSeconds: "60" }, 'archiveTimeoutSeconds: "60" is not a positive number'],
    [{ walHours: 48 }, "walHours: is not a policy setting; allowed: databaseRpoMinutes, archiveTimeoutSeconds"],
  ])("refuse %j", (overrides, message) => {
    expect(() => resolveSettings(overrides)).toThrow(PolicySettingsError);
    expect(() => resolveSettings(overrides)).toThrow(message);
  });

  it("are validated by the policy factories", () => {
    expect(() => createRpoPolicies({ databaseRpoMinutes: 10 })).toThrow("databaseRpoMinutes: 10 is looser than the runbook's 5");
    expect(() => createPolicies({ logRetentionDays: 30 })).toThrow("logRetentionDays: 30 is looser than the runbook's 90");
  });

  it("cannot be loosened through the pack config either", async () => {
    const policy = createPolicies().find((p) => p.name === "rpo-archive-timeout")!;
    await expect(evaluatePolicies([policy], compliantPlan(), { "rpo-archive-timeout": { archiveTimeoutSeconds: 600 } })).rejects.toThrow(
      "archiveTimeoutSeconds: 600 is looser than the runbook's 60",
    );
  });

  it("can be tightened through the pack config", async () => {
    const policy = createPolicies().find((p) => p.name === "retention-log-groups")!;
    const [outcome] = await evaluatePolicies([policy], compliantPlan(), { "retention-log-groups": { logRetentionDays: 365 } });
    expect(outcome.violations.map((v) => v.message)).toEqual(["log group keeps logs for 90 d; the SLA needs at least 365 d (retentionInDays >= 365, or 0 for forever)"]);
  });

  it("tighten through the factory too", async () => {
    expect(await violationsOf("retention-log-groups", compliantPlan(), { logRetentionDays: 180 })).toHaveLength(1);
  });
});
