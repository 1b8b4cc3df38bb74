/**
 * `npm run plan -- --diff`: the stack's plan from its stack files (or a saved base plan, `--base`)
 * against the plan with the `--set` overrides, as `pulumi preview --diff` would show the change, with the operation the
 * replacement rules decide for each changed resource and the Route 53 check of every state the
 * DNS changes pass through.
 */
import { diffPlans, summaryLine, type DiffableResource, type PlanDiff, type PlannedOp } from "../../domain/planDiff";
import { dnsChangesOf } from "../../domain/route53Plan";
import { walkDnsChanges, type WalkResult } from "../../domain/route53Walk";
import { statefulTypeEntries } from "../../domain/stateful";

export interface FlipPreview {
  stack: string;
  /** The `--set` overrides the new plan applies to the stack files. */
  set: string[];
  /** The saved base plan the change is diffed against (`--base`); absent: the stack files. */
  base?: string;
  diff: PlanDiff;
  route53: WalkResult;
}

/** The diff of two plans of one stack and the Route 53 walk of its DNS changes. */
export function previewChange(stack: string, set: readonly string[], before: readonly DiffableResource[], after: readonly DiffableResource[], base?: string): FlipPreview {
  const diff = diffPlans(before, after);
  const { initial, changes } = dnsChangesOf(before, after, diff);
  return { stack, set: [...set], ...(base === undefined ? {} : { base }), diff, route53: walkDnsChanges(initial, changes) };
}

const symbols: Record<PlannedOp, string> = { create: "+ ", update: "~ ", replace: "+-", delete: "- " };

function shown(value: unknown): string {
  const text = value === undefined ? "(unset)" : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** The preview as text: one block per changed resource, the Route 53 check, then the summary line last. */
export function renderFlipPreview(preview: FlipPreview, before: readonly DiffableResource[], after: readonly DiffableResource[]): string {
  const oldByUrn = new Map(before.map((r) => [r.urn, r]));
  const newByUrn = new Map(after.map((r) => [r.urn, r]));
  const sources = [...new Set(preview.diff.operations.flatMap((o) => o.sources))];
  const sets = preview.set.map((s) => `--set ${s}`).join(" ");
  const from = preview.base === undefined ? "its stack files" : `the base plan ${preview.base}`;
  const to = preview.base === undefined ? `with ${sets || "no --set"}` : `this checkout${sets ? ` with ${sets}` : ""}`;
  const lines = [`Stack ${preview.stack}: ${from} -> ${to} (offline; the real \`pulumi preview --diff\` diffs against the stack's state)`, ""];
  for (const operation of preview.diff.operations) {
    const causes = operation.op === "replace" ? ` [replace: ${operation.properties.join(", ")}]` : "";
    const changed = operation.changed.length > 0 ? ` [diff: ${operation.changed.map((k) => `~${k}`).join(",")}]` : "";
    const stateful = operation.stateful && (operation.op === "replace" || operation.op === "delete") ? `  STATEFUL: loses ${statefulTypeEntries.find((e) => e.type === operation.type)?.loses}` : "";
    const rules = operation.sources.map((source) => `[rule ${sources.indexOf(source) + 1}]`).join(" ");
    lines.push(`${symbols[operation.op]} ${operation.type} ${operation.name} ${operation.op}${causes}${changed}${rules ? ` ${rules}` : ""}${stateful}`);
    const old = oldByUrn.get(operation.urn);
    const current = newByUrn.get(operation.urn);
    for (const key of operation.op === "update" || operation.op === "replace" ? operation.changed : []) {
      if (key === "region" || key === "provider") continue;
      lines.push(`      ~ ${key}: ${shown(old?.inputs[key])} => ${shown(current?.inputs[key])}`);
    }
  }
  if (preview.diff.operations.length === 0) lines.push("(no changes)");
  if (sources.length > 0) lines.push("", "Replacement rules that fired:", ...sources.map((source, i) => `  [rule ${i + 1}] ${source}`));
  if (preview.diff.typesWithoutRule.length > 0) lines.push("", `No replacement rule for ${preview.diff.typesWithoutRule.join(", ")}: shown as updates; add the type to domain/replacement.ts`);
  const { route53 } = preview;
  lines.push("", `Route 53 during the update: ${route53.steps.length} DNS steps, ${route53.statesChecked} states checked (every order the dependencies allow), ${route53.violations.length} refused or unsafe`);
  for (const violation of route53.violations) {
    const steps = violation.afterSteps.map((step) => step.replace(/urn:pulumi:\S*::/, ""));
    lines.push(`  ${violation.rule}: ${violation.message}`, `    reached after: ${steps.join(" -> ") || "(before the update)"}`);
  }
  lines.push("", summaryLine(preview.diff.summary));
  return lines.join("\n");
}

/** The preview as `npm run plan -- --diff --format json` prints it. */
export const flipPreviewJson = (preview: FlipPreview) => ({
  stack: preview.stack,
  set: preview.set,
  ...(preview.base === undefined ? {} : { base: preview.base }),
  operations: preview.diff.operations,
  summary: preview.diff.summary,
  typesWithoutRule: preview.diff.typesWithoutRule,
  route53: preview.route53,
});
