/**
 * The locked AWS Backup copy of both repository buckets, as the prod and dr plans declare it,
 * and the pure decisions behind it (lock bounds, rules, schedule, bad settings).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { s3BackupManagedPolicyArns } from "../components/immutableBackupCopy";
import { backupCopyProblems, dailySnapshotSchedule, vaultLock, type BackupCopySettings } from "../domain/immutableBackupCopy";
import { StackConfigError } from "../infra/parseConfig";
import { mockAccountId, planStack, type Plan } from "../tools/offline";
import { sharedPlan } from "./support/plans";

const defaults: BackupCopySettings = { lockMode: "compliance", minRetentionDays: 30, maxRetentionDays: 365, snapshotRetentionDays: 35, continuousRetentionDays: 35, changeableForDays: 3 };

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("%s plan", (stack, regions) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan(stack);
  });
  const named = (name: string) => plan.resources.find((r) => r.name === name)!;

  describe.each(["primary", "secondary"] as const)("%s region", (role) => {
    const other = role === "primary" ? "secondary" : "primary";

    it("keeps a protected vault under its own rotating, protected KMS key, locked in compliance mode for 30..365 d", () => {
      const vault = named(`backup-copy-${role}-vault`);
      const key = named(`backup-copy-${role}-key`);
      expect(vault.region).toBe(regions[role]);
      expect(vault.inputs).toMatchObject({ name: `crazy-gary-${stack}-repositories-${regions[role]}`, forceDestroy: false, kmsKeyArn: `arn:aws:kms:${regions[role]}:${mockAccountId}:key/${key.name}-id`, tags: { Environment: stack } });
      expect([vault.options.protect, key.options.protect, key.inputs.enableKeyRotation]).toEqual([true, true, true]);
      expect(named(`backup-copy-${role}-lock`).inputs).toMatchObject({ backupVaultName: vault.inputs.name, minRetentionDays: 30, maxRetentionDays: 365, changeableForDays: 3 });
    });

    it("opts the region in to S3 backups (AWS Backup RegionSettings), and the selection waits for it", () => {
      const optIn = named(`backup-copy-${role}-region-settings`);
      expect([optIn.type, optIn.region, optIn.inputs.resourceTypeOptInPreference, optIn.options.retainOnDelete]).toEqual(["aws:backup/regionSettings:RegionSettings", regions[role], { S3: true }, true]);
      expect(named(`backup-copy-${role}-selection`).options.dependsOn).toContain(optIn.urn);
    });

    it("backs up that region's bucket continuously (35 d) and daily at 05:00 UTC, copying the daily snapshot to the other region's vault", () => {
      const bucket = named(`wal-archive-${role}-bucket`);
      const selection = named(`backup-copy-${role}-selection`);
      expect(selection.inputs.resources).toEqual([`arn:aws:s3:::${bucket.name}-0a1b2c3`]);
      expect(selection.inputs.iamRoleArn).toBe(`arn:aws:iam::${mockAccountId}:role/backup-copy-role`);
      expect(named(`backup-copy-${role}-plan`).inputs.rules).toEqual([
        { ruleName: "continuous", targetVaultName: `crazy-gary-${stack}-repositories-${regions[role]}`, enableContinuousBackup: true, lifecycle: { deleteAfter: 35 }, copyActions: [] },
        {
          ruleName: "daily-snapshot",
          targetVaultName: `crazy-gary-${stack}-repositories-${regions[role]}`,
          schedule: "cron(0 5 * * ? *)",
          enableContinuousBackup: false,
          lifecycle: { deleteAfter: 35 },
          copyActions: [{ destinationVaultArn: `arn:aws:backup:${regions[other]}:${mockAccountId}:backup-copy-${other}-vault`, lifecycle: { deleteAfter: 35 } }],
        },
      ]);
    });
  });

  it("gives AWS Backup one role with the AWS managed S3 backup and restore policies, and nothing else", () => {
    const attachments = plan.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("backup-copy-"));
    expect(attachments.map((a) => a.inputs.policyArn).sort()).toEqual([s3BackupManagedPolicyArns.backup, s3BackupManagedPolicyArns.restore]);
    expect(JSON.parse(named("backup-copy-role").inputs.assumeRolePolicy as string).Statement).toEqual([
      { Sid: "AwsBackupAssumes", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("exports the vault names", () => {
    expect(plan.outputs.backupVaults).toEqual({ primary: `crazy-gary-${stack}-repositories-${regions.primary}`, secondary: `crazy-gary-${stack}-repositories-${regions.secondary}` });
  });
});

describe("settings", () => {
  it("a governance lock has no changeableForDays; a compliance lock has it", () => {
    expect(vaultLock(defaults)).toEqual({ minRetentionDays: 30, maxRetentionDays: 365, changeableForDays: 3 });
    expect(vaultLock({ ...defaults, lockMode: "governance" })).toEqual({ minRetentionDays: 30, maxRetentionDays: 365 });
  });

  it("takes the snapshot 3 h after the full backup, wrapping past midnight", () => {
    expect(dailySnapshotSchedule("02:00")).toBe("cron(0 5 * * ? *)");
    expect(dailySnapshotSchedule("22:30")).toBe("cron(30 1 * * ? *)");
  });

  it.each([
    [{ minRetentionDays: 7 }, "minRetentionDays", "is shorter than the runbook's 30 d full-backup retention; use a value >= 30, e.g. 30"],
    [{ continuousRetentionDays: 40, maxRetentionDays: 365 }, "continuousRetentionDays", "is longer than the 35 d AWS Backup keeps continuous S3 backups; use a value <= 35, e.g. 35"],
    [{ snapshotRetentionDays: 400 }, "snapshotRetentionDays", "is outside the vault lock's 30..365 d, so AWS Backup would fail the job; use a value in that range, e.g. 35"],
    [{ changeableForDays: 1 }, "changeableForDays", "is shorter than AWS Backup's 3-day cooling-off; use a value >= 3, e.g. 3"],
  ])("refuses %j", (change, key, message) => {
    expect(backupCopyProblems({ ...defaults, ...change }, 30)).toContainEqual({ key, message });
  });

  it("refuses a loosened copy at config time, naming the key", async () => {
    const error = await planStack("dr", { set: ["backupCopy.minRetentionDays=7"] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual(["crazy-gary-dr:backupCopy.minRetentionDays: 7 is shorter than the runbook's 30 d full-backup retention; use a value >= 30, e.g. 30"]);
  });
});
