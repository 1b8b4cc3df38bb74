/**
 * `npm run drill -- target [--schedule CRON | --drill ID [--stack dr|prod] [--confirm TEXT]]`
 * prints `drill=<id>` and `stack=<name>` lines (for $GITHUB_OUTPUT): which drill of the
 * runbook's testing schedule a run is and which stack it may touch; prod only with the typed
 * confirmation.
 *
 * `npm run drill -- run --drill ID [--stack dr|prod] [--confirm TEXT] [--org ORG] [--where URL]
 * [--report-dir DIR] [--measurements FILE] [--poll-ms N] [--ssl-mode MODE] [--flip-seconds N]
 * [--dns-seconds N] [--write-seconds N] [--flip-back-seconds N]` flips the stack to its
 * secondary and back, timing each phase (tools/drill/runner.ts), writes
 * `<DIR>/drill-<id>.json` and `.md`, and publishes the times and DrDrillAgeDays to CloudWatch.
 * Exit 0 when the drill passed, 1 when it failed (the report says why), 2 on bad input (prod
 * without the confirmation is refused before any program is called).
 *
 * `npm run drill -- record --drill ID --stack NAME --outcome passed|failed --where URL
 * [--report FILE] [--measurements FILE]` records the result (with the report's measured times)
 * in docs/measurements.json for `npm run readiness`.
 *
 * `npm run drill -- age --stack NAME [--measurements FILE]` publishes DrDrillAgeDays (days since
 * the youngest passed drill) in each region of the stack: the daily datum the drill-overdue
 * alarm reads.
 */
import { mkdirSync } from "node:fs";
import { drillAgeDatum, drillAgeDays, DRILL_METRICS, measuredOf, renderDrillMarkdown, type DrillReport } from "../../domain/drillRun";
import { drillIds, drillTarget, type DrillId } from "../../domain/testingSchedule";
import { regionRoles } from "../../domain/topology";
import { publishDrillMetrics, runDrill, writeDrillReport, type DrillDeadlines } from "../drill/runner";
import { checked, runner } from "../drill/stackAccess";
import { loadStackConfig } from "../offline/stackFiles";
import { MeasurementsError, measurementsPath, readMeasurements, recordDrill } from "../readiness/measurements";
import { fromInvocationFolder, parseFlags, readInputFile, runCli, UsageError } from "./args";
import { drillCommand } from "./commands";
import { fitText, terminalOf } from "./terminal";

const usage =
  "use target [--schedule CRON | --drill ID --stack dr|prod --confirm TEXT], run --drill ID --stack dr|prod [--confirm TEXT] [--where URL] [--report-dir DIR], record --drill ID --stack NAME --outcome passed|failed --where URL [--report FILE], or age --stack NAME";

