/**
 * `npm run readiness -- --stack prod [--set key=value ...] [--format text|json|markdown] [--out FILE]
 * [--base FILE] [--measurements FILE] [--database-size 40GB]`: before a deploy, whether what the stack declares meets each recovery
 * objective of the runbook. Evaluates the stack offline exactly as `npm run plan` does, reads the
 * measured figures from docs/measurements.json, and prints one row per objective with the
 * mechanism, the budget, the margin and a verdict (met, at risk, not met, not measured).
 *
 * Exit 0 when no objective is "not met", 1 when one is (named on stderr), 2 on bad input.
 * `--base FILE` (a previous `--format json` output) shows every margin this change worsened.
 * `--database-size` is the size of the database a restore from backup must bring back: its
 * restore time is predicted from the restores bench:recovery measured at two sizes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StackConfigError } from "../../infra/parseConfig";
import { requireStack, StackFileError, repositoryRoot } from "../offline/stackFiles";
import { parseByteSize } from "../../domain/byteSize";
import { MeasurementsError, measurementsPath, readMeasurements } from "../readiness/measurements";
import { formatOf, fromInvocationFolder, parseFlags, readInputFile, positionalHint, runCli, stackLabel, UsageError, writeOutput } from "./args";
import { readinessCommand } from "./commands";
import { fitText, reportTerminal, terminalOf } from "./terminal";
import { withHeldWarnings } from "./warnings";

/** The drill workflow the report reads the testing schedule's crons from. */
export const drillWorkflowPath = ".github/workflows/drills.yml";

/** What a --base file must be. */
const fix = "give a file written by npm run readiness -- --format json";

function readBase(path: string): { id: string; margin: number | null; verdict: "met" | "at risk" | "not met" | "not measured" }[] {
  const text = readInputFile(`--base ${JSON.stringify(path)}`, path, fix);
  let parsed: { rows?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--base: ${path} is not JSON (${(err as Error).message}); ${fix}`);
  }
  const rows = parsed?.rows;
  if (!Array.isArray(rows) || !rows.every((r) => r && typeof r.id === "string" && (r.margin === null || typeof r.margin === "number") && typeof r.verdict === "string")) {
    throw new UsageError(`--base: ${path} is not a readiness report (expected {rows: [{id, margin, verdict}, ...]}); ${fix}`);
  }
  return rows;
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), readinessCommand);
    const stack = flags.values.stack?.[0];
    if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "readiness", process.env));
    if (!stack) throw new UsageError("--stack: required; e.g. npm run readiness -- --stack prod");
    const format = formatOf(flags, ["text", "json", "markdown"] as const);
    requireStack(stack);
    const base = flags.values.base ? readBase(flags.values.base[0]) : undefined;
    const sizeText = flags.values["database-size"]?.[0];
    let databaseBytes: number | undefined;
    try {
      databaseBytes = sizeText === undefined ? undefined : parseByteSize(sizeText, "--database-size", 2 ** 20);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const measurementsFile = flags.values.measurements?.[0];
    // The default file may not exist yet (nothing measured); a file the user names must.
    if (measurementsFile !== undefined) readInputFile(`--measurements ${JSON.stringify(measurementsFile)}`, measurementsFile, "give the measurements file (default docs/measurements.json) that bench:recovery and drill record write");
    const measurements = readMeasurements(measurementsFile === undefined ? measurementsPath : fromInvocationFolder(measurementsFile));

    // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
    const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
    const { declaredRecovery } = require("../readiness/declared") as typeof import("../readiness/declared");
    const { readinessRows } = require("../../domain/readinessRows") as typeof import("../../domain/readinessRows");
    const { exitCodeOf, worsenedSince } = require("../../domain/readiness") as typeof import("../../domain/readiness");
    const { readinessLayout, renderMarkdown, renderText } = require("../readiness/render") as typeof import("../readiness/render");

    const set = flags.values.set ?? [];
    const plan = await withHeldWarnings(flags.switches.has("verbose"), async (keep) => {
      const planned = await planStack(stack, { set, printWarnings: false });
      keep(planned.warnings);
      return toPlanJson(planned);
    });
    const workflowFile = join(repositoryRoot, drillWorkflowPath);
    const declared = {
      ...declaredRecovery(plan, { path: drillWorkflowPath, text: existsSync(workflowFile) ? readFileSync(workflowFile, "utf8") : undefined }),
      ...(databaseBytes !== undefined ? { databaseBytes } : {}),
    };
    const now = new Date();
    const rows = readinessRows(declared, measurements, now);
    const report = { stack, ...(set.length > 0 ? { set } : {}), generatedAt: now.toISOString(), rows, ...(base ? { worsened: worsenedSince(base, rows) } : {}) };
    const out = flags.values.out?.[0];
    // Text fits the terminal; markdown is for GitHub, which wraps it.
    const text =
      format === "json"
        ? JSON.stringify(report, null, 2)
        : format === "markdown"
          ? renderMarkdown(report, stackLabel(stack, set))
          : fitText(renderText(report, stackLabel(stack, set)), reportTerminal(out !== undefined), readinessLayout);
    writeOutput(`${text}\n`, out);
    const code = exitCodeOf(rows);
    if (code === 1) process.stderr.write(`${fitText(`not met: ${rows.filter((r) => r.verdict === "not met").map((r) => `${r.objective} (${r.id})`).join("; ")}`, terminalOf(process.stderr))}\n`);
    return code;
  },
  (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof MeasurementsError,
  readinessCommand,
);
