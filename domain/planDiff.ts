/**
 * Two offline plans compared the way `pulumi preview --diff` compares the program with the
 * stack's state: resources matched by URN; a URN only in the new plan is a create, only in the
 * old one a delete; a URN in both gets the operation the replacement rules decide.
 */
import { dependencyOrder } from "./planOrder";
import { decideOperation, hasReplaceRule, type ProviderView, type Registration } from "./replacement";
import { isStatefulType } from "./stateful";
import { topLevelKeyOf } from "./valuePath";

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
  /** Fingerprints of the secrets in `inputs` by path, where the plan was made in this process (tools/offline/capture.ts). */
  secretDigests?: Record<string, string>;
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


/** The provider URN of a `urn::id` reference. */
export const providerUrnOf = (reference: string): string => reference.split("::").slice(0, -1).join("::");

function providerOf(resource: DiffableResource, byUrn: ReadonlyMap<string, DiffableResource>): ProviderView | null {
  if (!resource.provider) return null;
  const urn = providerUrnOf(resource.provider);
  const provider = byUrn.get(urn);
  return { urn, type: provider?.type ?? urn.split("::")[2]?.split("$").pop() ?? "unknown", inputs: provider?.inputs ?? {} };
}

/**
 * The inputs as the engine compares them: a secret shows as `[secret]` on both sides, so, where
 * both plans fingerprinted their secrets (`withDigests`), each top-level input holding one is
 * compared together with its secrets' fingerprints (a changed password is a change, as the
 * engine sees it). A saved plan has none: its secrets compare as equal.
 */
function comparableInputs(resource: DiffableResource, withDigests: boolean): Record<string, unknown> {
  const digests = withDigests ? Object.entries(resource.secretDigests ?? {}) : [];
  if (digests.length === 0) return resource.inputs;
  const inputs = { ...resource.inputs };
  for (const key of new Set(digests.map(([path]) => topLevelKeyOf(path)))) {
    inputs[key] = { value: resource.inputs[key], secrets: Object.fromEntries(digests.filter(([path]) => topLevelKeyOf(path) === key)) };
  }
  return inputs;
}

const registration = (resource: DiffableResource, byUrn: ReadonlyMap<string, DiffableResource>, withDigests: boolean): Registration => ({
  type: resource.type,
  inputs: comparableInputs(resource, withDigests),
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
    const withDigests = old.secretDigests !== undefined && resource.secretDigests !== undefined;
    const decision = decideOperation(registration(old, oldByUrn, withDigests), registration(resource, newByUrn, withDigests), oldProvider !== null && replacedProviders.has(oldProvider));
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

  // In the order `pulumi up` runs them (domain/planOrder.ts): creates, updates and replacements
  // after what they depend on in the new plan, then deletions, dependents first.
  const position = new Map(dependencyOrder(after.filter((r) => r.custom)).map((urn, i) => [urn, i]));
  const deletePosition = new Map(dependencyOrder(before.filter((r) => r.custom)).reverse().map((urn, i) => [urn, i]));
  const rank = (o: PlannedOperation) => (o.op === "delete" ? position.size + deletePosition.get(o.urn)! : position.get(o.urn)!);
  operations.sort((a, b) => rank(a) - rank(b));
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

/**
 * The exit code of `npm run plan -- --diff --detailed-exitcode`, after Terraform's
 * `-detailed-exitcode` (https://developer.hashicorp.com/terraform/cli/commands/plan#detailed-exitcode:
 * 0 succeeded with no changes, 1 error, 2 succeeded with changes), plus one code Terraform lacks:
 * a stateful resource (domain/statefulTypes.json) would be replaced or deleted.
 */
export const detailedExitCodes = { noChanges: 0, error: 1, changes: 2, statefulReplacedOrDeleted: 3 } as const;

export function detailedExitCode(summary: PlanDiffSummary): number {
  if (summary.statefulReplacedOrDeleted > 0) return detailedExitCodes.statefulReplacedOrDeleted;
  return summary.update + summary.replace + summary.create + summary.delete > 0 ? detailedExitCodes.changes : detailedExitCodes.noChanges;
}

/** The closing line of a diff, as `npm run plan -- --diff` prints it. */
export const summaryLine = (s: PlanDiffSummary): string =>
  `${s.update} to update, ${s.replace} to replace, ${s.create} to create, ${s.delete} to delete; stateful replaced or deleted: ${s.statefulReplacedOrDeleted}`;
