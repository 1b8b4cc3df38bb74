/**
 * Which region is active, asked one way: `activeRole(config)`. Stack config calls the choice
 * `activeRegion` and holds a role (`primary` or `secondary`); inside the code a role is a role
 * and a region code (`us-east-1`) is a region (docs/architecture/glossary.md).
 */
import { otherRole, type RegionRole } from "./topology";

/** A stack's two regions and which of them is active (`regions` and `activeRegion` in stack config). */
export interface RegionChoice {
  /** Region code per role. */
  regions: Record<RegionRole, string>;
  /** The role that serves traffic and holds the writable database (the config key `activeRegion`). */
  activeRegion: RegionRole;
}

/** The role that serves traffic and holds the writable database; the flip changes only this. */
export const activeRole = (config: Pick<RegionChoice, "activeRegion">): RegionRole => config.activeRegion;

/** The role that stands by. */
export const passiveRole = (config: Pick<RegionChoice, "activeRegion">): RegionRole => otherRole(activeRole(config));

/** The active region's code, e.g. `us-east-1`. */
export const activeRegionCode = (config: RegionChoice): string => config.regions[activeRole(config)];

/** The passive region's code. */
export const passiveRegionCode = (config: RegionChoice): string => config.regions[passiveRole(config)];
