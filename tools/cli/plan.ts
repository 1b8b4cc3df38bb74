/**
 * `npm run plan -- --stack prod [--set key=value ...] [--json] [--out FILE]`: what the stack would
 * create, evaluated offline with the Pulumi SDK's mock engine (no cloud, no CLI, no credentials).
 * Flags and help: `planCommand` in ./commands.ts.
 */
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError } from "../offline/stackFiles";
import { parseFlags, positionalHint, runCli, UsageError, writeOutput } from "./args";
import { planCommand } from "./commands";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), planCommand);
  if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "plan", process.env));
  const stack = flags.values.stack?.[0];
  if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
  requireStack(stack);
  // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
  const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
  const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
  const plan = await planStack(stack, { set: flags.values.set ?? [] });
  const out = flags.values.out?.[0];
  writeOutput(flags.switches.has("json") || out ? `${JSON.stringify(toPlanJson(plan), null, 2)}\n` : `${renderPlanTable(plan)}\n`, out);
  return 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError, planCommand);
