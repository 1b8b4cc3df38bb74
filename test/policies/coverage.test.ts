import { describe, expect, it } from "vitest";
import { alarmedRows } from "../../policies/coverage";
import { byName, compliantPlan, violationsOf } from "./fixtures";

const policy = "coverage-rollback-alarms";

describe("coverage of the runbook's rollback triggers", () => {
  it("covers every row except those with a noAlarmReason", () => {
    expect(alarmedRows.map(([id]) => id)).toEqual([
      "api-health", "db-connect-time", "web-load-failures", "api-error-rate", "api-latency-p95", "db-query-time", "memory", "cpu",
      "auth-failure-rate", "task-create-failure-rate", "model-api-failure-rate", "unauthorized-access", "suspicious-usage", "cert-expiry",
    ]);
  });

  it.each(alarmedRows.map(([id]) => id))("reports a missing alarm for %s", async (id) => {
    const plan = compliantPlan();
    plan.splice(plan.indexOf(byName(plan, `alarm-${id}-primary`)), 1);
    const violations = await violationsOf(policy, plan);
    expect(violations).toEqual([expect.objectContaining({ urn: undefined, message: expect.stringMatching(new RegExp(`^runbook rollback trigger "${id}" \\(.*\\) has no alarm; declare one in AlarmSet`)) })]);
  });

  it("reports an alarm without actions", async () => {
    const plan = compliantPlan();
    const alarm = byName(plan, "alarm-api-error-rate-primary");
    alarm.inputs.alarmActions = [];
    expect(await violationsOf(policy, plan)).toEqual([
      expect.objectContaining({ urn: alarm.urn, message: expect.stringMatching(/^alarm test-api-error-rate-us-east-1 for rollback trigger "api-error-rate" notifies no one/) }),
    ]);
  });

  it("reports actions switched off", async () => {
    const plan = compliantPlan();
    byName(plan, "alarm-cpu-primary").inputs.actionsEnabled = false;
    expect((await violationsOf(policy, plan)).map((v) => v.message)).toEqual([expect.stringContaining('for rollback trigger "cpu" notifies no one')]);
  });

  it.each([
    ["api-latency-p95", 3000, 'needs <= 2000 ms'],
    ["memory", 95, "needs <= 90 percent"],
    ["cert-expiry", 14, "needs >= 30 days"],
  ])("reports %s at a looser threshold (%i)", async (id, threshold, needs) => {
    const plan = compliantPlan();
    const alarm = byName(plan, `alarm-${id}-primary`);
    alarm.inputs.threshold = threshold;
    expect(await violationsOf(policy, plan)).toEqual([
      expect.objectContaining({ urn: alarm.urn, message: `no alarm for rollback trigger "${id}" fires at the runbook's threshold: thresholds ${threshold} but the runbook ${needs}` }),
    ]);
  });

  it("accepts a second, stricter alarm beside the runbook one (cert expiry P1 under 7 days)", async () => {
    const plan = compliantPlan();
    const p3 = byName(plan, "alarm-cert-expiry-primary");
    plan.push({ ...p3, urn: `${p3.urn}-urgent`, name: `${p3.name}-urgent`, inputs: { ...p3.inputs, name: "test-cert-expiry-urgent", threshold: 7 } });
    expect(await violationsOf(policy, plan)).toEqual([]);
  });
});
