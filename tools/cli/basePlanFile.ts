/**
 * `npm run plan -- --diff --base FILE`: the base plan a pull request is compared with, read from
 * the `npm run plan -- --stack NAME --out FILE` JSON of the base branch (made in a worktree of
 * it, as preview.yml does). A file that is not such a plan is a usage error naming the file.
 */
import type { DiffableResource } from "../../domain/planDiff";
import { readInputFile, UsageError } from "./args";

const remake = "make it with `npm run -s plan -- --stack NAME --out FILE` on the base branch";

/** Why `value` is not one resource of a plan file, or undefined when it is. */
function resourceProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return "a resource is not an object";
  const r = value as Record<string, unknown>;
  for (const key of ["urn", "type", "name"] as const) if (typeof r[key] !== "string") return `a resource has no string ${key}`;
  if (typeof r.inputs !== "object" || r.inputs === null) return `${r.urn as string} has no inputs`;
  if (typeof r.options !== "object" || r.options === null || !Array.isArray((r.options as { dependsOn?: unknown }).dependsOn)) return `${r.urn as string} has no options.dependsOn`;
  // Plans written before `provider` and `custom` were part of the JSON cannot be diffed: the
  // provider decides whether a resource moves region (and is replaced).
  if (typeof r.custom !== "boolean" || !(typeof r.provider === "string" || r.provider === null)) {
    return `${r.urn as string} has no provider/custom (a plan written by an older version of this tool)`;
  }
  return undefined;
}

/** The resources and stack outputs of the base plan of `stack` in `path`; throws UsageError naming the file and the fix. */
export function readBasePlan(path: string, stack: string): { resources: DiffableResource[]; outputs: Record<string, unknown> } {
  const text = readInputFile(`--base ${JSON.stringify(path)}`, path, remake);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--base ${JSON.stringify(path)}: not JSON (${(err as Error).message}); ${remake}`);
  }
  const plan = parsed as { stack?: unknown; resources?: unknown; outputs?: unknown };
  if (typeof plan?.stack !== "string" || !Array.isArray(plan.resources)) {
    throw new UsageError(`--base ${JSON.stringify(path)}: not a plan file (expected {stack, resources: [...]}); ${remake}`);
  }
  if (plan.stack !== stack) throw new UsageError(`--base ${JSON.stringify(path)}: is a plan of stack ${plan.stack}, not ${stack}; give the base plan of the same stack`);
  const problem = plan.resources.map(resourceProblem).find((p) => p !== undefined);
  if (problem) throw new UsageError(`--base ${JSON.stringify(path)}: ${problem}; ${remake}`);
  if (plan.outputs !== undefined && (plan.outputs === null || typeof plan.outputs !== "object" || Array.isArray(plan.outputs))) {
    throw new UsageError(`--base ${JSON.stringify(path)}: its outputs are not an object; ${remake}`);
  }
  return { resources: plan.resources as DiffableResource[], outputs: (plan.outputs ?? {}) as Record<string, unknown> };
}
