import { describe, expect, it } from "vitest";
import { walArchiveBucketPolicy, walArchiveBucketType } from "../components/walArchiveBucket";
import {
  deriveWalArchiveLifecycleDays,
  lifecycleDaysFor,
  repositoryKeyPrefix,
  walArchiveLifecycleRules,
  type BackupCadence,
  type WalArchiveRetention,
} from "../domain/walArchiveLifecycle";
import { StackConfigError } from "../infra/parseConfig";
import { backups } from "../domain/runbook";
import { stackLifecycleDays } from "../infra/backups";
import { configOf, filesOfInstallScript, ofType, parentName, planOf, providerName, resource } from "./support/backups";
import type { Plan } from "../tools/offline";

const runbookRetention: WalArchiveRetention = {
  fullDays: backups.full.retentionDays,
  incrementalDays: backups.incremental.retentionDays,
  walHours: backups.transactionLogs.retentionHours,
  pitrHours: backups.pointInTimeRecovery.windowHours,
  noncurrentVersionDays: 7,
};
const runbookCadence: BackupCadence = { fullIntervalHours: backups.full.intervalHours, incrementalIntervalHours: backups.incremental.intervalHours };

describe("lifecycle days from hours", () => {
  it.each([
    [1, 2],
    [24, 2],
    [25, 3],
    [48, 3],
    [750, 33],
  ])("%i h is kept by %i lifecycle days (whole days rounded up, plus one margin day)", (hours, days) => {
    expect(lifecycleDaysFor(hours)).toBe(days);
  });

  it.each([0, -5, Number.NaN])("refuses %s hours", (hours) => {
    expect(() => lifecycleDaysFor(hours)).toThrow(/hours is .*use a number > 0/);
  });
});

describe("lifecycle horizons derived from the retention", () => {
  it("with the runbook's numbers: archive/ and backup/ 33 days, noncurrent versions 7, uploads 1", () => {
    // 30 d full retention + 24 h full interval + 6 h until the next expire = 750 h -> 32 d + 1 margin day.
    expect(deriveWalArchiveLifecycleDays(runbookRetention, runbookCadence)).toEqual({
      archiveDays: 33,
      backupDays: 33,
      noncurrentVersionDays: 7,
      abortIncompleteMultipartUploadDays: 1,
    });
  });

  it.each([
    ["a longer full retention moves both horizons", { fullDays: 35 }, {}, 38, 38],
    ["a WAL retention beyond the backups' horizon moves only archive/", { walHours: 1000 }, {}, 43, 33],
    ["a PITR window beyond it moves only archive/ (window + full interval)", { pitrHours: 1000 }, {}, 44, 33],
    ["an incremental retention longer than the full one counts instead", { incrementalDays: 40 }, {}, 43, 43],
    ["a shorter incremental interval keeps the same whole days", {}, { incrementalIntervalHours: 1 }, 33, 33],
  ] as const)("%s", (_, retention, cadence, archiveDays, backupDays) => {
    const days = deriveWalArchiveLifecycleDays({ ...runbookRetention, ...retention }, { ...runbookCadence, ...cadence });
    expect([days.archiveDays, days.backupDays]).toEqual([archiveDays, backupDays]);
  });

  it("never expires before the engine lets go: every horizon covers engine retention + full interval + expire delay", () => {
    for (const fullDays of [30, 31, 45, 90]) {
      for (const incrementalIntervalHours of [1, 2, 3, 4, 6]) {
        const days = deriveWalArchiveLifecycleDays({ ...runbookRetention, fullDays }, { ...runbookCadence, incrementalIntervalHours });
        const engineHours = fullDays * 24 + runbookCadence.fullIntervalHours + incrementalIntervalHours;
        expect(days.backupDays * 24).toBeGreaterThanOrEqual(engineHours + 24);
        expect(days.archiveDays * 24).toBeGreaterThanOrEqual(Math.max(engineHours, runbookRetention.walHours) + 24);
      }
    }
  });

  it.each([
    [{ fullDays: 0 }, {}, "retention.fullDays"],
    [{ walHours: 1.5 }, {}, "retention.walHours"],
    [{ noncurrentVersionDays: -1 }, {}, "retention.noncurrentVersionDays"],
    [{}, { incrementalIntervalHours: 0 }, "cadence.incrementalIntervalHours"],
  ] as const)("refuses a bad value, naming it: %o %o", (retention, cadence, key) => {
    expect(() => deriveWalArchiveLifecycleDays({ ...runbookRetention, ...retention }, { ...runbookCadence, ...cadence })).toThrow(
      new RegExp(`walArchiveLifecycle: ${key.replace(".", "\\.")} is .*; use a whole number >= 1`),
    );
  });
});

