import { otherRole, regionRoles, type RegionRole, type StackConfig } from "./config";

/** A region role with its region code. */
export interface RegionSite {
  role: RegionRole;
  region: string;
}

/** Which region serves traffic and holds the writable database, and which stands by. */
export interface RegionAssignment {
  active: RegionSite;
  passive: RegionSite;
}

/** Decides the active and passive sites from `activeRegion`; the flip changes only this. */
export function assignRegions(config: Pick<StackConfig, "regions" | "activeRegion">): RegionAssignment {
  const site = (role: RegionRole): RegionSite => ({ role, region: config.regions[role] });
  return { active: site(config.activeRegion), passive: site(otherRole(config.activeRegion)) };
}

/** Both sites in their fixed order (primary, secondary), for per-region resources whose names must not follow the flip. */
export function allSites(config: Pick<StackConfig, "regions">): RegionSite[] {
  return regionRoles.map((role) => ({ role, region: config.regions[role] }));
}

export const isActive = (config: Pick<StackConfig, "activeRegion">, role: RegionRole): boolean => config.activeRegion === role;
