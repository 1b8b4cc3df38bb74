/**
 * `npm run policy -- --stack prod [--set key=value ...]` or `npm run policy -- --plan FILE`:
 * runs the policy pack's own policy objects over the offline plan (or a saved
 * `npm run plan -- --out FILE` file), in-process, without the Pulumi CLI.
 *
 * Prints violations grouped by policy with the resource URN and message. Exit 0 when no
 * mandatory policy is violated, 1 when one is, 2 on a usage or config error.
 * `--format markdown --max-chars N` writes a CI job summary cut to N characters.
 */
import type { PolicyPackConfig } from "@pulumi/policy";
import { StackConfigError } from "../../infra/parseConfig";
import { StackFileError } from "../offline/stackFiles";
import type { PlannedResource } from "../../policies/engine";
import { PolicySettingsError } from "../../policies/settings";
import { didYouMean, wrapList } from "../../domain/nearest";
import { formatOf, parseFlags, readInputFile, positionalHint, runCli, stackLabel, UsageError, writeOutput } from "./args";
import { policyCommand } from "./commands";
import { fitText, reportTerminal, type TextLayout } from "./terminal";
import { withHeldWarnings } from "./warnings";

/** A failing policy's line in red, the passed heading in green (where colour is wanted). */
const policyMarks: TextLayout["marks"] = [
  [/^✗ .*\(mandatory\)/, "danger"],
  [/^✗ [^:]*/, "update"],
  [/^✓ passed/, "add"],
];

const usage = "use --stack <name> (plans it offline) or --plan <file> (a saved `npm run plan -- --stack <name> --out FILE`)";

/** Reads a saved plan; a file that is not one is a usage error naming the file. */
function readPlanFile(path: string): { stack: string; resources: PlannedResource[] } {
  const text = readInputFile(`--plan ${JSON.stringify(path)}`, path, usage);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--plan: ${path} is not JSON (${(err as Error).message}); ${usage}`);
  }
  const plan = parsed as { stack?: unknown; resources?: unknown };
  const valid =
    typeof plan?.stack === "string" &&
    Array.isArray(plan.resources) &&
    plan.resources.every((r) => r && typeof r.urn === "string" && typeof r.type === "string" && typeof r.inputs === "object" && typeof r.options === "object");
  if (!valid) throw new UsageError(`--plan: ${path} is not a plan file (expected {stack, resources: [{urn, type, inputs, options, ...}]}); ${usage}`);
  return plan as { stack: string; resources: PlannedResource[] };
}

/**
 * Every entry of a pack config must name a policy of the pack (or be `all`, the pack-wide
 * enforcement level): a misspelt name would otherwise leave its policy at the defaults.
 */
function unknownPolicyEntries(config: PolicyPackConfig, policyNames: readonly string[], file: string): string[] {
  return Object.keys(config)
    .filter((name) => name !== "all" && !policyNames.includes(name))
    .map((name) => `--config ${file}: ${JSON.stringify(name)} names no policy of this pack;${didYouMean(name, policyNames)} the pack's policies: ${wrapList([...policyNames].sort(), 88, "    ")}`);
}

function readPackConfig(path: string | undefined): PolicyPackConfig {
  if (!path) return {};
  const fix = "give a policy pack config file as pulumi --policy-pack-config takes";
  const text = readInputFile(`--config ${JSON.stringify(path)}`, path, fix);
  try {
    return JSON.parse(text) as PolicyPackConfig;
  } catch (err) {
    throw new UsageError(`--config: ${path} is not JSON (${(err as Error).message}); ${fix}`);
  }
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), policyCommand);
    const stack = flags.values.stack?.[0];
    const planFile = flags.values.plan?.[0];
    if (flags.positional.length > 0) throw new UsageError(`${positionalHint(flags.positional[0], "stack", "policy", process.env)} (${usage})`);
    if ((stack === undefined) === (planFile === undefined)) throw new UsageError(`--stack/--plan: give exactly one; ${usage}`);
    if (planFile && flags.values.set) throw new UsageError("--set: only with --stack (a saved plan is already evaluated)");
    const format = formatOf(flags, ["text", "json", "markdown"] as const);
    const maxCharsText = flags.values["max-chars"]?.[0];
    const maxChars = maxCharsText === undefined ? undefined : Number(maxCharsText);
    if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 500)) throw new UsageError(`--max-chars: "${maxCharsText}" is not allowed; use a whole number of characters >= 500`);

    // The program and the policies (all of @pulumi/aws) load only once the flags are known to be good.
    const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
    const { evaluatePolicies, hasMandatoryViolations } = require("../../policies/engine") as typeof import("../../policies/engine");
    const { createPolicies } = require("../../policies/policies") as typeof import("../../policies/policies");
    const { renderReport } = require("../../policies/report") as typeof import("../../policies/report");
    const policies = createPolicies();
    const packConfig = readPackConfig(flags.values.config?.[0]);
    const unknown = unknownPolicyEntries(packConfig, policies.map((p) => p.name), flags.values.config?.[0] ?? "");
    if (unknown.length > 0) throw new UsageError(unknown.join("\n"));
    if (format === "json" && maxChars !== undefined) throw new UsageError("--max-chars: cuts a text or markdown report; JSON is never cut (drop --max-chars)");
    const plan = planFile
      ? readPlanFile(planFile)
      : await withHeldWarnings(flags.switches.has("verbose"), async (keep) => {
          const planned = await planStack(stack!, { set: flags.values.set ?? [], printWarnings: false });
          keep(planned.warnings);
          return toPlanJson(planned);
        });
    const outcomes = await evaluatePolicies(policies, plan.resources, packConfig);
    const title = stackLabel(plan.stack, flags.values.set ?? []);
    const out = flags.values.out?.[0];
    // Text fits the terminal (a violation's URN and message wrap under their indent); markdown is for GitHub, which wraps it.
    const report =
      format === "json"
        ? JSON.stringify({ title, stack: plan.stack, set: flags.values.set ?? [], outcomes }, null, 2)
        : format === "markdown"
          ? renderReport(outcomes, { format, maxChars, title })
          : fitText(renderReport(outcomes, { format, maxChars, title }), reportTerminal(out !== undefined), { marks: policyMarks });
    writeOutput(`${report}\n`, out);
    return hasMandatoryViolations(outcomes) ? 1 : 0;
  },
  (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof PolicySettingsError,
  policyCommand,
);