describe("repository prefixes and rules", () => {
  it.each([
    ["/", "archive", "archive/"],
    ["/", "backup", "backup/"],
    ["/pgbackrest", "archive", "pgbackrest/archive/"],
    ["/a/b", "backup", "a/b/backup/"],
  ] as const)("repo-path %s puts %s/ at %s", (path, folder, prefix) => {
    expect(repositoryKeyPrefix(path, folder)).toBe(prefix);
  });

  it.each(["", "pgbackrest", "/pgbackrest/", "/a//b"])("refuses repo-path %j", (path) => {
    expect(() => repositoryKeyPrefix(path, "archive")).toThrow(/repositoryPath is .*use "\/" or an absolute path/);
  });

  it("has one rule per repository folder and one for the whole bucket, without any transition", () => {
    const rules = walArchiveLifecycleRules("/pgbackrest", { archiveDays: 40, backupDays: 41, noncurrentVersionDays: 9, abortIncompleteMultipartUploadDays: 1 });
    expect(rules).toEqual([
      { id: "expire-archive-past-engine-retention", status: "Enabled", filter: { prefix: "pgbackrest/archive/" }, expiration: { days: 40 } },
      { id: "expire-backup-past-engine-retention", status: "Enabled", filter: { prefix: "pgbackrest/backup/" }, expiration: { days: 41 } },
      {
        id: "noncurrent-versions-and-incomplete-uploads",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { expiredObjectDeleteMarker: true },
        noncurrentVersionExpiration: { noncurrentDays: 9 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
  });
});

describe("the bucket policy", () => {
  it("denies every request without TLS or with TLS older than 1.2, on the bucket and its objects", () => {
    expect(walArchiveBucketPolicy("arn:aws:s3:::b")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
      ],
    });
  });
});

const childrenOf = (plan: Plan, component: string) => plan.resources.filter((r) => parentName(r) === component && r.custom);

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("the %s stack's WAL archive buckets", (stack, regions) => {
  describe.each(["primary", "secondary"] as const)("%s", (role) => {
    const name = `wal-archive-${role}`;
    const region = regions[role];

    it(`is a ${walArchiveBucketType} whose every resource lands in ${region} through the ${role} provider`, async () => {
      const plan = await planOf(stack);
      expect(resource(plan, walArchiveBucketType, name).custom).toBe(false);
      const children = childrenOf(plan, name);
      expect(children.map((r) => r.type).sort()).toEqual([
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
      ]);
      for (const child of children) {
        expect([child.name, child.region, providerName(child)]).toEqual([child.name, region, `aws-${role}`]);
        expect(child.name.startsWith(`${name}-`)).toBe(true);
      }
    });

    it("protects the bucket and its key; the key rotates", async () => {
      const plan = await planOf(stack);
      const bucket = resource(plan, "aws:s3/bucket:Bucket", `${name}-bucket`);
      const key = resource(plan, "aws:kms/key:Key", `${name}-key`);
      expect([bucket.options.protect, key.options.protect]).toEqual([true, true]);
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
      expect(bucket.inputs.forceDestroy).toBe(false);
    });

    it("is versioned, encrypted with its own region's key and a bucket key, private, owner-enforced, TLS-only, and sends events to EventBridge", async () => {
      const plan = await planOf(stack);
      const bucketName = (plan.outputs.walArchiveBuckets as Record<string, string>)[role];
      const keyArn = `arn:aws:kms:${region}:123456789012:key/${name}-key-id`;
      expect(resource(plan, "aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`).inputs).toEqual({ bucket: bucketName, versioningConfiguration: { status: "Enabled" } });
      expect(resource(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-encryption`).inputs).toEqual({
        bucket: bucketName,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
      });
      expect(resource(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-public-access-block`).inputs).toEqual({
        bucket: bucketName,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(resource(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${name}-ownership`).inputs).toEqual({ bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } });
      const policy = resource(plan, "aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`);
      expect(JSON.parse(policy.inputs.policy as string)).toEqual(walArchiveBucketPolicy(`arn:aws:s3:::${bucketName}`));
      expect(resource(plan, "aws:s3/bucketNotification:BucketNotification", `${name}-eventbridge`).inputs).toEqual({ bucket: bucketName, eventbridge: true });
    });

    it("expires archive/ and backup/ after 33 days, noncurrent versions after 7, uploads after 1, and transitions nothing", async () => {
      const plan = await planOf(stack);
      const lifecycle = resource(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${name}-lifecycle`);
      const rules = lifecycle.inputs.rules as Record<string, unknown>[];
      expect(rules.map((r) => [r.id, r.filter, r.expiration, r.noncurrentVersionExpiration, r.abortIncompleteMultipartUpload])).toEqual([
        ["expire-archive-past-engine-retention", { prefix: "archive/" }, { days: 33 }, undefined, undefined],
        ["expire-backup-past-engine-retention", { prefix: "backup/" }, { days: 33 }, undefined, undefined],
        ["noncurrent-versions-and-incomplete-uploads", { prefix: "" }, { expiredObjectDeleteMarker: true }, { noncurrentDays: 7 }, { daysAfterInitiation: 1 }],
      ]);
      expect(rules).toEqual(walArchiveLifecycleRules("/", stackLifecycleDays(configOf(stack))));
      expect(rules.every((r) => r.transitions === undefined && r.noncurrentVersionTransitions === undefined)).toBe(true);
      expect(lifecycle.options.dependsOn).toContain(resource(plan, "aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`).urn);
    });
  });

  it("exports the bucket names per region role and the derived lifecycle days", async () => {
    const plan = await planOf(stack);
    // The mock names an auto-named bucket `<logical name>-0a1b2c3`.
    expect(plan.outputs.walArchiveBuckets).toEqual({ primary: "wal-archive-primary-bucket-0a1b2c3", secondary: "wal-archive-secondary-bucket-0a1b2c3" });
    expect(plan.outputs.walArchiveLifecycleDays).toEqual({ archiveDays: 33, backupDays: 33, noncurrentVersionDays: 7, abortIncompleteMultipartUploadDays: 1 });
  });
});

describe("retention changes in config", () => {
  const tightened = ["retention.fullDays=35"];

  it("a tightened full retention (35 d) moves every lifecycle horizon and both hosts' pgBackRest retention", async () => {
    const plan = await planOf("prod", tightened);
    for (const role of ["primary", "secondary"]) {
      const rules = resource(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `wal-archive-${role}-lifecycle`).inputs.rules as { expiration: { days?: number } }[];
      // 35 d + 24 h + 6 h = 870 h -> 37 d + 1 margin day.
      expect(rules.slice(0, 2).map((r) => r.expiration.days)).toEqual([38, 38]);
      const install = resource(plan, "command:remote:Command", `database-host-${role}-files`).inputs.stdin as string;
      const conf = filesOfInstallScript(install).get("/etc/pgbackrest/pgbackrest.conf")!.content;
      expect(conf.match(/^repo\d-retention-full=\d+$/gm)).toEqual(["repo1-retention-full=35", "repo2-retention-full=35"]);
    }
    expect(plan.outputs.walArchiveLifecycleDays).toMatchObject({ archiveDays: 38, backupDays: 38 });
  });

  it("a tightened noncurrent-version window reaches both buckets", async () => {
    const plan = await planOf("prod", ["retention.noncurrentVersionDays=14"]);
    for (const role of ["primary", "secondary"]) {
      const rules = resource(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `wal-archive-${role}-lifecycle`).inputs.rules as { noncurrentVersionExpiration?: { noncurrentDays: number } }[];
      expect(rules[2]!.noncurrentVersionExpiration).toEqual({ noncurrentDays: 14 });
    }
  });

  it.each([
    ["retention.fullDays=20", "crazy-gary-dr:retention.fullDays: 20 is looser than the runbook's 30 d"],
    ["retention.walHours=24", "crazy-gary-dr:retention.walHours: 24 is looser than the runbook's 48 h"],
    ["retention.pitrHours=12", "crazy-gary-dr:retention.pitrHours: 12 is looser than the runbook's 24 h"],
  ])("a loosened retention (%s) is refused before any resource, naming the key", async (setting, message) => {
    const error = await planOf("prod", [setting]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).message).toContain(message);
  });

  it("keeps the stack's other resources unchanged in number", async () => {
    const [base, tight] = await Promise.all([planOf("prod"), planOf("prod", tightened)]);
    expect(tight.resources.map((r) => r.urn)).toEqual(base.resources.map((r) => r.urn));
    expect(ofType(tight, "aws:s3/bucket:Bucket").map((r) => r.inputs)).toEqual(ofType(base, "aws:s3/bucket:Bucket").map((r) => r.inputs));
  });
});
