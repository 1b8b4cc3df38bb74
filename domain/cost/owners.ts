/**
 * The owner of a priced line (docs/architecture/glossary.md): the region role it serves
 * (primary or secondary), the etcd witness, or `shared` (what neither region's loss would
 * remove, such as the dashboard). The passive role's share of the bill, what DR itself costs,
 * is the sum of the passive role's lines.
 *
 * The rule, in order:
 * 1. A line billed outside its resource's region (a secret's replica, a backup copy) belongs to
 *    the region it is billed in.
 * 2. A resource tagged `RegionRole` (the Route53 health checks) belongs to that role.
 * 3. A resource whose logical name has a role as a dash-separated word belongs to the LAST such
 *    word: the components name children `${name}-${role}` (alarms-api-health-secondary, watching
 *    the secondary from us-east-1, is the secondary's; alarms-repository-wal-age-secondary-primary
 *    lives in and pages the primary).
 * 4. Otherwise the region decides: a role's region is that role's, the witness region the witness's.
 * 5. Anything else is shared.
 */
import type { RegionRole } from "../topology";
import type { PlannedResource, StackRegions } from "./context";

/** Whom a priced line serves: a region role, the etcd witness, or both regions (`shared`). */
export type CostOwner = RegionRole | "witness" | "shared";

/** Every owner, in the order reports list them. */
export const costOwners: readonly CostOwner[] = ["primary", "secondary", "witness", "shared"];

const ownerOfRegion = (region: string | undefined | null, regions: StackRegions): CostOwner => {
  if (region === regions.primary) return "primary";
  if (region === regions.secondary) return "secondary";
  if (region !== undefined && region !== null && region === regions.witness) return "witness";
  return "shared";
};

export function ownerOf(resource: Pick<PlannedResource, "name" | "region" | "inputs">, billedIn: string | undefined, regions: StackRegions): CostOwner {
  if (billedIn !== undefined && billedIn !== resource.region) return ownerOfRegion(billedIn, regions);
  const tag = (resource.inputs.tags as Record<string, unknown> | undefined)?.RegionRole;
  if (tag === "primary" || tag === "secondary") return tag;
  const words = resource.name.split("-");
  const last = [...words].reverse().find((w): w is CostOwner => w === "primary" || w === "secondary" || w === "witness");
  if (last) return last;
  return ownerOfRegion(resource.region, regions);
}
