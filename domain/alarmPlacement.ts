/**
 * Where the alarms live: the alarm regions (each holding alert topics) and the one each alarm
 * of a region role goes to, and the alarm's name. Pure decisions behind `AlarmSet` (no
 * resources). Every alarm lives in the region of its metric (Route53's health metrics only in
 * us-east-1), so placement is decided per region role, never per active/passive: a flip moves
 * nothing.
 */
import type { AlarmDefinition, AlarmId } from "./alarmTypes";
import { regionRoles, type RegionRole } from "./topology";

/** Which alarm region: a region role's region, or Route53's metrics region when no role has it. */
export type AlarmRegionKey = RegionRole | "route53-metrics";

/** A region that holds alarms and alert topics. */
export interface AlarmRegion {
  key: AlarmRegionKey;
  /** Region code, e.g. `us-east-1`. */
  region: string;
}

/**
 * The regions that hold alarms, hence need alert topics: each role's, plus Route53's metrics
 * region when neither role is there (the dr stack: us-east-2 and us-west-1).
 */
export function alarmRegions(regions: Record<RegionRole, string>, route53MetricsRegion: string): AlarmRegion[] {
  const alarmRegions: AlarmRegion[] = regionRoles.map((role) => ({ key: role, region: regions[role] }));
  if (!alarmRegions.some((r) => r.region === route53MetricsRegion)) alarmRegions.push({ key: "route53-metrics", region: route53MetricsRegion });
  return alarmRegions;
}

/**
 * The alarm region that holds `alarm`'s metric for `role`: the role's own, or for Route53
 * metrics the first alarm region in Route53's metrics region (a role's when one is there).
 */
export function alarmRegionOf(alarm: Pick<AlarmDefinition, "metricRegion">, role: RegionRole, alarmRegions: readonly AlarmRegion[], route53MetricsRegion: string): AlarmRegion {
  const found = alarm.metricRegion === "route53-metrics" ? alarmRegions.find((r) => r.region === route53MetricsRegion) : alarmRegions.find((r) => r.key === role);
  if (!found) throw new Error(`no alarm region for ${alarm.metricRegion} of ${role}; alarm regions: ${alarmRegions.map((r) => `${r.key}=${r.region}`).join(", ")}`);
  return found;
}

/** The alarm's name in AWS: `crazy-gary-<environment>-<alarm id>-<role>`. */
export const alarmName = (environment: string, id: AlarmId, role: RegionRole) => `crazy-gary-${environment}-${id}-${role}`;
