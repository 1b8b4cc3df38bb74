/**
 * Whether an ordinary deploy may run: it must never change which region is active. Only the
 * failover workflow flips `activeRegion`; it commits the new value to main after `pulumi up`.
 * A deploy of a commit made before that commit still carries the old value, and `pulumi up`
 * would quietly fail back (promote the old side, move DNS). Pure.
 */
import { regionRoles, type RegionRole } from "./topology";

/** What the deploy compares: the commit's `activeRegion` and the stack's last deployed one. */
export interface DeployGuardInput {
  stack: string;
  /** `activeRegion` in the commit being deployed. */
  committed: RegionRole;
  /**
   * The stack's `activeRegionRole` output from its last update (`pulumi stack output`); empty
   * when the stack has never been updated.
   */
  deployed: string;
}

export class DeployGuardInputError extends Error {}

/**
 * The refusal to print, or undefined when the deploy may run: the stack was never updated, or the
 * commit keeps the deployed active region. Throws {@link DeployGuardInputError} on a deployed
 * value that is not a region role.
 */
export function activeRegionChangeRefusal({ stack, committed, deployed }: DeployGuardInput): string | undefined {
  if (deployed === "") return undefined;
  if (!(regionRoles as readonly string[]).includes(deployed)) {
    throw new DeployGuardInputError(`--deployed ${JSON.stringify(deployed)}: not a region role; allowed: ${regionRoles.join(", ")}, or empty for a stack never updated`);
  }
  if (deployed === committed) return undefined;
  return (
    `activeRegion: this commit makes ${committed} active in ${stack}, but the stack's last update made ${deployed} active ` +
    `(a failover ran after this commit was made). A deploy would fail back. ` +
    `Rebase onto main (the failover workflow committed activeRegion: ${deployed} in Pulumi.${stack}.yaml) and push again; ` +
    `to fail back on purpose, run the failover workflow with target ${committed}.`
  );
}
