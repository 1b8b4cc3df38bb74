/**
 * Runs simulations: plans each configuration once (the same offline evaluation `npm run plan`
 * uses), reads the workflows, and hands everything to `domain/simulation/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackConfig } from "../../infra/parseConfig";
import { settledState } from "../../domain/simulation/database";
import { parseOutage } from "../../domain/simulation/endpoints";
import { stateOf } from "../../domain/simulation/engine";
import type { SimPlan, SimTopology } from "../../domain/simulation/model";
import type { Scenario, ScenarioRun } from "../../domain/simulation/scenarios";
import { nextDeploy, simulateRun, verdictOf, type NextDeploy, type RunReport, type Verdict, type World } from "../../domain/simulation/simulate";
import { workflowFacts, type WorkflowFacts } from "../../domain/simulation/workflow";
import { planStack } from "../offline/plan";
import { loadStackConfig, repositoryRoot } from "../offline/stackFiles";
import { simPlanOf, topologyOf } from "./simPlan";

export interface SimulationResult {
  stack: string;
  topology: SimTopology;
  workflow: WorkflowFacts;
  runs: RunReport[];
  next: NextDeploy;
  verdict: Verdict;
}

/** Plans by stack and overrides, each evaluated once per process (one mock engine at a time). */
export class PlanCache {
  private readonly plans = new Map<string, { plan: SimPlan; topology: SimTopology }>();

  /**
   * @param keepWarnings takes the program's warnings of each plan, which are then not printed as
   * they come (a tool prints them once, grouped: tools/cli/warnings.ts); default: printed as they come.
   */
  constructor(private readonly keepWarnings?: (warnings: readonly string[]) => void) {}

  async get(stack: string, set: readonly string[]): Promise<{ plan: SimPlan; topology: SimTopology }> {
    const key = JSON.stringify([stack, [...set].sort()]);
    let entry = this.plans.get(key);
    if (!entry) {
      const config = parseStackConfig(loadStackConfig(stack, { set: [...set] }));
      const plan = await planStack(stack, { set: [...set], printWarnings: this.keepWarnings === undefined });
      this.keepWarnings?.(plan.warnings);
      entry = { plan: simPlanOf(plan, config, set), topology: topologyOf(stack, config) };
      this.plans.set(key, entry);
    }
    return entry;
  }
}

/** The facts the simulator reads from the workflows (domain/simulation/workflow.ts). */
export function readWorkflowFacts(root = repositoryRoot): WorkflowFacts {
  const dir = path.join(root, ".github", "workflows");
  const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
  const guard = fs.readdirSync(dir).filter((f) => f.endsWith(".yml")).find((f) => /npm run[^\n]*deploy:guard/.test(read(f)));
  if (!guard) throw new Error("simulator: no workflow runs `npm run deploy:guard`; teach tools/simulation/runner.ts where the deploy guard runs");
  return workflowFacts(read("failover.yml"), read(guard));
}

/** Simulates `runs` one after the other on `stack`, starting from a state that matches git. */
export async function simulate(stack: string, runs: readonly ScenarioRun[], plans: PlanCache, workflow = readWorkflowFacts()): Promise<SimulationResult> {
  const { plan: git, topology } = await plans.get(stack, []);
  let world: World = { state: stateOf(git), outputs: git.outputs, database: settledState(git.activeRegion), git };
  const reports: RunReport[] = [];
  for (const run of runs) {
    const { plan } = await plans.get(stack, run.set);
    const report = simulateRun(world, { plan, outage: parseOutage(run.down), continueOnError: run.continueOnError }, topology, workflow);
    reports.push(report);
    world = report.world;
  }
  const last = reports[reports.length - 1];
  const next = nextDeploy(world, topology, workflow, last.writable, last.spec.plan.activeRegion);
  return { stack, topology, workflow, runs: reports, next, verdict: verdictOf(reports, next, topology) };
}

/** Simulates one scenario. */
export const simulateScenario = (scenario: Scenario, plans: PlanCache, workflow?: WorkflowFacts): Promise<SimulationResult> => simulate(scenario.stack, scenario.runs, plans, workflow);
