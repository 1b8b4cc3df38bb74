/**
 * Backup-copy rule: every WAL archive bucket (a pgBackRest repository) is selected into an AWS
 * Backup plan whose rules write into a vault under Vault Lock, so a copy exists that the
 * database hosts' role (which may delete repository objects) cannot delete.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { settinglessStackPolicy } from "./define";
import { locksOf, plansOfBucket, targetVaultsOf } from "./backupView";
import { describe, walArchiveBuckets } from "./stackView";

export const backupCopyCoveragePolicyName = "backup-copy-every-repository";

export function checkBackupCopyCoverage(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const bucket of walArchiveBuckets(resources)) {
    const plans = plansOfBucket(resources, bucket);
    const locked = plans.flatMap((plan) => targetVaultsOf(resources, plan)).filter((vault) => locksOf(resources, vault).length > 0);
    if (locked.length > 0) continue;
    report(
      plans.length === 0
        ? `WAL archive bucket ${describe(bucket)} is in no AWS Backup selection: whoever holds a database host can delete every backup in it; select it into the ImmutableBackupCopy plan`
        : `WAL archive bucket ${describe(bucket)} is backed up only into vaults without Vault Lock: the copy can be deleted; target a locked vault`,
      bucket.urn,
    );
  }
}

export const createBackupCopyCoveragePolicies = settinglessStackPolicy(
  backupCopyCoveragePolicyName,
  "Every pgBackRest repository bucket is backed up by AWS Backup into a vault under Vault Lock.",
  checkBackupCopyCoverage,
);
