/**
 * `ImmutableBackupCopy`: a copy of every region's pgBackRest repository bucket that nobody
 * reachable from a database host can delete or shorten. The hosts' role must be able to delete
 * repository objects (pgBackRest expires its own backups), so whoever takes a host can empty
 * both buckets; this copy lives in AWS Backup, out of that role's reach, under Vault Lock.
 *
 * Per region role: a KMS key and a backup vault with Vault Lock (compliance mode by default),
 * and a backup plan for that region's bucket: continuous backup (point-in-time restore) and a
 * daily snapshot, copied to the other region's locked vault. One IAM role for AWS Backup with
 * the AWS managed S3 backup and restore policies. Where the copy lives and why: see
 * `domain/immutableBackupCopy.ts` and docs/runbooks/security-breach.md.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { backupRegionOptIn, backupRules, backupVaultName, vaultLock, type BackupCopySettings } from "../domain/immutableBackupCopy";
import { otherRole, perRole, regionRoles, type RegionRole } from "../domain/topology";

export const immutableBackupCopyType = "crazygary:dr:ImmutableBackupCopy";

/**
 * The AWS managed policies AWS Backup needs to back up and restore S3 buckets ("Amazon S3
 * backups", prerequisites: "Add the AWSBackupServiceRolePolicyForS3Backup and
 * AWSBackupServiceRolePolicyForS3Restore to the roles that you intend to use").
 */
export const s3BackupManagedPolicyArns = Object.freeze({
  backup: "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
  restore: "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
});

/** Trust policy: only AWS Backup assumes the role. */
export function backupTrustPolicy(): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "AwsBackupAssumes", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
}

export interface ImmutableBackupCopyArgs {
  /** Environment name, used in vault and plan names and the vault's `Environment` tag. @example "prod" */
  environment: string;
  /** Region code per role. @example { primary: "us-east-1", secondary: "us-west-2" } */
  regions: Record<RegionRole, string>;
  /** Each role's repository bucket ARN (from `WalArchiveBucket`; the bucket must be versioned). */
  bucketArns: Record<RegionRole, pulumi.Input<string>>;
  /** Lock mode and retention, in days. @default none: the stack passes `backupCopy` from config (compliance, 30..365 d, 35 d) */
  settings: BackupCopySettings;
  /**
   * Daily snapshot schedule, an AWS Backup cron in UTC.
   * @default none: the stack passes `dailySnapshotSchedule(schedules.fullBackupTimeUtc)` (05:00 UTC)
   */
  snapshotSchedule: string;
  /** AWS provider per region role; the IAM role is declared through the primary's. */
  providers: Record<RegionRole, aws.Provider>;
}

export class ImmutableBackupCopy extends pulumi.ComponentResource {
  /** Vault name per region role. */
  readonly vaultNames: Record<RegionRole, string>;
  readonly vaultArns: Record<RegionRole, pulumi.Output<string>>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ImmutableBackupCopyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(immutableBackupCopyType, name, {}, opts);
    const at = (role: RegionRole) => ({ parent: this, provider: args.providers[role] });

    const role = new aws.iam.Role(`${name}-role`, { description: `AWS Backup: locked copies of the Crazy-Gary ${args.environment} repositories`, assumeRolePolicy: backupTrustPolicy() }, at("primary"));
    for (const [kind, policyArn] of Object.entries(s3BackupManagedPolicyArns)) {
      new aws.iam.RolePolicyAttachment(`${name}-role-s3-${kind}`, { role: role.name, policyArn }, at("primary"));
    }

    this.vaultNames = perRole((r) => backupVaultName(args.environment, args.regions[r]));
    const vaults = perRole((r) => {
      const key = new aws.kms.Key(
        `${name}-${r}-key`,
        { description: `Encrypts the locked AWS Backup vault of the ${args.environment} repositories in ${args.regions[r]}`, enableKeyRotation: true, deletionWindowInDays: 30 },
        { ...at(r), protect: true },
      );
      const vault = new aws.backup.Vault(
        `${name}-${r}-vault`,
        { name: this.vaultNames[r], kmsKeyArn: key.arn, forceDestroy: false, tags: { Environment: args.environment } },
        { ...at(r), protect: true },
      );
      new aws.backup.VaultLockConfiguration(`${name}-${r}-lock`, { backupVaultName: vault.name, ...vaultLock(args.settings) }, { ...at(r), protect: true });
      return vault;
    });

    for (const r of regionRoles) {
      const other = otherRole(r);
      // The region's opt-in to back up S3 (account-wide in the region; domain/immutableBackupCopy.ts
      // `backupRegionOptIn` cites why it is declared). The selection waits for it.
      const optIn = new aws.backup.RegionSettings(`${name}-${r}-region-settings`, { resourceTypeOptInPreference: { ...backupRegionOptIn } }, { ...at(r), retainOnDelete: true });
      const plan = new aws.backup.Plan(
        `${name}-${r}-plan`,
        {
          name: `crazy-gary-${args.environment}-repository-${args.regions[r]}`,
          rules: vaults[other].arn.apply((copyVaultArn) => backupRules(args.settings, { name: this.vaultNames[r], copyVaultArn, schedule: args.snapshotSchedule })),
        },
        { ...at(r), dependsOn: [vaults[r]] },
      );
      new aws.backup.Selection(
        `${name}-${r}-selection`,
        { name: `crazy-gary-${args.environment}-repository`, planId: plan.id, iamRoleArn: role.arn, resources: [args.bucketArns[r]] },
        { ...at(r), dependsOn: [optIn] },
      );
    }

    this.vaultArns = perRole((r) => vaults[r].arn);
    this.roleArn = role.arn;
    this.registerOutputs({ vaultNames: this.vaultNames, vaultArns: this.vaultArns, roleArn: this.roleArn });
  }
}
