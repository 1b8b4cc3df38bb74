/**
 * The pack's policies, in one list: `index.ts` hands it to CrossGuard, the offline evaluator
 * (`npm run policy`) and the tests run the very same objects.
 */
import type { Policies } from "@pulumi/policy";
import { createCoveragePolicies } from "./coverage";
import { createFailoverPolicies } from "./failover";
import { createProtectionPolicies } from "./protection";
import { createRetentionPolicies } from "./retention";
import { createRpoPolicies } from "./rpo";
import { createPagingUrgentPolicies } from "./pagingUrgent";
import { createPagingLowPolicies } from "./pagingLow";
import { createIamWildcardPolicies } from "./iamWildcards";
import { createBackupCopyCoveragePolicies } from "./backupCopyCoverage";
import { createBackupVaultLockPolicies } from "./backupVaultLock";
import { createBackupLockModePolicies } from "./backupLockMode";
import { createSharedSecretKeyPolicies } from "./sharedSecretKey";

export const packName = "crazy-gary-dr-recovery";

/** Every policy of the pack, built with `overrides` tightening the runbook's numbers. */
export function createPolicies(overrides: Readonly<Record<string, unknown>> = {}): Policies {
  return [
    ...createRpoPolicies(overrides),
    ...createRetentionPolicies(overrides),
    ...createProtectionPolicies(overrides),
    ...createFailoverPolicies(overrides),
    ...createCoveragePolicies(overrides),
    ...createPagingUrgentPolicies(overrides),
    ...createPagingLowPolicies(overrides),
    ...createIamWildcardPolicies(overrides),
    ...createBackupCopyCoveragePolicies(overrides),
    ...createBackupVaultLockPolicies(overrides),
    ...createBackupLockModePolicies(overrides),
    ...createSharedSecretKeyPolicies(overrides),
  ];
}
