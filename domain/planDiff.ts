/**
 * Two offline plans compared the way `pulumi preview --diff` compares the program with the
 * stack's state: resources matched by URN; a URN only in the new plan is a create, only in the
 * old one a delete; a URN in both gets the operation the replacement rules decide.
 */
import { decideOperation, hasReplaceRule, type ProviderView, type Registration } from "./replacement";
import { isStatefulType } from "./stateful";

/** A resource as an offline plan holds it (the harness's captured resource fits this shape). */
export interface DiffableResource {
  urn: string;
  type: string;
  name: string;
  /** False for components and the stack: the engine never creates anything for them. */
  custom: boolean;
  /** Provider reference `urn::id`, or null for a default provider. */
  provider: string | null;
  inputs: Record<string, unknown>;
  options: { dependsOn: string[] };
  propertyDependencies?: Record<string, string[]>;
}

export type PlannedOp = "update" | "replace" | "create" | "delete";

export interface PlannedOperation {
  urn: string;
  type: string;
  name: string;
  op: PlannedOp;
  /** The properties that cause the operation: the replacement's causes for a replace, the changed inputs for an update. */
  properties: string[];
  /** Every changed top-level input (`diffReasons`), for a replace too. */
  changed: string[];
  /** A stateful type (domain/statefulTypes.json): its replacement or deletion loses data or the DNS answer. */
  stateful: boolean;
  /** The sources of the replacement rules that fired. */
  sources: string[];
}

export interface PlanDiffSummary {
  update: number;
  replace: number;
  create: number;
  delete: number;
  statefulReplacedOrDeleted: number;
}

export interface PlanDiff {
  operations: PlannedOperation[];
  summary: PlanDiffSummary;
  /** Changed resource types without a replacement rule: their operation is a guess (update). */
  typesWithoutRule: string[];
}

const opOrder: Record<PlannedOp, number> = { delete: 0, replace: 1, create: 2, update: 3 };

/** The provider URN of a `urn::id` reference. */
export const providerUrnOf = (reference: string): string => reference.split("::").slice(0, -1).join("::");

function providerOf(resource: DiffableResource, byUrn: ReadonlyMap<string, DiffableResource>): ProviderView | null {
  if (!resource.provider) return null;
  const urn = providerUrnOf(resource.provider);
  const provider = byUrn.get(urn);
  return { urn, type: provider?.type ?? urn.split("::")[2]?.split("$").pop() ?? "unknown", inputs: provider?.inputs ?? {} };
}

const registration = (resource: DiffableResource, byUrn: ReadonlyMap<string, DiffableResource>): Registration => ({
  type: resource.type,
  inputs: resource.inputs,
  provider: providerOf(resource, byUrn),
});

/** Compares plan `before` (what the stack runs now) with plan `after` (the program with the change). */
export function diffPlans(before: readonly DiffableResource[], after: readonly DiffableResource[]): PlanDiff {
  const oldByUrn = new Map(before.map((r) => [r.urn, r]));
  const newByUrn = new Map(after.map((r) => [r.urn, r]));
  const operations: PlannedOperation[] = [];
  const typesWithoutRule = new Set<string>();
  const replacedProviders = new Set<string>();
  const record = (resource: DiffableResource, op: PlannedOp, properties: string[], changed: string[], sources: string[]) =>
    operations.push({ urn: resource.urn, type: resource.type, name: resource.name, op, properties, changed, stateful: isStatefulType(resource.type), sources });

  // Providers first: a replaced provider replaces what it manages.
  const ordered = [...after].sort((a, b) => Number(b.type.startsWith("pulumi:providers:")) - Number(a.type.startsWith("pulumi:providers:")));
  for (const resource of ordered.filter((r) => r.custom)) {
    const old = oldByUrn.get(resource.urn);
    if (!old) {
      record(resource, "create", [], Object.keys(resource.inputs).sort(), []);
      continue;
    }
    const oldProvider = old.provider ? providerUrnOf(old.provider) : null;
    const decision = decideOperation(registration(old, oldByUrn), registration(resource, newByUrn), oldProvider !== null && replacedProviders.has(oldProvider));
    if (decision.op === "same") continue;
    if (!hasReplaceRule(resource.type)) typesWithoutRule.add(resource.type);
    if (decision.op === "replace") {
      if (resource.type.startsWith("pulumi:providers:")) replacedProviders.add(resource.urn);
      record(resource, "replace", decision.replaceReasons, decision.diffReasons, decision.sources);
    } else {
      record(resource, "update", decision.diffReasons, decision.diffReasons, []);
    }
  }
  for (const old of before.filter((r) => r.custom && !newByUrn.has(r.urn))) record(old, "delete", [], [], []);

  operations.sort((a, b) => opOrder[a.op] - opOrder[b.op] || a.urn.localeCompare(b.urn));
  const count = (op: PlannedOp) => operations.filter((o) => o.op === op).length;
  return {
    operations,
    summary: {
      update: count("update"),
      replace: count("replace"),
      create: count("create"),
      delete: count("delete"),
      statefulReplacedOrDeleted: operations.filter((o) => o.stateful && (o.op === "replace" || o.op === "delete")).length,
    },
    typesWithoutRule: [...typesWithoutRule].sort(),
  };
}

/** The closing line of a diff, as `npm run plan -- --diff` prints it. */
export const summaryLine = (s: PlanDiffSummary): string =>
  `${s.update} to update, ${s.replace} to replace, ${s.create} to create, ${s.delete} to delete; stateful replaced or deleted: ${s.statefulReplacedOrDeleted}`;
