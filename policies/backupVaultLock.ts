/**
 * Backup-copy rule: every AWS Backup vault is under Vault Lock, with a minimum retention no
 * shorter than the runbook's full-backup retention (30 d; `fullRetentionDays`) and a bounded
 * maximum. Without a lock, anyone allowed `backup:DeleteRecoveryPoint` empties the vault.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { stackPolicy } from "./define";
import { backupTypes, locksOf } from "./backupView";
import { resolveSettings, type RecoverySettings } from "./settings";
import { describe, peek } from "./stackView";

export const backupVaultLockPolicyName = "backup-vault-locked";

export function checkVaultLocks(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  for (const vault of resources.filter((r) => r.type === backupTypes.vault)) {
    const locks = locksOf(resources, vault);
    if (locks.length === 0) {
      report(`backup vault ${describe(vault)} has no Vault Lock: its recovery points can be deleted at any time; declare a VaultLockConfiguration (compliance mode, minRetentionDays >= ${settings.fullRetentionDays})`, vault.urn);
      continue;
    }
    for (const lock of locks) {
      const min = peek(() => lock.props.minRetentionDays);
      const max = peek(() => lock.props.maxRetentionDays);
      if (typeof min !== "number" || min < settings.fullRetentionDays) {
        report(`backup vault ${describe(vault)} is locked with minRetentionDays ${min ?? "unset"}: shorter than the runbook's ${settings.fullRetentionDays} d; use a value >= ${settings.fullRetentionDays}`, lock.urn);
      }
      if (typeof max !== "number") report(`backup vault ${describe(vault)} is locked without maxRetentionDays; bound it (the stack's default is 365)`, lock.urn);
    }
  }
}

export function createBackupVaultLockPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  return [
    stackPolicy(
      { name: backupVaultLockPolicyName, description: "Every AWS Backup vault is under Vault Lock with minRetentionDays >= the runbook's full-backup retention and a bounded maximum.", settings: ["fullRetentionDays"] },
      resolveSettings(overrides),
      (resources, settings, report) => checkVaultLocks(resources, settings, report),
    ),
  ];
}
