/**
 * `npm run simulate -- --stack prod --set activeRegion=secondary [--set regionDown=primary]
 * --down us-east-1[,route53-control,iam-control] [--continue-on-error]`: the failure simulator.
 * Plans the stack offline (the same evaluation as `npm run plan`), deploys that plan over the
 * state git's config left, the way the engine does, with the given endpoints down
 * (domain/simulation/, each rule cited), and reports the steps, the end state and what the next
 * deploy from git would do. `--scenarios`: every scenario of issue #22, one verdict line each.
 * Flags and help: `simulateCommand` in ./commands.ts.
 */
import { StackConfigError } from "../../infra/parseConfig";
import { OutageError, parseOutage } from "../../domain/simulation/endpoints";
import { listStacks, requireStack, StackFileError } from "../offline/stackFiles";
import { formatOf, parseFlags, positionalHint, runCli, UsageError, writeOutput } from "./args";
import { simulateCommand } from "./commands";
import { fitText, reportTerminal } from "./terminal";
import { withHeldWarnings } from "./warnings";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), simulateCommand);
  if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "simulate", process.env));
  const format = formatOf(flags, ["text", "json"] as const);
  const stack = flags.values.stack?.[0];
  const set = flags.values.set ?? [];
  const down = flags.values.down ?? [];
  const scenarios = flags.switches.has("scenarios");
  if (scenarios && (set.length > 0 || down.length > 0 || flags.switches.has("continue-on-error"))) {
    throw new UsageError("--scenarios: each scenario sets its own --set, --down and --continue-on-error; give only --stack (optional), --format and --out");
  }
  if (!scenarios && !stack) throw new UsageError("--stack: required (or --scenarios); e.g. npm run simulate -- --stack prod --set activeRegion=secondary --down us-east-1");
  if (stack) requireStack(stack);
  parseOutage(down);
  // The program and the simulator load only once the flags are known to be good.
  const { PlanCache, simulate, simulateScenario } = require("../simulation/runner") as typeof import("../simulation/runner");
  const { renderScenarios, renderSimulation, simulationJson, simulationLayout } = require("./simulateReport") as typeof import("./simulateReport");
  const { scenariosFor } = require("../../domain/simulation/scenarios") as typeof import("../../domain/simulation/scenarios");
  const out = flags.values.out?.[0];
  // Text fits the terminal (a step's reason wraps under its column); the verdicts in colour where colour is wanted.
  const text = (json: unknown, report: () => string) => `${format === "json" ? JSON.stringify(json, null, 2) : fitText(report(), reportTerminal(out !== undefined), simulationLayout)}\n`;
  return withHeldWarnings(flags.switches.has("verbose"), async (keep) => {
    const plans = new PlanCache(keep);
    if (scenarios) {
      const results: Parameters<typeof renderScenarios>[0][number][] = [];
      for (const name of stack ? [stack] : listStacks()) {
        const { plan, topology } = await plans.get(name, []);
        for (const scenario of scenariosFor(topology, plan.activeRegion)) results.push({ scenario, result: await simulateScenario(scenario, plans) });
      }
      return { code: results.every((r) => r.result.verdict.pass) ? 0 : 1, report: text(results.map((r) => simulationJson(r.result, r.scenario)), () => renderScenarios(results)) };
    }
    const result = await simulate(stack!, [{ set, down, continueOnError: flags.switches.has("continue-on-error") }], plans);
    return { code: result.verdict.pass ? 0 : 1, report: text(simulationJson(result), () => renderSimulation(result)) };
  }).then(({ code, report }) => {
    // The warnings are on stderr before the report is written.
    writeOutput(report, out);
    return code;
  });
}, (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof OutageError, simulateCommand);
