/**
 * DNS follows the database leader: the pure decisions behind the routing health checks.
 *
 * Each hostname has two failover records whose roles never change: the record of the `primary`
 * region role is always Route53's PRIMARY, the `secondary` one always SECONDARY. Each record's
 * `healthCheckId` is its region's ROUTING check: a CALCULATED check over two children, both of
 * which must be healthy (`childHealthThreshold` 2):
 * - the region's endpoint check (HTTPS `/health` of the hostname's endpoint), and
 * - the region's database leader check: HTTPS `GET /primary` of that region's Patroni REST API,
 *   which answers 200 "only when the Patroni node is running as the primary with leader lock"
 *   (patroni/patroni docs/rest_api.rst, "Health check endpoints"; /tmp/citations.md P3).
 *
 * So a region's record is healthy exactly while its application answers and its database is the
 * writable leader. Nothing here depends on `activeRegion`: the records and the checks are the
 * same for every value, a flip writes no Route53 resource, and DNS moves by the health checks'
 * status alone: Route53's data plane, which keeps working while its control plane (every API call,
 * hosted only in us-east-1) does not ("During a control plane impairment, ... DNS resolution and
 * health checks, and updates to routing resulting from changes in health checks, will continue to
 * work", AWS Fault Isolation Boundaries, Appendix B; REL11-BP04; /tmp/citations.md P14).
 *
 * Route53 rules this relies on (each modelled below and in test/routingHealth.test.ts):
 * - A CALCULATED check is healthy while at least `childHealthThreshold` of its children are
 *   (Route53 API reference, HealthCheckConfig `HealthThreshold`: "the number of child health
 *   checks that are associated with a CALCULATED health check that Amazon Route 53 must consider
 *   healthy for the CALCULATED health check to be considered healthy").
 * - Failover answers (Route53 API reference, ResourceRecordSet `Failover`): PRIMARY while the
 *   primary record is healthy; SECONDARY while the primary is unhealthy and the secondary healthy;
 *   "When the secondary resource record set is unhealthy, Route 53 responds to DNS queries with
 *   the applicable value from the primary resource record set regardless of the health of the
 *   primary". So when no region has a writable primary (both leader checks fail, e.g. during a
 *   Patroni failover or with the cluster down), Route53 answers with the primary region's record.
 *
 * Pure: imports nothing outside `domain/`.
 */

import { regionRoles, type RegionRole } from "./topology";

export type { RegionRole };

/** Route53's failover record types. */
export type FailoverType = "PRIMARY" | "SECONDARY";

/** The children of a routing check: every one must be healthy. */
export const routingChildren = ["endpoint", "databaseLeader"] as const;
export type RoutingChild = (typeof routingChildren)[number];

/** How many of the routing check's children Route53 must see healthy: all of them. */
export const routingChildHealthThreshold = routingChildren.length;

/** The Patroni REST path whose 200 means "this member is the writable leader" (citations P3). */
export const leaderHealthPath = "/primary";

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

/** What Route53's checkers see of one region at a moment. */
export interface RegionHealth {
  /** The hostname's endpoint check (`/health`) is healthy. */
  endpoint: boolean;
  /** The region's Patroni answers 200 on `GET /primary`: its PostgreSQL is the writable leader. */
  databaseLeader: boolean;
}

/** A CALCULATED check's status: healthy while at least `threshold` children are. */
export function calculatedHealthy(children: readonly boolean[], threshold: number): boolean {
  return children.filter(Boolean).length >= threshold;
}

/** The status Route53 reports for a region's routing check: both children healthy. */
export function routingCheckHealthy(region: RegionHealth): boolean {
  return calculatedHealthy(
    routingChildren.map((child) => region[child]),
    routingChildHealthThreshold,
  );
}

/** Which record Route53 answers with, given each record's health (see the module comment). */
export function failoverAnswer(health: Record<FailoverType, boolean>): FailoverType {
  if (health.PRIMARY) return "PRIMARY";
  return health.SECONDARY ? "SECONDARY" : "PRIMARY";
}

/**
 * The region whose endpoint Route53 hands out for one hostname: the region whose database is the
 * leader, while its endpoint is healthy; the primary region when neither routing check is healthy.
 */
export function answeringRole(regions: Record<RegionRole, RegionHealth>): RegionRole {
  const health = { PRIMARY: routingCheckHealthy(regions.primary), SECONDARY: routingCheckHealthy(regions.secondary) };
  return failoverAnswer(health) === "PRIMARY" ? "primary" : "secondary";
}
