/**
 * `npm run plan -- --stack prod [--set key=value ...] [--format text|json|markdown] [--diff [--base FILE]] [--out FILE]`: what
 * the stack would create, evaluated offline with the Pulumi SDK's mock engine (no cloud, no CLI,
 * no credentials).
 *
 * With `--diff`: the plan from the stack files against the plan with the `--set` overrides (or,
 * with `--base FILE`, a saved plan of the base branch against this checkout's plan), resource by
 * resource (update, replace, create, delete and the properties that cause each), the
 * Route 53 check of every state the DNS changes pass through, and a closing line
 * `N to update, N to replace, N to create, N to delete; stateful replaced or deleted: N`.
 * Exit 0 whenever the plans were built (the failover workflow's guard decides on the real
 * preview); 2 on a usage or configuration error; 1 on anything else.
 * Flags and help: `planCommand` in ./commands.ts.
 */
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError } from "../offline/stackFiles";
import { formatOf, parseFlags, positionalHint, runCli, stackLabel, UsageError, writeOutput, type ParsedFlags } from "./args";
import { planCommand } from "./commands";
import { fencedReport } from "./fencedReport";

const formats = ["text", "json", "markdown"] as const;

/** `--format`, else JSON when the output goes to `--out FILE` (the saved plan other runs read), else text. */
function planFormat(flags: ParsedFlags): (typeof formats)[number] {
  return flags.values.format === undefined && flags.values.out ? "json" : formatOf(flags, formats);
}

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), planCommand);
  if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "plan", process.env));
  const stack = flags.values.stack?.[0];
  if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
  requireStack(stack);
  const set = flags.values.set ?? [];
  const baseFile = flags.values.base?.[0];
  const filter = flags.values.filter?.[0];
  const format = planFormat(flags);
  const report = (json: unknown, text: () => string) => `${format === "json" ? JSON.stringify(json, null, 2) : format === "markdown" ? fencedReport(text()) : text()}\n`;
  if (filter !== undefined && (format === "json" || flags.switches.has("diff"))) {
    throw new UsageError("--filter: narrows the table (--format text or markdown) only; JSON and --diff keep the whole plan (filter the JSON with jq)");
  }
  if (baseFile !== undefined && !flags.switches.has("diff")) throw new UsageError("--base: only with --diff, e.g. npm run -s plan -- --stack prod --diff --base main-prod.json");
  if (flags.switches.has("diff") && set.length === 0 && baseFile === undefined) {
    throw new UsageError("--diff: compares the stack files with the same stack under --set overrides, or a saved plan (--base FILE) with this checkout; give one, e.g. --set activeRegion=secondary");
  }
  // A bad base plan is refused before anything loads.
  const basePlan = baseFile === undefined ? undefined : (require("./basePlanFile") as typeof import("./basePlanFile")).readBasePlan(baseFile, stack);
  // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
  const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
  if (flags.switches.has("diff")) {
    const { previewChange, renderFlipPreview, flipPreviewJson } = require("./planDiffReport") as typeof import("./planDiffReport");
    // One plan after the other: the mock engine is one per process.
    const before = basePlan ?? (await planStack(stack)).resources;
    const after = await planStack(stack, { set });
    const preview = previewChange(stack, set, before, after.resources, baseFile);
    writeOutput(report(flipPreviewJson(preview), () => renderFlipPreview(preview, before, after.resources)), flags.values.out?.[0]);
    return 0;
  }
  const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
  const plan = await planStack(stack, { set });
  writeOutput(report(toPlanJson(plan), () => renderPlanTable(plan, filter, stackLabel(stack, set))), flags.values.out?.[0]);
  return 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError, planCommand);