const deadlineFlags: Record<string, keyof DrillDeadlines> = { "flip-seconds": "flipSeconds", "dns-seconds": "dnsSeconds", "write-seconds": "writeSeconds", "flip-back-seconds": "flipBackSeconds" };

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${flag}: "${value}" is not allowed; give a whole number above 0`);
  return Number(value);
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), drillCommand);
    const [command, ...extra] = flags.positional;
    if (extra.length > 0) throw new UsageError(`${extra[0]}: unexpected argument; ${usage}`);
    const one = (flag: string) => flags.values[flag]?.[0];
    const measurementsGiven = one("measurements");
    const measurements = measurementsGiven === undefined ? measurementsPath : fromInvocationFolder(measurementsGiven);
    const target = () => {
      try {
        return drillTarget({ schedule: one("schedule"), drill: one("drill"), stack: one("stack"), confirm: one("confirm") });
      } catch (err) {
        throw new UsageError(`--${(err as Error).message}`);
      }
    };
    if (command === "target") {
      const chosen = target();
      process.stdout.write(`drill=${chosen.drill}\nstack=${chosen.stack}\n`);
      return 0;
    }
    if (command === "run") {
      // Refusal first: nothing is called for prod without the confirmation.
      const chosen = target();
      const deadlines: Partial<DrillDeadlines> = {};
      for (const [flag, key] of Object.entries(deadlineFlags)) {
        const value = positiveInteger(flag, one(flag));
        if (value !== undefined) deadlines[key] = value;
      }
      const pollMs = positiveInteger("poll-ms", one("poll-ms"));
      const reportDir = fromInvocationFolder(one("report-dir") ?? "reports");
      const previousAgeDays = drillAgeDays(readMeasurements(measurements).drills, new Date());
      const run = runner({});
      mkdirSync(reportDir, { recursive: true });
      // Progress for a person at a terminal (or a CI log), fitted to its width; the report itself is markdown.
      const log = (line: string) => process.stderr.write(`${fitText(`drill: ${line}`, terminalOf(process.stderr), { hangingIndent: () => 7 })}\n`);
      let drilled;
      try {
        drilled = await runDrill({
          drill: chosen.drill,
          pulumiStack: `${one("org") ?? "crazy-gary"}/${chosen.stack}`,
          where: one("where") ?? "run by hand",
          deadlines,
          pollMs,
          sslMode: one("ssl-mode"),
          previousAgeDays,
          run,
          log,
        });
      } catch (err) {
        // Thrown only before the flip started (settings, a stack not in its starting state): nothing changed.
        log(`not started: ${(err as Error).message}`);
        return 1;
      }
      const { report, stack } = drilled;
      const files = await writeDrillReport(report, reportDir);
      try {
        await publishDrillMetrics(run, report, stack, previousAgeDays);
      } catch (err) {
        log(`publishing the metrics failed: ${(err as Error).message}`);
        process.stdout.write(renderDrillMarkdown({ ...report, outcome: "failed", failures: [...report.failures, `metrics: ${(err as Error).message}`] }));
        return 1;
      }
      process.stdout.write(renderDrillMarkdown(report));
      log(`report: ${files.json}, ${files.markdown}`);
      return report.outcome === "passed" ? 0 : 1;
    }
    if (command === "record") {
      const drill = one("drill") as DrillId;
      if (drill === undefined) throw new UsageError(`--drill: missing; record needs --drill ID, one of ${drillIds.join(", ")}`);
      if (!drillIds.includes(drill)) throw new UsageError(`--drill: "${one("drill") ?? ""}" is not a drill; allowed: ${drillIds.join(", ")}`);
      const outcome = one("outcome");
      if (outcome !== "passed" && outcome !== "failed") throw new UsageError(`--outcome: "${outcome ?? ""}" is not allowed; use passed or failed`);
      let measured;
      const reportFile = one("report");
      if (reportFile) {
        const fix = "give the drill-<id>.json npm run drill -- run wrote";
        const text = readInputFile(`--report ${JSON.stringify(reportFile)}`, reportFile, fix);
        let report: DrillReport;
        try {
          report = JSON.parse(text) as DrillReport;
        } catch (err) {
          throw new UsageError(`--report: ${reportFile} is not JSON (${(err as Error).message}); ${fix}`);
        }
        if (report.drill !== drill) throw new UsageError(`--report: ${reportFile} is a report of ${String(report.drill)}, not of ${drill}`);
        measured = measuredOf(report);
      }
      recordDrill(drill, { when: new Date().toISOString(), outcome, stack: one("stack") ?? "", where: one("where") ?? "", ...(measured ? { measured } : {}) }, measurements);
      process.stdout.write(`recorded ${drill}: ${outcome}${measured ? " with its measured times" : ""}\n`);
      return 0;
    }
    if (command === "age") {
      const stack = one("stack");
      if (!stack) throw new UsageError("--stack: required; e.g. npm run drill -- age --stack dr");
      const config = loadStackConfig(stack).values as { environment?: string; regions?: Record<string, string> };
      const age = drillAgeDays(readMeasurements(measurements).drills, new Date());
      if (age === null) {
        // No datum: the alarm treats missing data as breaching, so "never drilled" pages too.
        process.stdout.write("no passed drill recorded: no DrDrillAgeDays published (the drill-overdue alarm treats that as breaching)\n");
        return 0;
      }
      const run = runner({});
      for (const region of new Set(regionRoles.flatMap((role) => config.regions?.[role] ?? []))) {
        const datum = drillAgeDatum(config.environment ?? stack, region, age);
        await checked(run, "aws", ["cloudwatch", "put-metric-data", "--region", region, "--namespace", DRILL_METRICS.namespace, "--metric-data", JSON.stringify([datum])]);
      }
      process.stdout.write(`${DRILL_METRICS.ageDays}=${age} published for ${stack}\n`);
      return 0;
    }
    throw new UsageError(`${command ?? "(none)"}: not a command; ${usage}`);
  },
  (err) => err instanceof MeasurementsError,
  drillCommand,
);
