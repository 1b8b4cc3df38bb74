import { describe, expect, it } from "vitest";
import { requiredLifecycleDays } from "../../policies/retention";
import { byName, compliantPlan, pgbackrestConf, setHostFile, violationsOf, type ViolationCase, describeViolationCases } from "./fixtures";

type Plan = ReturnType<typeof compliantPlan>;
type Rule = { id: string; expiration?: { days?: number; date?: string }; noncurrentVersionExpiration?: unknown; abortIncompleteMultipartUpload?: unknown; filter?: { prefix?: string } };

const lifecycleOf = (plan: Plan, role: "primary" | "secondary") => byName(plan, `wal-${role}-lifecycle`);
const ruleOf = (plan: Plan, role: "primary" | "secondary", id: string) => (lifecycleOf(plan, role).inputs.rules as Rule[]).find((r) => r.id === id)!;
const confPath = "/etc/pgbackrest/pgbackrest.conf";
const withConf = (role: "primary" | "secondary", overrides: Record<string, string>) => (plan: Plan) => setHostFile(plan, role, confPath, pgbackrestConf(overrides));

const cases: ViolationCase[] = [
  {
    policy: "retention-backup-engine",
    change: "full backups kept 14 days",
    mutate: withConf("primary", { "repo1-retention-full": "14" }),
    message: /^database host db-primary: repo1 keeps full backups restorable for 14 d; the runbook needs 30 d/,
  },
  {
    policy: "retention-backup-engine",
    change: "full retention by count, 7 backups",
    mutate: withConf("secondary", { "repo2-retention-full-type": "count", "repo2-retention-full": "7" }),
    message: /^database host db-secondary: repo2 keeps full backups restorable for 6 d; the runbook needs 30 d/,
  },
  {
    policy: "retention-backup-engine",
    change: "WAL narrowed to one full backup's worth",
    mutate: withConf("primary", { "repo2-retention-archive": "1" }),
    message: /^database host db-primary: repo2 keeps WAL for 24 h; the runbook needs 48 h \(PITR window 24 h \+ full-backup interval 24 h\)/,
  },
  {
    policy: "retention-backup-engine",
    change: "retention-full left unset",
    mutate: (plan) => setHostFile(plan, "primary", confPath, pgbackrestConf().replace(/^repo1-retention-full=30$/m, "")),
    message: /^database host db-primary: repo1-retention-full is not set; set repo1-retention-full-type=time and repo1-retention-full=30/,
  },
  {
    policy: "retention-lifecycle-covers-engine",
    change: "WAL lifecycle lowered by one day (32 d)",
    mutate: (plan) => {
      ruleOf(plan, "primary", "wal-orphans").expiration = { days: 32 };
      return lifecycleOf(plan, "primary").urn;
    },
    message:
      /^lifecycle rule "wal-orphans" on WAL archive bucket wal-primary-bucket \(us-east-1\) expires objects under "pgbackrest\/archive\/" after 32 d, but pgBackRest keeps WAL \(pgbackrest\/archive\/\) for up to 750 h; lifecycle counts whole days and may run a day late, so use at least ceil\(750 \/ 24\) \+ 1 = 33 d/,
  },
  {
    policy: "retention-lifecycle-covers-engine",
    change: "a whole-bucket expiration of 7 days",
    mutate: (plan) => {
      ruleOf(plan, "secondary", "noncurrent-versions").expiration = { days: 7 };
      return lifecycleOf(plan, "secondary").urn;
    },
    message: /^lifecycle rule "noncurrent-versions" on WAL archive bucket wal-secondary-bucket \(us-west-2\) expires objects under "" after 7 d, but pgBackRest keeps backups/,
  },
  {
    policy: "retention-lifecycle-covers-engine",
    change: "the engine keeps full backups 45 days, the lifecycle still 33",
    mutate: (plan) => {
      withConf("primary", { "repo1-retention-full": "45" })(plan);
      return lifecycleOf(plan, "primary").urn;
    },
    message: /^lifecycle rule "backup-orphans" on WAL archive bucket wal-primary-bucket \(us-east-1\) expires objects under "pgbackrest\/backup\/" after 33 d, but pgBackRest keeps backups \(pgbackrest\/backup\/\) for up to 1110 h; .* = 48 d/,
  },
  {
    policy: "retention-lifecycle-covers-engine",
    change: "an expiration on a fixed date",
    mutate: (plan) => {
      ruleOf(plan, "primary", "backup-orphans").expiration = { date: "2027-01-01T00:00:00Z" };
      return lifecycleOf(plan, "primary").urn;
    },
    message: /expires objects on a fixed date \(2027-01-01T00:00:00Z\)/,
  },
  {
    policy: "retention-lifecycle-housekeeping",
    change: "no noncurrent-version expiry",
    mutate: (plan) => {
      delete ruleOf(plan, "primary", "noncurrent-versions").noncurrentVersionExpiration;
      return byName(plan, "wal-primary-bucket").urn;
    },
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) has no enabled lifecycle rule expiring noncurrent versions/,
  },
  {
    policy: "retention-lifecycle-housekeeping",
    change: "multipart abort disabled",
    mutate: (plan) => {
      (ruleOf(plan, "secondary", "abort-multipart") as Rule & { status: string }).status = "Disabled";
      return byName(plan, "wal-secondary-bucket").urn;
    },
    message: /^WAL archive bucket wal-secondary-bucket \(us-west-2\) has no enabled lifecycle rule aborting incomplete multipart uploads/,
  },
  {
    policy: "retention-log-groups",
    change: "log group kept 30 days",
    mutate: (plan) => {
      const group = byName(plan, "backup-logs-primary");
      group.inputs.retentionInDays = 30;
      return group.urn;
    },
    message: /^log group keeps logs for 30 d; the SLA needs at least 90 d/,
  },
];

describeViolationCases(cases);

describe("lifecycle days required for what the engine keeps", () => {
  it.each([
    [48, 3],
    [744, 32],
    [750, 33],
    [1, 2],
  ])("%i h -> %i d (whole days, rounded up, plus one)", (hours, days) => {
    expect(requiredLifecycleDays(hours)).toBe(days);
  });

  it("lifecycle rules under another prefix are not the engine's business", async () => {
    const plan = compliantPlan();
    (byName(plan, "wal-primary-lifecycle").inputs.rules as Rule[]).push({ id: "reports", filter: { prefix: "reports/" }, expiration: { days: 1 }, ...{ status: "Enabled" } });
    expect(await violationsOf("retention-lifecycle-covers-engine", plan)).toEqual([]);
  });

  it("a log group kept forever (no retention) passes", async () => {
    const plan = compliantPlan();
    delete byName(plan, "backup-logs-primary").inputs.retentionInDays;
    expect(await violationsOf("retention-log-groups", plan)).toEqual([]);
  });
});
