import { describe, expect, it } from "vitest";
import { createPolicies, packName } from "../../policies/policies";
import { evaluatePolicies } from "../../policies/engine";
import { compliantPlan } from "./fixtures";

const expectedNames = [
  "rpo-wal-pushed-to-every-region",
  "rpo-archive-timeout",
  "rpo-wal-freshness-alarm",
  "rpo-replica-lag-alarm",
  "rpo-backup-schedule",
  "retention-backup-engine",
  "retention-lifecycle-covers-engine",
  "retention-lifecycle-housekeeping",
  "retention-log-groups",
  "protection-wal-bucket-versioning",
  "protection-wal-bucket-encryption",
  "protection-wal-bucket-public-access",
  "protection-wal-bucket-tls-only",
  "protection-kms-rotation",
  "protection-sns-encrypted",
  "protection-stateful-resources-protected",
  "failover-record-health-check",
  "failover-routing-check",
  "failover-primary-secondary-pair",
  "failover-fixed-roles",
  "failover-routing-follows-leader",
  "failover-detection-within-rto",
  "coverage-rollback-alarms",
  "paging-p0-p1-reach-someone",
  "paging-p2-p3-subscribed",
  "least-privilege-data-services",
  "backup-copy-every-repository",
  "backup-vault-locked",
  "backup-vault-compliance-mode-on-prod",
  "protection-shared-secret-customer-key",
];

/** The one advisory rule, and why (beside it in policies/pagingLow.ts): P2/P3 are tickets, not pages. */
const advisory = ["paging-p2-p3-subscribed"];

describe("the policy pack", () => {
  it("has every rule, each mandatory but the advisory P2/P3 paging one, with a description", () => {
    const policies = createPolicies();
    expect(packName).toBe("crazy-gary-dr-recovery");
    expect(policies.map((p) => p.name)).toEqual(expectedNames);
    for (const policy of policies) {
      expect(policy.enforcementLevel, policy.name).toBe(advisory.includes(policy.name) ? "advisory" : "mandatory");
      expect(policy.description.length, policy.name).toBeGreaterThan(20);
    }
  });

  it("passes the compliant fixture with zero violations", async () => {
    const outcomes = await evaluatePolicies(createPolicies(), compliantPlan());
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);
    expect(outcomes).toHaveLength(expectedNames.length);
  });

  it("declares the runbook numbers as each policy's config defaults", () => {
    const byName = new Map(createPolicies().map((p) => [p.name, p]));
    expect(byName.get("rpo-archive-timeout")?.configSchema?.properties).toMatchObject({
      databaseRpoMinutes: { type: "number", default: 5, maximum: 5 },
      archiveTimeoutSeconds: { type: "number", default: 60, maximum: 60 },
    });
    expect(byName.get("retention-backup-engine")?.configSchema?.properties).toMatchObject({
      fullRetentionDays: { default: 30, minimum: 30 },
      walRetentionHours: { default: 48, minimum: 48 },
      pitrWindowHours: { default: 24, minimum: 24 },
    });
    expect(byName.get("failover-detection-within-rto")?.configSchema?.properties).toMatchObject({
      apiRtoMinutes: { default: 10, maximum: 10 },
      webRtoMinutes: { default: 30, maximum: 30 },
    });
    expect(byName.get("retention-log-groups")?.configSchema?.properties).toMatchObject({ logRetentionDays: { default: 90, minimum: 90 } });
  });
});
