/**
 * `npm run plan -- --diff`: the stack's plan from its stack files (or a saved base plan, `--base`)
 * against the plan with the `--set` overrides, as `pulumi preview --diff` would show the change:
 * the operation the replacement rules decide for each changed resource, in the order `pulumi up`
 * runs them, with every changed value (./valueChanges.ts), the changed stack outputs, and the
 * Route 53 check of every state the DNS changes pass through.
 */
import { diffPlans, summaryLine, type DiffableResource, type PlanDiff, type PlannedOp, type PlannedOperation } from "../../domain/planDiff";
import { providerUrnOf } from "../../domain/planDiff";
import { dnsChangesOf } from "../../domain/route53Plan";
import { walkDnsChanges, type WalkResult } from "../../domain/route53Walk";
import { statefulTypeEntries } from "../../domain/stateful";
import { shortType } from "./planTable";
import { line, render, type Line, type Style, type Terminal } from "./terminal";
import { valueChangeLines } from "./valueChangeLines";
import { recordChanges, sameValue, type ValueChange } from "./valueChanges";

/** One side of the diff: a plan's resources and its stack outputs. */
export interface PlanSide {
  resources: readonly DiffableResource[];
  outputs: Readonly<Record<string, unknown>>;
}

export interface FlipPreview {
  stack: string;
  /** The `--set` overrides the new plan applies to the stack files. */
  set: string[];
  /** The saved base plan the change is diffed against (`--base`); absent: the stack files. */
  base?: string;
  diff: PlanDiff;
  /** The changed values of each updated or replaced resource, by URN. */
  values: Record<string, ValueChange[]>;
  /** The changed stack outputs. */
  outputs: ValueChange[];
  route53: WalkResult;
}

/** Whether the secret at `path` changed, from the fingerprints both plans took (unknown for a saved plan). */
const secretComparer = (before: DiffableResource | undefined, after: DiffableResource | undefined) => (path: string) => {
  const [a, b] = [before?.secretDigests?.[path], after?.secretDigests?.[path]];
  return a === undefined || b === undefined ? undefined : a !== b;
};

/** The name and region of the provider a resource uses, for a `provider` or `region` change. */
function providerView(resource: DiffableResource | undefined, byUrn: ReadonlyMap<string, DiffableResource>): { name: string | null; region: unknown } {
  if (!resource?.provider) return { name: null, region: undefined };
  const urn = providerUrnOf(resource.provider);
  return { name: urn.split("::").pop() ?? urn, region: byUrn.get(urn)?.inputs.region };
}

/** The changed values of one operation: each changed input down to its changed paths, then a moved provider or region. */
function operationValues(operation: PlannedOperation, old: DiffableResource | undefined, current: DiffableResource | undefined, byUrn: [ReadonlyMap<string, DiffableResource>, ReadonlyMap<string, DiffableResource>]): ValueChange[] {
  if (operation.op !== "update" && operation.op !== "replace") return [];
  const inputs = operation.changed.filter((key) => key !== "provider" && key !== "region");
  const changes = recordChanges(inputs, old?.inputs ?? {}, current?.inputs ?? {}, secretComparer(old, current));
  const [was, is] = [providerView(old, byUrn[0]), providerView(current, byUrn[1])];
  if (operation.changed.includes("provider")) changes.push({ path: "provider", kind: "value", before: was.name, after: is.name });
  if (operation.changed.includes("region")) changes.push({ path: "region", kind: "value", before: was.region, after: is.region });
  return changes;
}

/** The diff of two plans of one stack, the values behind it, and the Route 53 walk of its DNS changes. */
export function previewChange(stack: string, set: readonly string[], before: PlanSide, after: PlanSide, base?: string): FlipPreview {
  const diff = diffPlans(before.resources, after.resources);
  const oldByUrn = new Map(before.resources.map((r) => [r.urn, r]));
  const newByUrn = new Map(after.resources.map((r) => [r.urn, r]));
  const values = Object.fromEntries(
    diff.operations.map((o) => [o.urn, operationValues(o, oldByUrn.get(o.urn), newByUrn.get(o.urn), [oldByUrn, newByUrn])] as const).filter(([, v]) => v.length > 0),
  );
  const outputKeys = [...new Set([...Object.keys(before.outputs), ...Object.keys(after.outputs)])].filter((k) => !sameValue(before.outputs[k], after.outputs[k]));
  const { initial, changes } = dnsChangesOf(before.resources, after.resources, diff);
  return {
    stack,
    set: [...set],
    ...(base === undefined ? {} : { base }),
    diff,
    values,
    outputs: recordChanges(outputKeys, before.outputs, after.outputs),
    route53: walkDnsChanges(initial, changes),
  };
}

const symbols: Record<PlannedOp, [string, Style]> = { create: ["+ ", "add"], update: ["~ ", "update"], replace: ["+-", "replace"], delete: ["- ", "remove"] };

