/**
 * `npm run plan -- --stack prod [--set key=value ...] [--json] [--diff]`: what the stack would
 * create, evaluated offline with the Pulumi SDK's mock engine (no cloud, no CLI, no credentials).
 *
 * With `--diff`: the plan from the stack files against the plan with the `--set` overrides,
 * resource by resource (update, replace, create, delete and the properties that cause each), the
 * Route 53 check of every state the DNS changes pass through, and a closing line
 * `N to update, N to replace, N to create, N to delete; stateful replaced or deleted: N`.
 * Exit 0 whenever the plans were built (the failover workflow's guard decides on the real
 * preview); 2 on a usage or configuration error; 1 on anything else.
 */
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { values: ["stack", "set"], repeatable: ["set"], switches: ["json", "diff"] });
  const stack = flags.values.stack?.[0];
  if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
  requireStack(stack);
  const set = flags.values.set ?? [];
  if (flags.switches.has("diff") && set.length === 0) throw new UsageError("--diff: compares the stack files with the same stack under --set overrides; give at least one, e.g. --set activeRegion=secondary");
  // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
  const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
  if (flags.switches.has("diff")) {
    const { previewChange, renderFlipPreview, flipPreviewJson } = require("./planDiffReport") as typeof import("./planDiffReport");
    // One plan after the other: the mock engine is one per process.
    const before = await planStack(stack);
    const after = await planStack(stack, { set });
    const preview = previewChange(stack, set, before.resources, after.resources);
    process.stdout.write(flags.switches.has("json") ? `${JSON.stringify(flipPreviewJson(preview), null, 2)}\n` : `${renderFlipPreview(preview, before.resources, after.resources)}\n`);
    return 0;
  }
  const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
  const plan = await planStack(stack, { set });
  process.stdout.write(flags.switches.has("json") ? `${JSON.stringify(toPlanJson(plan), null, 2)}\n` : `${renderPlanTable(plan)}\n`);
  return 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError);
