/**
 * `npm run plan -- --stack prod [--set key=value ...] [--json] [--diff [--base FILE]] [--out FILE]`: what
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
import { parseFlags, positionalHint, runCli, stackLabel, UsageError, writeOutput } from "./args";
import { planCommand } from "./commands";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), planCommand);
  if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "plan", process.env));
  const stack = flags.values.stack?.[0];
  if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
  requireStack(stack);
  const set = flags.values.set ?? [];
  const baseFile = flags.values.base?.[0];
  const filter = flags.values.filter?.[0];
  if (filter !== undefined && (flags.switches.has("json") || flags.switches.has("diff") || flags.values.out)) {
    throw new UsageError("--filter: narrows the text table only; with --json, --out or --diff keep the whole plan (filter the JSON with jq)");
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
    const out = flags.values.out?.[0];
    writeOutput(flags.switches.has("json") || out ? `${JSON.stringify(flipPreviewJson(preview), null, 2)}\n` : `${renderFlipPreview(preview, before, after.resources)}\n`, out);
    return 0;
  }
  const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
  const plan = await planStack(stack, { set });
  const out = flags.values.out?.[0];
  writeOutput(flags.switches.has("json") || out ? `${JSON.stringify(toPlanJson(plan), null, 2)}\n` : `${renderPlanTable(plan, filter, stackLabel(stack, set))}\n`, out);
  return 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError, planCommand);
