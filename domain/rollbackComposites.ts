/**
 * The composite rollback alarms: which alarms of one region role each joins, and where it lives.
 * A composite can join only alarms of its own region (CloudWatch), so they are decided per region
 * role, never per active/passive: a flip moves nothing. Pure.
 */
import type { AlarmDefinition } from "./alarmTypes";
import { alarmName, alarmRegionOf, type AlarmRegion } from "./alarmPlacement";
import { regionRoles, type RegionRole } from "./topology";

/** The rollback composite's rule: ANY of the named alarms. */
export function rollbackAlarmRule(alarmNames: readonly string[]): string {
  if (alarmNames.length === 0) throw new Error("a rollback composite needs at least one alarm");
  return alarmNames.map((n) => `ALARM("${n}")`).join(" OR ");
}

/** A composite rollback alarm: which alarms of one region role it joins, and where it lives. */
export interface RollbackGroup {
  /** `rollback-<role>` (the role's own-region alarms) or `rollback-health-<role>` (its Route53 health alarm, in us-east-1). */
  key: `rollback-${RegionRole}` | `rollback-health-${RegionRole}`;
  role: RegionRole;
  /** Where the joined alarms' metrics live. */
  metricRegion: AlarmDefinition["metricRegion"];
  region: string;
  alarmRegion: AlarmRegion;
  alarmNames: string[];
}

/**
 * The rollback composites: per region role, ANY of that role's rollback-trigger alarms. A
 * composite can only join alarms of its own region (CloudWatch), so each role's Route53 health
 * alarm (us-east-1) gets a composite of its own there. All four exist whatever region is active,
 * each on its own region's provider with a fixed rule: a flip changes none of them (it changes only
 * which pair the stack's `rollbackAlarm` output names). Names follow region roles, never active/passive.
 */
export function rollbackGroups(environment: string, alarms: readonly AlarmDefinition[], alarmRegions: readonly AlarmRegion[], route53MetricsRegion: string): RollbackGroup[] {
  const triggers = alarms.filter((a) => a.rollbackTrigger);
  const group = (role: RegionRole, metricRegion: AlarmDefinition["metricRegion"]): RollbackGroup => {
    const alarmRegion = alarmRegionOf({ metricRegion }, role, alarmRegions, route53MetricsRegion);
    const members = triggers.filter((a) => a.metricRegion === metricRegion);
    const key = metricRegion === "route53-metrics" ? (`rollback-health-${role}` as const) : (`rollback-${role}` as const);
    return { key, role, metricRegion, region: alarmRegion.region, alarmRegion, alarmNames: members.map((a) => alarmName(environment, a.id, role)) };
  };
  return regionRoles.flatMap((role) => [group(role, "own-region"), group(role, "route53-metrics")]);
}
