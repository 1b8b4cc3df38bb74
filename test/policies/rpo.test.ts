import { describe, expect, it } from "vitest";
import { byName, compliantPlan, pgbackrestConf, setHostFile, timerText, violationsOf, type ViolationCase, describeViolationCases } from "./fixtures";

const setFile = (role: "primary" | "secondary", path: string, text: string) => (plan: ReturnType<typeof compliantPlan>) => setHostFile(plan, role, path, text);

const cases: ViolationCase[] = [
  {
    policy: "rpo-wal-pushed-to-every-region",
    change: "the primary host's repo2 points at a bucket in another region",
    mutate: setFile("primary", "/etc/pgbackrest/pgbackrest.conf", pgbackrestConf({ "repo2-s3-region": "eu-west-1" })),
    message: /^database host db-primary does not push WAL to WAL archive bucket wal-secondary-bucket \(us-west-2\): add an S3 repository with repoN-s3-bucket=crazy-gary-test-wal-us-west-2 and repoN-s3-region=us-west-2/,
  },
  {
    policy: "rpo-wal-pushed-to-every-region",
    change: "the secondary bucket is gone (one region left)",
    mutate: (plan) => {
      plan.splice(plan.indexOf(byName(plan, "wal-secondary-bucket")), 1);
      return undefined;
    },
    message: /^WAL archive buckets exist in 1 region\(s\) \(us-east-1\); the RPO needs a WalArchiveBucket in each of at least 2 regions/,
  },
  {
    policy: "rpo-wal-pushed-to-every-region",
    change: "archive_command no longer runs archive-push",
    mutate: setFile("secondary", "/opt/crazy-gary-dr/bin/configure-postgres.sh", "psql -c \"ALTER SYSTEM SET archive_command = '/bin/true'\""),
    message: /^database host db-secondary sets no archive_command that runs pgbackrest archive-push/,
  },
  {
    policy: "rpo-archive-timeout",
    change: "archive_timeout raised to 300 s",
    mutate: setFile("primary", "/etc/crazy-gary-dr/dr.env", "DR_STANZA=crazy-gary\nDR_ARCHIVE_TIMEOUT_SECONDS=300\n"),
    message: /^database host db-primary sets archive_timeout to 300 s; it must be between 1 and 60 s \(RPO 5 min \/ 5\)/,
  },
  {
    policy: "rpo-archive-timeout",
    change: "archive_timeout disabled (0)",
    mutate: setFile("secondary", "/etc/crazy-gary-dr/dr.env", "DR_ARCHIVE_TIMEOUT_SECONDS=0\n"),
    message: /^database host db-secondary sets archive_timeout to 0 s \(disabled\)/,
  },
  {
    policy: "rpo-wal-freshness-alarm",
    change: "the freshness window widened to 2 × 300 s",
    mutate: (plan) => {
      const alarm = byName(plan, "alarm-wal-archive-freshness-primary");
      alarm.inputs.evaluationPeriods = 2;
      return alarm.urn;
    },
    message: /^WAL-freshness alarm test-wal-archive-freshness-us-east-1 decides over 600 s; the window \(period × evaluation periods\) must be at most the database RPO, 300 s/,
  },
  {
    policy: "rpo-wal-freshness-alarm",
    change: "missing data no longer breaches",
    mutate: (plan) => {
      const alarm = byName(plan, "alarm-wal-archive-freshness-secondary");
      alarm.inputs.treatMissingData = "notBreaching";
      return alarm.urn;
    },
    message: /treats missing data as "notBreaching"; no WAL upload means no data point, so it must be "breaching"/,
  },
  {
    policy: "rpo-wal-freshness-alarm",
    change: "the secondary region's freshness alarm moved to the primary region",
    mutate: (plan) => {
      byName(plan, "alarm-wal-archive-freshness-secondary").region = "us-east-1";
      return byName(plan, "wal-secondary-bucket").urn;
    },
    message: /^WAL archive bucket wal-secondary-bucket \(us-west-2\) has no WAL-freshness alarm in us-west-2/,
  },
  {
    policy: "rpo-replica-lag-alarm",
    change: "replica-lag threshold raised to 600 s",
    mutate: (plan) => {
      const alarm = byName(plan, "alarm-replica-lag-secondary");
      alarm.inputs.threshold = 600;
      return alarm.urn;
    },
    message: /^replica-lag alarm test-replica-lag-us-west-2 fires above 600 s; the threshold must be at most the database RPO, 300 s/,
  },
  {
    policy: "rpo-replica-lag-alarm",
    change: "the standby's replica-lag alarm pages P1 (today's bug: the alarm that can fire pages one level lower)",
    mutate: (plan) => {
      const alarm = byName(plan, "alarm-replica-lag-secondary");
      alarm.inputs.tags = { Severity: "P1", RegionRole: "secondary" };
      return alarm.urn;
    },
    message: /^replica-lag alarm test-replica-lag-us-west-2 pages P1; lag beyond the RPO risks data loss and must page P0/,
  },
  {
    policy: "rpo-replica-lag-alarm",
    change: "only the active region has a replica-lag alarm (silent: the metric is published by the standby)",
    mutate: (plan) => {
      plan.splice(plan.indexOf(byName(plan, "alarm-replica-lag-secondary")), 1);
      return byName(plan, "wal-secondary-bucket").urn;
    },
    message: /^no replica-lag alarm in us-west-2 of wal-secondary-bucket \(us-west-2\); the standby may run in any database region/,
  },
  {
    policy: "rpo-replica-lag-alarm",
    change: "the standby's alarm has its actions off",
    mutate: (plan) => {
      byName(plan, "alarm-replica-lag-secondary").inputs.actionsEnabled = false;
      return byName(plan, "alarm-replica-lag-primary").urn;
    },
    message: /^no replica-lag alarm can page: none has actions enabled with treatMissingData "breaching"/,
  },
  {
    policy: "rpo-backup-schedule",
    change: "full backups moved to weekly",
    mutate: setFile("primary", "/etc/systemd/system/crazy-gary-backup-full.timer", timerText("crazy-gary-backup-full", "Sun *-*-* 02:00:00 UTC")),
    message: /^database host db-primary: full backups run less than daily or never; the runbook needs one at least every 24 h/,
  },
  {
    policy: "rpo-backup-schedule",
    change: "incrementals every 12 h",
    mutate: setFile("secondary", "/etc/systemd/system/crazy-gary-backup-incr.timer", timerText("crazy-gary-backup-incr", "*-*-* 00/12:00:00 UTC")),
    message: /^database host db-secondary: backups run up to 12 h apart; the runbook needs an incremental at least every 6 h/,
  },
];

describeViolationCases(cases);

describe("RPO settings", () => {
  it("tightened to a 2-minute RPO, refuses the 60 s archive_timeout (over 2 min / 5 = 24 s)", async () => {
    const violations = await violationsOf("rpo-archive-timeout", compliantPlan(), { databaseRpoMinutes: 2 });
    expect(violations.map((v) => v.message)).toEqual([
      "database host db-primary sets archive_timeout to 60 s; it must be between 1 and 24 s (RPO 2 min / 5)",
      "database host db-secondary sets archive_timeout to 60 s; it must be between 1 and 24 s (RPO 2 min / 5)",
    ]);
  });
});
