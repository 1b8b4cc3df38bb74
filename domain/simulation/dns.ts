/**
 * Where Route53 answers, from the health checks and failover records the stack's state holds, as
 * Route53's data plane evaluates them during an outage. Pure. Rules (domain/routingHealth.ts cites
 * them; citations P15, P16):
 * - an HTTPS check is healthy when its endpoint answers 2xx/3xx; a check of a region that is down
 *   fails; Patroni's `GET /primary` answers 200 on the writable leader only (citations P3);
 * - a CALCULATED check is healthy while at least `childHealthThreshold` of its children are;
 * - a disabled check counts as healthy, an inverted one reports the opposite;
 * - PRIMARY answers while healthy, else SECONDARY while healthy; when both are unhealthy Route53
 *   answers the PRIMARY (P16).
 * Time: a leaf check's status changes within request interval × failure threshold
 * (domain/healthCheckers.ts `statusChangeBoundSeconds`, Route53's defaults 30 s and 3 when a check
 * sets none: HealthCheckConfig `RequestInterval`, `FailureThreshold`); resolvers keep
 * the old answer up to the record's TTL (an alias to a load balancer: 60 s)
 * (domain/failoverRouting.ts `worstCaseDnsFailover`). The budget per hostname, counted from the
 * moment the new primary is writable: api <= 80 s, app <= 50 s (issue #22, item 1).
 */
import { calculatedHealthy, failoverAnswer, leaderHealthPath, type FailoverType } from "../routingHealth";
import { cacheSecondsFor, loadBalancerAliasTtlSeconds } from "../failoverRouting";
import { statusChangeBoundSeconds } from "../healthCheckers";
import type { RegionRole } from "../topology";
import { isUp, type Outage } from "./endpoints";
import type { SimResource, SimTopology } from "./model";
import type { DeployedState } from "./engine";

/** Seconds DNS may take per hostname after the new primary is writable (issue #22). */
export const dnsBudgetSeconds: Readonly<Record<string, number>> = Object.freeze({ api: 80, app: 50 });

const healthCheckType = "aws:route53/healthCheck:HealthCheck";
const recordType = "aws:route53/record:Record";
/**
 * A check's reported status: "After you disable a health check, Route 53 considers the status of
 * the health check to always be healthy"; an inverted one reports the opposite (Route53 API
 * reference, HealthCheckConfig `Disabled`, `Inverted`; citations P16).
 */
const reported = (status: boolean, disabled: boolean, inverted: boolean) => ((disabled ? true : status) !== inverted);

export interface DnsWorld {
  topology: SimTopology;
  outage: Outage;
  /** The role whose database is the leader, if exactly one takes writes. */
  writableRole: RegionRole | null;
}

export interface DnsAnswer {
  /** The record name, e.g. `api.crazy-gary.app`. */
  name: string;
  /** The region code Route53 answers with. */
  region: string;
  /** The answering record's failover type. */
  failoverType: FailoverType;
  /** Each record's health as Route53 sees it. */
  health: Record<FailoverType, boolean>;
  /** Worst-case seconds until resolvers get this answer after a change: detection + cache. */
  worstCaseSeconds: number;
  /** The budget for this hostname, if it has one. */
  budgetSeconds?: number;
}

/** Which region a health-checked name belongs to, and whether it is a database host. */
function targetOf(fqdn: string, topology: SimTopology): { region: string; database?: RegionRole } {
  const host = topology.hosts.find((h) => h.names.includes(fqdn));
  if (host) return { region: host.region, database: host.role === "witness" ? undefined : host.role };
  const endpoint = topology.endpointNames.find((e) => e.name === fqdn);
  if (endpoint) return { region: endpoint.region };
  throw new Error(`simulator: a health check probes ${fqdn}, which the stack config names nowhere (endpoints, databases)`);
}

/** Whether one health check is healthy (recursing into a CALCULATED check's children). */
function checkHealthy(check: SimResource, state: DeployedState, world: DnsWorld): boolean {
  const inputs = check.inputs;
  let status: boolean;
  if (inputs.type === "CALCULATED") {
    const children = (check.propertyDependencies.childHealthchecks ?? []).map((urn) => state.get(urn)).filter((c): c is SimResource => c?.type === healthCheckType);
    status = calculatedHealthy(children.map((c) => checkHealthy(c, state, world)), Number(inputs.childHealthThreshold ?? 0));
  } else {
    const target = targetOf(String(inputs.fqdn), world.topology);
    const reachable = isUp({ kind: "data", service: "endpoint", region: target.region }, world.outage);
    status = reachable && (inputs.resourcePath !== leaderHealthPath || (target.database !== undefined && target.database === world.writableRole));
  }
  return reported(status, inputs.disabled === true, inputs.invertHealthcheck === true);
}

/** The leaf (non-CALCULATED) checks under a check. */
function leafChecks(check: SimResource, state: DeployedState): SimResource[] {
  if (check.inputs.type !== "CALCULATED") return [check];
  return (check.propertyDependencies.childHealthchecks ?? []).flatMap((urn) => {
    const child = state.get(urn);
    return child ? leafChecks(child, state) : [];
  });
}

const recordCacheSeconds = (record: SimResource) =>
  Array.isArray(record.inputs.aliases) && record.inputs.aliases.length > 0 ? loadBalancerAliasTtlSeconds : cacheSecondsFor({ kind: "cname", ttl: Number(record.inputs.ttl ?? 0) } as Parameters<typeof cacheSecondsFor>[0]);

/** Route53's answer for every failover record name in `state`. */
export function dnsAnswers(state: DeployedState, world: DnsWorld): DnsAnswer[] {
  const records = [...state.values()].filter((r) => r.type === recordType && Array.isArray(r.inputs.failoverRoutingPolicies));
  const names = [...new Set(records.map((r) => String(r.inputs.name)))].sort();
  return names.map((name) => {
    const pair = Object.fromEntries(
      records.filter((r) => r.inputs.name === name).map((r) => [(r.inputs.failoverRoutingPolicies as { type: FailoverType }[])[0].type, r]),
    ) as Partial<Record<FailoverType, SimResource>>;
    const checkOf = (record: SimResource | undefined) => (record ? state.get(record.propertyDependencies.healthCheckId?.[0] ?? "") : undefined);
    const health = {
      PRIMARY: pair.PRIMARY ? (checkOf(pair.PRIMARY) ? checkHealthy(checkOf(pair.PRIMARY)!, state, world) : true) : false,
      SECONDARY: pair.SECONDARY ? (checkOf(pair.SECONDARY) ? checkHealthy(checkOf(pair.SECONDARY)!, state, world) : true) : false,
    };
    const failoverType = failoverAnswer(health);
    const record = pair[failoverType]!;
    const check = checkOf(record);
    const detection = check ? Math.max(0, ...leafChecks(check, state).map((c) => statusChangeBoundSeconds({ requestIntervalSeconds: Number(c.inputs.requestInterval ?? 30), failureThreshold: Number(c.inputs.failureThreshold ?? 3) }))) : 0;
    const budgetSeconds = dnsBudgetSeconds[name.split(".")[0]];
    return { name, region: String(record.inputs.setIdentifier), failoverType, health, worstCaseSeconds: detection + recordCacheSeconds(record), ...(budgetSeconds !== undefined ? { budgetSeconds } : {}) };
  });
}
