/**
 * `npm run plan -- --stack prod [--set key=value ...] [--json]`: what the stack would create,
 * evaluated offline with the Pulumi SDK's mock engine (no cloud, no CLI, no credentials).
 */
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { values: ["stack", "set"], repeatable: ["set"], switches: ["json"] });
  const stack = flags.values.stack?.[0];
  if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
  requireStack(stack);
  // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
  const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
  const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
  const plan = await planStack(stack, { set: flags.values.set ?? [] });
  process.stdout.write(flags.switches.has("json") ? `${JSON.stringify(toPlanJson(plan), null, 2)}\n` : `${renderPlanTable(plan)}\n`);
  return 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError);
