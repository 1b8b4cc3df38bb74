import { otherRole, regionRoles, type RegionRole } from "./topology";

/** A stack's two regions and which of them is active (`regions` and `activeRegion` in stack config). */
export interface RegionChoice {
  /** Region code per role. */
  regions: Record<RegionRole, string>;
  /** The role that serves traffic and holds the writable database. */
  activeRegion: RegionRole;
}

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
export function assignRegions(config: RegionChoice): RegionAssignment {
  const site = (role: RegionRole): RegionSite => ({ role, region: config.regions[role] });
  return { active: site(config.activeRegion), passive: site(otherRole(config.activeRegion)) };
}

/** Both sites in their fixed order (primary, secondary), for per-region resources whose names must not follow the flip. */
export function allSites(config: Pick<RegionChoice, "regions">): RegionSite[] {
  return regionRoles.map((role) => ({ role, region: config.regions[role] }));
}

export const isActive = (config: Pick<RegionChoice, "activeRegion">, role: RegionRole): boolean => config.activeRegion === role;
