/**
 * Pure decisions behind `FailoverDns`: what a record looks like for a hostname endpoint (CNAME)
 * or a load balancer (alias), what the endpoint health checks probe, and how long DNS failover
 * can take in the worst case. The records' fixed roles and the routing checks' children live in
 * `domain/routingHealth.ts`. No resources are created here; every function is unit-tested
 * directly (test/failoverDns.test.ts).
 */
import type { Endpoint, HostnameKey, RegionRole } from "./topology";
import { statusChangeBoundSeconds } from "./healthCheckers";

export { failoverTypeOf, type FailoverType } from "./routingHealth";

/**
 * A failover record's set identifier: the region code of the endpoint it points at. Like the
 * record's failover type, it never follows `activeRegion`: a flip touches no Route53 resource.
 */
export const setIdentifierFor = (regionCode: string): string => regionCode;

/** The record's fully qualified name: `api` under `crazy-gary.app` is `api.crazy-gary.app`. */
export const recordFqdn = (hostnameKey: HostnameKey, zoneName: string): string => `${hostnameKey}.${zoneName.replace(/\.$/, "")}`;

/** Route53 record settings for one endpoint: a CNAME with a TTL, or an alias A record without one. */
export type RecordShape =
  | { kind: "cname"; type: "CNAME"; ttl: number; records: string[] }
  | { kind: "alias"; type: "A"; aliases: { name: string; zoneId: string; evaluateTargetHealth: true }[] };

/**
 * A hostname endpoint becomes a CNAME with the configured TTL. A load balancer becomes an
 * alias A record with `evaluateTargetHealth` (Route53 then also fails over when the load
 * balancer has no healthy targets); alias records have no TTL of their own: resolvers cache
 * them for the load balancer record's TTL (60 s for ELB).
 */
export function recordShape(endpoint: Endpoint, ttlSeconds: number): RecordShape {
  if ("hostname" in endpoint) return { kind: "cname", type: "CNAME", ttl: ttlSeconds, records: [endpoint.hostname] };
  return {
    kind: "alias",
    type: "A",
    aliases: [{ name: endpoint.loadBalancer.dnsName, zoneId: endpoint.loadBalancer.zoneId, evaluateTargetHealth: true }],
  };
}

/** The host a region's health check probes: the endpoint itself, never the failover name. */
export function healthCheckFqdn(endpoint: Endpoint): string {
  return "hostname" in endpoint ? endpoint.hostname : endpoint.loadBalancer.dnsName;
}

const endpointKind = (endpoint: Endpoint): "hostname" | "loadBalancer" => ("hostname" in endpoint ? "hostname" : "loadBalancer");

/**
 * Both records of a failover pair must have the same DNS type: a CNAME and an alias A record
 * cannot share a name. Returns what is wrong with `endpoints.<hostnameKey>.secondary` (the
 * value is shown by the caller), or `undefined` when the pair is valid.
 */
export function endpointPairProblem(hostnameKey: string, pair: Record<RegionRole, Endpoint>): string | undefined {
  const primary = endpointKind(pair.primary);
  const secondary = endpointKind(pair.secondary);
  if (primary === secondary) return undefined;
  return (
    `is a ${secondary} endpoint but endpoints.${hostnameKey}.primary is a ${primary}; use the same kind in both regions ` +
    "(both {hostname: ...} for CNAME records, or both {loadBalancer: ...} for alias records): a CNAME and an A record cannot share a name"
  );
}

/** Throws when any hostname's two endpoints are of different kinds (see `endpointPairProblem`). */
export function validateEndpointPairs(endpoints: Record<HostnameKey, Record<RegionRole, Endpoint>>): void {
  const problems = Object.entries(endpoints)
    .map(([key, pair]) => {
      const problem = endpointPairProblem(key, pair);
      return problem && `endpoints.${key}.secondary: ${JSON.stringify(pair.secondary)} ${problem}`;
    })
    .filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/**
 * How long resolvers cache an alias answer for an Elastic Load Balancer, in seconds: an alias
 * record has no TTL of its own; Route53 answers with the load balancer record's TTL, which
 * AWS sets to 60 s ("Values specific for alias records", Route53 developer guide).
 */
export const loadBalancerAliasTtlSeconds = 60;

/** Seconds a resolver may keep answering with a record of this shape. */
export const cacheSecondsFor = (shape: RecordShape): number => (shape.kind === "cname" ? shape.ttl : loadBalancerAliasTtlSeconds);

/** The health-check settings the detection time depends on. */
export interface HealthCheckTiming {
  /** Seconds between checks from each checker region (10 or 30). */
  requestIntervalSeconds: number;
  /** Consecutive failed (or passed) checks before Route53 changes the endpoint's status. */
  failureThreshold: number;
}

/** Each term of one hostname's worst-case DNS failover time, in seconds. */
export interface FailoverTimeBreakdown {
  /**
   * The routing checks' status change: request interval × failure threshold
   * (`domain/healthCheckers.ts` `statusChangeBoundSeconds`, Route53's 18 % rule). It bounds the new
   * leader's region turning healthy (its `GET /primary` check) and the old one's turning unhealthy,
   * which began earlier, when Patroni demoted it (a primary is demoted before its leader lock
   * expires, and only then may another member take the lock: citations P1). The endpoint checks
   * have been checking all along.
   */
  detectionSeconds: number;
  /** Resolvers drop their cached answer within one TTL: the record's (CNAME), or the load balancer's 60 s (alias). */
  cacheSeconds: number;
  /** detection + cache. */
  totalSeconds: number;
}

/**
 * Worst-case time for one hostname, from the moment the new primary is writable (Patroni answers
 * 200 on its `GET /primary`) to every client resolving that region: request interval × failure
 * threshold + the longest cache time of the hostname's records. Not counted, because no bound is
 * published: the time Route53 takes to derive a CALCULATED check's status from its children and
 * to push a status change to its name servers (guess: seconds; the Route53 docs give no figure).
 * When no region has a writable primary, both routing checks are unhealthy and Route53 answers
 * with the primary region's record (`domain/routingHealth.ts`).
 */
export function worstCaseDnsFailover(timing: HealthCheckTiming, shapes: readonly RecordShape[]): FailoverTimeBreakdown {
  if (shapes.length === 0) throw new Error("worstCaseDnsFailover: no records given; pass the shape of every failover record of the hostname");
  const detectionSeconds = statusChangeBoundSeconds(timing);
  const cacheSeconds = Math.max(...shapes.map(cacheSecondsFor));
  return { detectionSeconds, cacheSeconds, totalSeconds: detectionSeconds + cacheSeconds };
}

/** The worst case over every hostname: the one number a caller that waits for DNS needs. */
export function slowestFailover(perHostname: Readonly<Record<string, FailoverTimeBreakdown>>): number {
  const totals = Object.values(perHostname).map((b) => b.totalSeconds);
  if (totals.length === 0) throw new Error("slowestFailover: no hostnames given");
  return Math.max(...totals);
}
