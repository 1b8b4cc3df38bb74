/**
 * The DNS part of a plan diff, ready for the Route 53 walk: the zone's records and health checks
 * before the update, and the changed ones with the dependencies the engine orders them by.
 */
import type { DiffableResource, PlanDiff } from "./planDiff";
import type { DnsChange, DnsObject } from "./route53Walk";
import type { FailoverType } from "./route53Rules";

export const recordType = "aws:route53/record:Record";
export const healthCheckType = "aws:route53/healthCheck:HealthCheck";
const isDns = (r: { type: string }) => r.type === recordType || r.type === healthCheckType;

/** The URN an input was built from (the engine's property dependency), else its literal value. */
function reference(resource: DiffableResource, key: string): string | undefined {
  const urns = resource.propertyDependencies?.[key];
  if (urns && urns.length === 1) return urns[0];
  const value = resource.inputs[key];
  return typeof value === "string" ? value : undefined;
}

const firstOf = (value: unknown): Record<string, unknown> | undefined =>
  Array.isArray(value) && value.length > 0 && typeof value[0] === "object" && value[0] !== null ? (value[0] as Record<string, unknown>) : undefined;

/** A plan's record or health check as the Route 53 model sees it. */
export function toDnsObject(resource: DiffableResource): DnsObject {
  const inputs = resource.inputs;
  if (resource.type === healthCheckType) {
    const listed = Array.isArray(inputs.childHealthchecks) ? inputs.childHealthchecks.map(String) : [];
    return {
      kind: "healthCheck",
      healthCheck: {
        key: resource.urn,
        type: String(inputs.type),
        disabled: inputs.disabled === true,
        inverted: inputs.invertHealthcheck === true,
        children: [...(resource.propertyDependencies?.childHealthchecks ?? listed)],
        ...(typeof inputs.childHealthThreshold === "number" ? { childHealthThreshold: inputs.childHealthThreshold } : {}),
      },
    };
  }
  const failover = firstOf(inputs.failoverRoutingPolicies)?.type as FailoverType | undefined;
  const alias = firstOf(inputs.aliases);
  return {
    kind: "record",
    record: {
      key: resource.urn,
      zoneId: String(inputs.zoneId),
      name: String(inputs.name),
      type: String(inputs.type),
      ...(typeof inputs.setIdentifier === "string" ? { setIdentifier: inputs.setIdentifier } : {}),
      ...(failover ? { failover } : {}),
      ...(inputs.healthCheckId !== undefined ? { healthCheck: reference(resource, "healthCheckId") } : {}),
      ...(alias ? { alias: { evaluateTargetHealth: alias.evaluateTargetHealth === true } } : {}),
    },
  };
}

/** URNs `resource` waits for: dependsOn and property dependencies. */
const directDependencies = (resource: DiffableResource) => [...resource.options.dependsOn, ...Object.values(resource.propertyDependencies ?? {}).flat()];

/** The changed DNS resources each one waits for, through unchanged resources too. */
function changedDependencies(start: DiffableResource, byUrn: ReadonlyMap<string, DiffableResource>, changed: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([start.urn]);
  const queue = directDependencies(start);
  while (queue.length > 0) {
    const urn = queue.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    if (changed.has(urn)) found.add(urn);
    const resource = byUrn.get(urn);
    if (resource) queue.push(...directDependencies(resource));
  }
  return [...found].sort();
}

/** The zone before the update and the DNS changes of `diff` (which compares `before` with `after`). */
export function dnsChangesOf(before: readonly DiffableResource[], after: readonly DiffableResource[], diff: PlanDiff): { initial: Map<string, DnsObject>; changes: DnsChange[] } {
  const initial = new Map(before.filter(isDns).map((r) => [r.urn, toDnsObject(r)]));
  const oldByUrn = new Map(before.map((r) => [r.urn, r]));
  const newByUrn = new Map(after.map((r) => [r.urn, r]));
  const operations = diff.operations.filter(isDns);
  const changed = new Set(operations.map((o) => o.urn));
  const changes = operations.map((operation): DnsChange => {
    const old = oldByUrn.get(operation.urn);
    const current = newByUrn.get(operation.urn);
    const graph = operation.op === "delete" ? oldByUrn : newByUrn;
    return {
      key: operation.urn,
      op: operation.op,
      ...(old ? { before: toDnsObject(old) } : {}),
      ...(current ? { after: toDnsObject(current) } : {}),
      dependsOn: changedDependencies((current ?? old)!, graph, changed),
    };
  });
  return { initial, changes };
}
