/**
 * Where the alarms live and how the rollback composites group them: pure decisions behind
 * `AlarmSet` (no resources). Every alarm lives in the region of its metric (Route53's health
 * metrics only in us-east-1) and a composite can join only alarms of its own region
 * (CloudWatch), so both are decided per region role, never per active/passive: a flip moves
 * nothing.
 */
import type { AlarmDefinition, AlarmId } from "./alarmTypes";
import { regionRoles, type RegionRole } from "./topology";

/** Where alarms live: a region role's region, or Route53's metrics region when no role has it. */
export type AlarmSiteKey = RegionRole | "route53-metrics";

export interface AlarmSite {
  key: AlarmSiteKey;
  region: string;
}

/**
 * The regions that hold alarms, hence need alert topics: each role's, plus Route53's metrics
 * region when neither role is there (the dr stack: us-east-2 and us-west-1).
 */
export function alarmSites(regions: Record<RegionRole, string>, route53MetricsRegion: string): AlarmSite[] {
  const sites: AlarmSite[] = regionRoles.map((role) => ({ key: role, region: regions[role] }));
  if (!sites.some((s) => s.region === route53MetricsRegion)) sites.push({ key: "route53-metrics", region: route53MetricsRegion });
  return sites;
}

/**
 * The site whose region holds `alarm`'s metric for `role`: the role's own, or for Route53
 * metrics the first site in Route53's metrics region (a role's site when one is there).
 */
export function siteOf(alarm: Pick<AlarmDefinition, "metricRegion">, role: RegionRole, sites: readonly AlarmSite[], route53MetricsRegion: string): AlarmSite {
  const site = alarm.metricRegion === "route53-metrics" ? sites.find((s) => s.region === route53MetricsRegion) : sites.find((s) => s.key === role);
  if (!site) throw new Error(`no alarm site for ${alarm.metricRegion} of ${role}; sites: ${sites.map((s) => `${s.key}=${s.region}`).join(", ")}`);
  return site;
}

/** The alarm's name in AWS: `crazy-gary-<environment>-<alarm id>-<role>`. */
export const alarmName = (environment: string, id: AlarmId, role: RegionRole) => `crazy-gary-${environment}-${id}-${role}`;

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
  site: AlarmSite;
  alarmNames: string[];
}

/**
 * The rollback composites: per region role, ANY of that role's rollback-trigger alarms. A
 * composite can only join alarms of its own region (CloudWatch), so each role's Route53 health
 * alarm (us-east-1) gets a composite of its own there. All four exist whatever region is active,
 * each on its own region's provider with a fixed rule: a flip changes none of them (it changes only
 * which pair the stack's `rollbackAlarm` output names). Names follow region roles, never active/passive.
 */
export function rollbackGroups(environment: string, alarms: readonly AlarmDefinition[], sites: readonly AlarmSite[], route53MetricsRegion: string): RollbackGroup[] {
  const triggers = alarms.filter((a) => a.rollbackTrigger);
  const group = (role: RegionRole, metricRegion: AlarmDefinition["metricRegion"]): RollbackGroup => {
    const site = siteOf({ metricRegion }, role, sites, route53MetricsRegion);
    const members = triggers.filter((a) => a.metricRegion === metricRegion);
    const key = metricRegion === "route53-metrics" ? (`rollback-health-${role}` as const) : (`rollback-${role}` as const);
    return { key, role, metricRegion, region: site.region, site, alarmNames: members.map((a) => alarmName(environment, a.id, role)) };
  };
  return regionRoles.flatMap((role) => [group(role, "own-region"), group(role, "route53-metrics")]);
}
