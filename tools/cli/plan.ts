/**
 * `npm run plan -- --stack prod [--set key=value ...] [--format text|json|markdown] [--diff [--base FILE] [--detailed-exitcode]] [--out FILE] [--verbose]`:
 * what the stack would create, evaluated offline with the Pulumi SDK's mock engine (no cloud,
 * no CLI, no credentials).
 *
 * With `--diff`: the plan from the stack files against the plan with the `--set` overrides (or,
 * with `--base FILE`, a saved plan of the base branch against this checkout's plan), resource by
 * resource in the order `pulumi up` runs them (update, replace, create, delete, the properties
 * that cause each and every changed value), the changed stack outputs, the Route 53 check of
 * every state the DNS changes pass through, and a closing line
 * `N to update, N to replace, N to create, N to delete; stateful replaced or deleted: N`.
 * Exit 0 whenever the plans were built (the failover workflow's guard decides on the real
 * preview); 2 on a usage or configuration error; 1 on anything else. With `--detailed-exitcode`
 * (domain/planDiff.ts `detailedExitCode`): 0 no changes, 2 changes, 3 a stateful resource
 * replaced or deleted, 1 any error.
 * Text fits the terminal (COLUMNS, else the TTY's width, else 100) and is coloured only on a
 * TTY (NO_COLOR, FORCE_COLOR): ./terminal.ts. The program's warnings go to stderr once each,
 * with a count; `--verbose` prints every one.
 * Flags and help: `planCommand` in ./commands.ts.
 */
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError } from "../offline/stackFiles";
import { formatOf, parseFlags, positionalHint, runCli, stackLabel, UsageError, writeOutput, type ParsedFlags } from "./args";
import { planCommand } from "./commands";
import { fencedReport } from "./fencedReport";
import { reportTerminal } from "./terminal";
import { withHeldWarnings } from "./warnings";

const formats = ["text", "json", "markdown"] as const;

/** `--format`, else JSON when the output goes to `--out FILE` (the saved plan other runs read), else text. */
function planFormat(flags: ParsedFlags): (typeof formats)[number] {
  return flags.values.format === undefined && flags.values.out ? "json" : formatOf(flags, formats);
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), planCommand);
    if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "plan", process.env));
    const stack = flags.values.stack?.[0];
    if (!stack) throw new UsageError("--stack: required; e.g. npm run plan -- --stack prod");
    requireStack(stack);
    const set = flags.values.set ?? [];
    const baseFile = flags.values.base?.[0];
    const filter = flags.values.filter?.[0];
    const diff = flags.switches.has("diff");
    const format = planFormat(flags);
    if (filter !== undefined && (format === "json" || diff)) {
      throw new UsageError("--filter: narrows the table (--format text or markdown) only; JSON and --diff keep the whole plan (filter the JSON with jq)");
    }
    if (baseFile !== undefined && !diff) throw new UsageError("--base: only with --diff, e.g. npm run -s plan -- --stack prod --diff --base main-prod.json");
    if (flags.switches.has("detailed-exitcode") && !diff) {
      throw new UsageError("--detailed-exitcode: only with --diff (it tells whether the diff has changes), e.g. npm run -s plan -- --stack prod --set activeRegion=secondary --diff --detailed-exitcode");
    }
    if (diff && set.length === 0 && baseFile === undefined) {
      throw new UsageError("--diff: compares the stack files with the same stack under --set overrides, or a saved plan (--base FILE) with this checkout; give one, e.g. --set activeRegion=secondary");
    }
    // A bad base plan is refused before anything loads.
    const basePlan = baseFile === undefined ? undefined : (require("./basePlanFile") as typeof import("./basePlanFile")).readBasePlan(baseFile, stack);
    // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
    const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
    const out = flags.values.out?.[0];
    // Colour only for text to the terminal; a file or markdown gets none, and the width a pipe gets.
    const terminal = reportTerminal(out !== undefined || format !== "text");
    const report = (json: unknown, text: () => string) => `${format === "json" ? JSON.stringify(json, null, 2) : format === "markdown" ? fencedReport(text()) : text()}\n`;
    let code = 0;
    const text = await withHeldWarnings(flags.switches.has("verbose"), async (keep) => {
      const plan = async (options: { set?: readonly string[] }) => {
        const result = await planStack(stack, { ...options, printWarnings: false });
        keep(result.warnings);
        return result;
      };
      if (diff) {
        const { previewChange, renderFlipPreview, flipPreviewJson } = require("./planDiffReport") as typeof import("./planDiffReport");
        const { detailedExitCode } = require("../../domain/planDiff") as typeof import("../../domain/planDiff");
        // One plan after the other: the mock engine is one per process.
        const before = basePlan ?? (await plan({}));
        const after = await plan({ set });
        const preview = previewChange(stack, set, before, after, baseFile);
        if (flags.switches.has("detailed-exitcode")) code = detailedExitCode(preview.diff.summary);
        return report(flipPreviewJson(preview), () => renderFlipPreview(preview, terminal));
      }
      const { renderPlanTable } = require("./planTable") as typeof import("./planTable");
      const planned = await plan({ set });
      return report(toPlanJson(planned), () => renderPlanTable(planned, filter, stackLabel(stack, set), terminal.columns));
    });
    writeOutput(text, out);
    return code;
  },
  (err) => err instanceof StackConfigError || err instanceof StackFileError,
  planCommand,
  // With --detailed-exitcode, 2 means "changes": a usage or configuration error is 1, as in Terraform.
  { userErrorExitCode: (argv) => (argv.includes("--detailed-exitcode") ? 1 : 2) },
);
