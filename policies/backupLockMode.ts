/**
 * Backup-copy rule: on prod, Vault Lock is in compliance mode. A governance-mode lock (no
 * `changeableForDays`) is removed by anyone allowed `backup:DeleteBackupVaultLockConfiguration`
 * (CloudFormation `AWS::Backup::BackupVault LockConfigurationType`), which an intruder with
 * administrator rights is. Which environment a vault belongs to is its `Environment` tag; a vault
 * without one is treated as prod.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { settinglessStackPolicy } from "./define";
import { backupTypes, isComplianceMode, locksOf } from "./backupView";
import { describe, knownString, peek } from "./stackView";

export const backupLockModePolicyName = "backup-vault-compliance-mode-on-prod";

/** The environments whose vaults must be in compliance mode. */
export const complianceEnvironments = Object.freeze(["prod"]);

export function checkLockMode(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const vault of resources.filter((r) => r.type === backupTypes.vault)) {
    const environment = knownString(peek(() => vault.props.tags?.Environment));
    if (environment !== undefined && !complianceEnvironments.includes(environment)) continue;
    for (const lock of locksOf(resources, vault).filter((l) => !isComplianceMode(l))) {
      report(
        `backup vault ${describe(vault)} (${environment ?? "no Environment tag, treated as prod"}) is locked in governance mode: an administrator can remove the lock and delete the copies; set changeableForDays (>= 3) for compliance mode (backupCopy.lockMode: compliance)`,
        lock.urn,
      );
    }
  }
}

export const createBackupLockModePolicies = settinglessStackPolicy(
  backupLockModePolicyName,
  "Prod's AWS Backup vaults are locked in compliance mode, not governance mode.",
  checkLockMode,
);
