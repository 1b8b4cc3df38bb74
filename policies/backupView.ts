/**
 * How the backup-copy policies read AWS Backup as the engine shows it: vaults, their Vault Lock,
 * the plans whose rules write into a vault, and the selections that put a bucket into a plan.
 * Joins prefer property dependencies, then known values (as stackView.ts does).
 */
import type { PolicyResource } from "@pulumi/policy";
import { bucketNameOf, knownString, peek, refersTo } from "./stackView";

export const backupTypes = {
  vault: "aws:backup/vault:Vault",
  lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  plan: "aws:backup/plan:Plan",
  selection: "aws:backup/selection:Selection",
} as const;

export const vaultNameOf = (vault: PolicyResource) => knownString(peek(() => vault.props.name)) ?? knownString(peek(() => vault.props.id));

/** The Vault Lock configurations of `vault`. */
export function locksOf(resources: readonly PolicyResource[], vault: PolicyResource): PolicyResource[] {
  return resources.filter((r) => r.type === backupTypes.lock && refersTo(r, "backupVaultName", vault, vaultNameOf(vault)));
}

/** The vaults the rules of `plan` write into (their own region's vault, not copy destinations). */
export function targetVaultsOf(resources: readonly PolicyResource[], plan: PolicyResource): PolicyResource[] {
  const rules = peek(() => plan.props.rules);
  const names = new Set((Array.isArray(rules) ? rules : []).map((rule: any) => knownString(peek(() => rule?.targetVaultName))).filter((n): n is string => n !== undefined));
  return resources.filter((r) => r.type === backupTypes.vault && regionMatches(r, plan) && names.has(vaultNameOf(r) ?? ""));
}

const regionMatches = (a: PolicyResource, b: PolicyResource) => knownString(a.provider?.props?.region) === knownString(b.provider?.props?.region);

/** The backup plans a selection naming `bucket` puts it into. */
export function plansOfBucket(resources: readonly PolicyResource[], bucket: PolicyResource): PolicyResource[] {
  const name = bucketNameOf(bucket);
  const arn = name ? `arn:aws:s3:::${name}` : undefined;
  const selections = resources.filter((s) => {
    if (s.type !== backupTypes.selection) return false;
    if ((s.propertyDependencies?.resources ?? []).some((d) => d.urn === bucket.urn)) return true;
    const listed = peek(() => s.props.resources);
    return arn !== undefined && Array.isArray(listed) && listed.includes(arn);
  });
  return resources.filter((p) => p.type === backupTypes.plan && selections.some((s) => refersTo(s, "planId", p, knownString(peek(() => p.props.id)))));
}

/** Whether the lock is in compliance mode: `changeableForDays` set (its absence is governance mode). */
export const isComplianceMode = (lock: PolicyResource) => typeof peek(() => lock.props.changeableForDays) === "number";
