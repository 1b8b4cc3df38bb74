/**
 * DNS failover with fixed record roles: the pure decisions behind the routing health checks.
 *
 * Each hostname has two failover records whose roles never change: the record of the `primary`
 * region role is always Route53's PRIMARY, the `secondary` one always SECONDARY. Each record's
 * `healthCheckId` is its region's ROUTING check: a CALCULATED check over that region's endpoint
 * check. The flip (`activeRegion`) changes only two fields of the routing checks: the passive
 * region's is `disabled` and `inverted` (forced unhealthy), the active one's is neither (it
 * follows its endpoint check). No record is ever rewritten, so no record set passes through a
 * state Route53 refuses ("RRset for same type with Primary (or Sec) exists", boto/boto3 #1347).
 *
 * Route53 rules this relies on (each modelled below and in test/routingHealth.test.ts):
 * - "After you disable a health check, Route 53 considers the status of the health check to
 *   always be healthy ... If you want to stop routing traffic to a resource, change the value of
 *   Inverted" (Route53 API reference, HealthCheckConfig `Disabled`; the same words in the
 *   `@pulumi/aws` `route53.HealthCheck` docs for `disabled`/`invertHealthcheck`). Inverted: "Route
 *   53 considers the health check to be unhealthy when the status is healthy and vice versa"
 *   (Route53 developer guide, "Inverting health checks"). So disabled + inverted = always unhealthy.
 * - A CALCULATED check is healthy while at least `childHealthThreshold` of its children are
 *   (HealthCheckConfig `HealthThreshold`); with one child and threshold 1 it mirrors that child.
 * - Failover answers (Route53 API reference, ResourceRecordSet `Failover`): PRIMARY while the
 *   primary record is healthy; SECONDARY while the primary is unhealthy and the secondary healthy;
 *   "When the secondary resource record set is unhealthy, Route 53 responds to DNS queries with
 *   the applicable value from the primary resource record set regardless of the health of the
 *   primary". In short: if both primary and secondary are unhealthy, Route 53 returns the primary.
 *
 * Pure: imports nothing outside `domain/`.
 */

import { otherRole, regionRoles, type RegionRole } from "./topology";

export type { RegionRole };

/** Route53's failover record types. */
export type FailoverType = "PRIMARY" | "SECONDARY";

/** Throws on anything but a region role, naming the argument, the value and what is allowed. */
function checkRole(name: string, value: string): asserts value is RegionRole {
  if (!regionRoles.includes(value as RegionRole)) throw new Error(`${name}: ${JSON.stringify(value)} is not a region role; use primary or secondary`);
}

/**
 * A record's failover type: fixed by the region role of the endpoint it points at, whatever
 * region is active. The primary region's record is PRIMARY, the secondary's SECONDARY.
 */
export function failoverTypeOf(role: RegionRole): FailoverType {
  checkRole("role", role);
  return role === "primary" ? "PRIMARY" : "SECONDARY";
}

/** The two `route53.HealthCheck` fields the flip changes on a routing check. */
export interface RoutingCheckState {
  /** Route53 stops aggregating the children and treats the check as healthy. */
  disabled: boolean;
  /** Route53 reports the opposite of the check's status. */
  invertHealthcheck: boolean;
}

/** The active region's routing check follows its endpoint; the passive one's is forced unhealthy (disabled + inverted). */
export function routingCheckState(role: RegionRole, activeRole: RegionRole): RoutingCheckState {
  checkRole("role", role);
  checkRole("activeRole", activeRole);
  const passive = role !== activeRole;
  return { disabled: passive, invertHealthcheck: passive };
}

/** The region role whose routing check is forced unhealthy: the passive one. */
export function forcedUnhealthyRole(activeRole: RegionRole): RegionRole {
  checkRole("activeRole", activeRole);
  return otherRole(activeRole);
}

/** Whether a routing check is forced unhealthy (disabled and inverted: Route53 always reports it unhealthy). */
export const isForcedUnhealthy = (state: RoutingCheckState): boolean => state.disabled && state.invertHealthcheck;

/**
 * The status Route53 reports for a routing check: a disabled check counts as healthy (whatever
 * its child says), an inverted one reports the opposite. `childHealthy`: the endpoint check's status.
 */
export function routingCheckHealthy(state: RoutingCheckState, childHealthy: boolean): boolean {
  const status = state.disabled ? true : childHealthy;
  return state.invertHealthcheck ? !status : status;
}

/** Which record Route53 answers with, given each record's health (see the module comment). */
export function failoverAnswer(health: Record<FailoverType, boolean>): FailoverType {
  if (health.PRIMARY) return "PRIMARY";
  return health.SECONDARY ? "SECONDARY" : "PRIMARY";
}

/**
 * The region whose endpoint Route53 hands out for one hostname, given the routing checks' states
 * and the endpoint checks' statuses. With the passive side forced unhealthy the answer is the
 * active region whenever its endpoint is healthy; when it is not, Route53's "both unhealthy ->
 * PRIMARY" rule answers with the primary region (the active one while primary is active).
 */
export function answeringRole(states: Record<RegionRole, RoutingCheckState>, endpointHealthy: Record<RegionRole, boolean>): RegionRole {
  const health = {
    PRIMARY: routingCheckHealthy(states.primary, endpointHealthy.primary),
    SECONDARY: routingCheckHealthy(states.secondary, endpointHealthy.secondary),
  };
  return failoverAnswer(health) === "PRIMARY" ? "primary" : "secondary";
}

/**
 * The order in which a flip to `activeRole` writes the routing checks: the newly active side's
 * first (it stops being forced unhealthy), then the newly passive side's (it becomes forced
 * unhealthy). In between both follow their endpoints, so there is never a moment when both are
 * forced unhealthy, which would make Route53 answer with the primary region whatever its health.
 */
export function routingUpdateOrder(activeRole: RegionRole): [RegionRole, RegionRole] {
  checkRole("activeRole", activeRole);
  return [activeRole, otherRole(activeRole)];
}