/** The widest the resource-name column grows (a replacement's line then fits 100 columns); a longer name pushes its own line's rest to the right. */
const maxNameColumn = 36;

/** Where the changed values start, under the resource's name. */
const valueIndent = 5;

/** The preview as text for `terminal`: one block per changed resource in the order `pulumi up` runs them, outputs, the Route 53 check, the summary line last. */
export function renderFlipPreview(preview: FlipPreview, terminal: Terminal): string {
  const sources = [...new Set(preview.diff.operations.flatMap((o) => o.sources))];
  const sets = preview.set.map((s) => `--set ${s}`).join(" ");
  const from = preview.base === undefined ? "its stack files" : `the base plan ${preview.base}`;
  const to = preview.base === undefined ? `with ${sets || "no --set"}` : `this checkout${sets ? ` with ${sets}` : ""}`;
  const lines: Line[] = [
    line({ text: `Stack ${preview.stack}: ${from} -> ${to}`, style: "bold" }),
    line({ text: "Offline: two evaluations of the program; `pulumi preview --diff` diffs against the real state.", style: "dim" }),
    line({ text: "Order: as `pulumi up` runs them, each after what it depends on; deletions last.", style: "dim" }),
    line(""),
  ];
  const nameWidth = Math.min(maxNameColumn, Math.max(0, ...preview.diff.operations.map((o) => o.name.length)));
  for (const operation of preview.diff.operations) {
    const [symbol, style] = symbols[operation.op];
    const causes = operation.op === "replace" ? ` [replace: ${operation.properties.join(", ")}]` : "";
    const rules = operation.sources.map((source) => ` [rule ${sources.indexOf(source) + 1}]`).join("");
    const loses = operation.stateful && (operation.op === "replace" || operation.op === "delete") ? statefulTypeEntries.find((e) => e.type === operation.type)?.loses : undefined;
    lines.push({
      ...line(
        { text: symbol, style },
        " ",
        { text: operation.op.padEnd(7), style },
        " ",
        { text: operation.name.padEnd(nameWidth), style: "bold" },
        "  ",
        { text: shortType(operation.type), style: "dim" },
        `${causes}${rules}`,
        ...(loses ? [{ text: `  STATEFUL: loses ${loses}`, style: "danger" as const }] : []),
      ),
      hangingIndent: valueIndent,
    });
    for (const change of preview.values[operation.urn] ?? []) lines.push(...valueChangeLines(change, valueIndent, terminal.columns));
  }
  if (preview.diff.operations.length === 0) lines.push(line("(no changes)"));
  lines.push(line(""), line({ text: preview.outputs.length > 0 ? "Outputs:" : "Outputs: none changed", style: "bold" }));
  for (const change of preview.outputs) lines.push(...valueChangeLines(change, 2, terminal.columns));
  if (sources.length > 0) lines.push(line(""), line("Replacement rules that fired:"), ...sources.map((source, i) => ({ ...line(`  [rule ${i + 1}] ${source}`), hangingIndent: 6 })));
  if (preview.diff.typesWithoutRule.length > 0) {
    lines.push(line(""), line(`No replacement rule for ${preview.diff.typesWithoutRule.join(", ")}: shown as updates; add the type to domain/replacement.ts`));
  }
  const { route53 } = preview;
  lines.push(line(""), line(`Route 53 during the update: ${route53.steps.length} DNS steps, ${route53.statesChecked} states checked (every order the dependencies allow), ${route53.violations.length} refused or unsafe`));
  for (const violation of route53.violations) {
    const steps = violation.afterSteps.map((step) => step.replace(/urn:pulumi:\S*::/, ""));
    lines.push({ ...line({ text: `  ${violation.rule}: ${violation.message}`, style: "danger" }), hangingIndent: 4 }, { ...line(`    reached after: ${steps.join(" -> ") || "(before the update)"}`), hangingIndent: 6 });
  }
  const summaryStyle: Style | undefined = preview.diff.summary.statefulReplacedOrDeleted > 0 ? "danger" : undefined;
  lines.push(line(""), line({ text: summaryLine(preview.diff.summary), ...(summaryStyle ? { style: summaryStyle } : {}) }));
  return render(lines, terminal);
}

/** The preview as `npm run plan -- --diff --format json` prints it: each operation with its changed values (old and new per path), and the changed outputs. */
export const flipPreviewJson = (preview: FlipPreview) => ({
  stack: preview.stack,
  set: preview.set,
  ...(preview.base === undefined ? {} : { base: preview.base }),
  operations: preview.diff.operations.map((o) => ({ ...o, values: preview.values[o.urn] ?? [] })),
  outputs: preview.outputs,
  summary: preview.diff.summary,
  typesWithoutRule: preview.diff.typesWithoutRule,
  route53: preview.route53,
});
