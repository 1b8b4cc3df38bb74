/**
 * Whether an ordinary deploy may run: it must never change which region is active. Only the
 * failover workflow flips `activeRegion`; it commits the new value to main once Patroni reports
 * the new leader. A deploy of a commit made before that commit still carries the old value, and
 * `pulumi up` would quietly fail back (switch the database back). The deployed active region is
 * read from Patroni's leader (domain/flipState.ts), never from a stack output, which keeps its old
 * value after a partial update (pulumi/pulumi#16289). Pure.
 */
import type { Leader } from "./flipState";
import type { RegionRole } from "./topology";

/** Where the database leader is: read from Patroni, or a stack never deployed. */
export type DeployedLeader = { kind: "never-deployed" } | { kind: "no-leader" } | { kind: "leader"; leader: Leader };

export interface DeployGuardInput {
  stack: string;
  /** `activeRegion` in the commit being deployed. */
  committed: RegionRole;
  deployed: DeployedLeader;
}

/** The refusal to print, or undefined when the deploy may run. */
export function activeRegionChangeRefusal({ stack, committed, deployed }: DeployGuardInput): string | undefined {
  if (deployed.kind === "never-deployed") return undefined;
  if (deployed.kind === "no-leader") {
    return `activeRegion: Patroni reports no leader in ${stack}: a failover may be under way or the cluster is down. Deploy once a leader is back (docs/runbooks/failover.md).`;
  }
  const { role, member } = deployed.leader;
  if (role === committed) return undefined;
  return (
    `activeRegion: this commit makes ${committed} active in ${stack}, but Patroni's leader is ${role} (${member}) ` +
    `(a failover ran after this commit was made). A deploy would fail back. ` +
    `Rebase onto main (the failover workflow committed activeRegion: ${role} in Pulumi.${stack}.yaml) and push again; ` +
    `to fail back on purpose, run the failover workflow with target ${committed}.`
  );
}
