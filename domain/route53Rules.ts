/**
 * A hosted zone's failover record sets and health checks, and the rules Route 53 holds them to
 * at every moment. A state that breaks a rule is one Route 53 refuses to write (the API call of
 * that step fails, mid-flip) or one in which DNS can no longer fail over.
 */

export type FailoverType = "PRIMARY" | "SECONDARY";

export interface RecordModel {
  /** Identity of the resource that manages it (its URN; `<urn> (replacement)` for a replacement's new copy). */
  key: string;
  zoneId: string;
  name: string;
  type: string;
  setIdentifier?: string;
  failover?: FailoverType;
  /** Key of the health check it names, or the literal id when no resource manages it. */
  healthCheck?: string;
  /** Present for alias records. */
  alias?: { evaluateTargetHealth: boolean };
}

export interface HealthCheckModel {
  key: string;
  type: string;
  disabled: boolean;
  inverted: boolean;
  /** Keys of the checks a CALCULATED check aggregates. */
  children: string[];
  /** How many children must be healthy for a CALCULATED check to be healthy; default all of them. */
  childHealthThreshold?: number;
}

export interface ZoneState {
  records: RecordModel[];
  healthChecks: HealthCheckModel[];
}

export interface Route53Violation {
  rule: string;
  message: string;
}

export interface Route53Rule {
  id: string;
  /** The documentation or issue the rule comes from. */
  source: string;
  check(state: ZoneState): string[];
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};
const nameKey = (r: RecordModel) => `${r.zoneId} ${r.name.toLowerCase().replace(/\.$/, "")}`;
const nameTypeKey = (r: RecordModel) => `${nameKey(r)} ${r.type}`;
const label = (r: RecordModel) => `${r.name} ${r.type}${r.setIdentifier ? ` (${r.setIdentifier})` : ""}`;
const apiFailover = "Route 53 API Reference, ResourceRecordSet.Failover";

export const route53Rules: readonly Route53Rule[] = [
  {
    id: "one-primary-one-secondary",
    source: `${apiFailover} (one record set PRIMARY, the other SECONDARY); Route 53 refuses a second one: "RRset for same type with Primary (or Sec) exists" (boto/boto3#1347)`,
    check: (state) =>
      [...groupBy(state.records.filter((r) => r.failover), nameTypeKey).values()].flatMap((group) =>
        (["PRIMARY", "SECONDARY"] as const)
          .map((type) => group.filter((r) => r.failover === type))
          .filter((same) => same.length > 1)
          .map((same) => `${same.length} ${same[0].failover} records for ${same[0].name} ${same[0].type}: ${same.map((r) => r.setIdentifier ?? "(no set identifier)").join(", ")}`),
      ),
  },
  {
    id: "unique-set-identifier",
    source: "Route 53 API Reference, ResourceRecordSet.SetIdentifier (it differentiates record sets with the same name and type) and ChangeResourceRecordSets (CREATE fails when the record set already exists)",
    check: (state) =>
      [...groupBy(state.records, (r) => `${nameTypeKey(r)} ${r.setIdentifier ?? ""}`).values()]
        .filter((group) => group.length > 1)
        .map((group) => `${group.length} record sets ${label(group[0])} with the same name, type and set identifier`),
  },
  {
    id: "failover-needs-set-identifier",
    source: "Route 53 API Reference, ResourceRecordSet.SetIdentifier: required for failover (and every other non-simple) routing",
    check: (state) => state.records.filter((r) => r.failover && !r.setIdentifier).map((r) => `failover record ${label(r)} has no set identifier`),
  },
  {
    id: "no-mixed-routing",
    source: `${apiFailover}: "You can't create non-failover resource record sets that have the same values for the Name and Type elements as failover resource record sets"`,
    check: (state) =>
      [...groupBy(state.records, nameTypeKey).values()]
        .filter((group) => group.some((r) => r.failover) && group.some((r) => !r.failover))
        .map((group) => `${group[0].name} ${group[0].type} mixes failover and non-failover record sets`),
  },
  {
    id: "failover-alias-evaluates-target-health",
    source: `${apiFailover}: "For failover alias resource record sets, you must also include the EvaluateTargetHealth element and set the value to true"`,
    check: (state) => state.records.filter((r) => r.failover && r.alias && !r.alias.evaluateTargetHealth).map((r) => `failover alias ${label(r)} does not evaluate target health`),
  },
  {
    id: "cname-alone",
    source: "RFC 1034 section 3.6.2 (a CNAME name has no other data); Route 53 refuses an RRSet of type CNAME that conflicts with other records with the same DNS name",
    check: (state) =>
      [...groupBy(state.records, nameKey).values()]
        .filter((group) => group.some((r) => r.type === "CNAME") && group.some((r) => r.type !== "CNAME"))
        .map((group) => `${group[0].name} has a CNAME beside ${[...new Set(group.filter((r) => r.type !== "CNAME").map((r) => r.type))].join(", ")} records`),
  },
  {
    id: "health-check-exists",
    source: "Route 53 API Reference, ChangeResourceRecordSets and UpdateHealthCheck: a record or a calculated check can only name a health check that exists (NoSuchHealthCheck)",
    check: (state) => {
      const known = new Set(state.healthChecks.map((h) => h.key));
      return [
        ...state.records.filter((r) => r.healthCheck && !known.has(r.healthCheck)).map((r) => `${label(r)} names health check ${r.healthCheck}, which does not exist`),
        ...state.healthChecks.flatMap((h) => h.children.filter((c) => !known.has(c)).map((c) => `calculated health check ${h.key} aggregates ${c}, which does not exist`)),
      ];
    },
  },
  {
    id: "primary-can-fail-over",
    source: `${apiFailover}: the failover behaviours "assume that you have included the HealthCheckId element"; a non-alias PRIMARY without one is always healthy, so DNS never fails over (docs/architecture/README.md#rules-of-the-real-world-that-the-mock-engine-does-not-enforce)`,
    check: (state) => state.records.filter((r) => r.failover === "PRIMARY" && !r.alias && !r.healthCheck).map((r) => `non-alias PRIMARY ${label(r)} has no health check: it never fails over`),
  },
];

/** Every rule the state breaks. */
export function validateZoneState(state: ZoneState): Route53Violation[] {
  return route53Rules.flatMap((rule) => rule.check(state).map((message) => ({ rule: rule.id, message })));
}

/**
 * Whether Route 53 considers a health check healthy, given the endpoint checks' observed health.
 * A disabled check is always healthy and an inverted one reports the opposite, so disabled and
 * inverted is always unhealthy (`@pulumi/aws` route53.HealthCheck `disabled` docs: "After you
 * disable a health check, Route 53 considers the status of the health check to always be
 * healthy ... If you want to stop routing traffic to a resource, change the value of
 * invertHealthcheck").
 */
export function isHealthy(check: HealthCheckModel, state: ZoneState, endpointHealthy: (key: string) => boolean, seen: ReadonlySet<string> = new Set()): boolean {
  if (seen.has(check.key)) throw new Error(`health check ${check.key} aggregates itself`);
  const raw = check.disabled
    ? true
    : check.type === "CALCULATED"
      ? check.children.filter((c) => {
          const child = state.healthChecks.find((h) => h.key === c);
          return child !== undefined && isHealthy(child, state, endpointHealthy, new Set([...seen, check.key]));
        }).length >= (check.childHealthThreshold ?? check.children.length)
      : endpointHealthy(check.key);
  return check.inverted ? !raw : raw;
}
