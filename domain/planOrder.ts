/**
 * The order `pulumi up` runs a diff's steps in, for reading a preview top to bottom.
 *
 * The engine runs a resource's step only after the steps of everything it depends on: its
 * provider, its `dependsOn`, and every resource an input came from ("The dependsOn option
 * ensures that resource creation, update, and deletion operations are executed in the correct
 * order", https://www.pulumi.com/docs/concepts/options/dependson/); steps with no dependency
 * between them may run in parallel. Deletions (of removed resources, and the old half of a
 * create-before-delete replacement) come at the very end, a resource before those it depended
 * on ("pulumi first creates all new resources and schedules the deletion of resources at the
 * very end", pulumi/pulumi#9979; condemned resources deleted in dependency-respecting batches,
 * pulumi/pulumi#1963).
 */

/** What ordering needs of a resource: its URN and the URNs it depends on. */
export interface OrderedResource {
  urn: string;
  /** Provider reference `urn::id`, or null. */
  provider: string | null;
  options: { dependsOn: readonly string[] };
  propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

const providerUrn = (reference: string): string => reference.split("::").slice(0, -1).join("::");

/** The URNs `resource` waits for. */
export function dependenciesOf(resource: OrderedResource): string[] {
  const all = [...resource.options.dependsOn, ...Object.values(resource.propertyDependencies ?? {}).flat()];
  if (resource.provider) all.push(providerUrn(resource.provider));
  return [...new Set(all)].filter((urn) => urn !== resource.urn);
}

/**
 * Every URN of `resources` after the ones it depends on (Kahn's algorithm; among resources
 * that are ready together, by URN, so the order is stable). A dependency outside the list is
 * ignored; a cycle (which the engine would refuse) keeps the remaining resources in URN order.
 */
export function dependencyOrder(resources: readonly OrderedResource[]): string[] {
  const known = new Set(resources.map((r) => r.urn));
  const waitsFor = new Map(resources.map((r) => [r.urn, new Set(dependenciesOf(r).filter((urn) => known.has(urn)))]));
  const dependents = new Map<string, string[]>();
  for (const [urn, deps] of waitsFor) for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), urn]);
  const ready = [...waitsFor].filter(([, deps]) => deps.size === 0).map(([urn]) => urn).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const urn = ready.shift()!;
    order.push(urn);
    for (const dependent of dependents.get(urn) ?? []) {
      const deps = waitsFor.get(dependent)!;
      deps.delete(urn);
      if (deps.size === 0) {
        const at = ready.findIndex((u) => u.localeCompare(dependent) > 0);
        ready.splice(at < 0 ? ready.length : at, 0, dependent);
      }
    }
  }
  const placed = new Set(order);
  return [...order, ...[...known].filter((urn) => !placed.has(urn)).sort()];
}
