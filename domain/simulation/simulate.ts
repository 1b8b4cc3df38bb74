/**
 * One simulated `pulumi up` (or a sequence of them) during an outage, and what it leaves: the
 * steps' outcomes, the leader (the writable database), where DNS answers, each region's active-region
 * parameter, whether the failover workflow commits the new `activeRegion`, and what the next
 * deploy from git would do. Pure: plans in, a report out.
 */
import { regionRoles, type RegionRole } from "../topology";
import { applyFlip, settle, writablePrimaries, type DatabaseState, type DatabaseView } from "./database";
import { dnsAnswers, type DnsAnswer } from "./dns";
import { isUp, type Outage } from "./endpoints";
import { planSteps, runSteps, type DeployedState, type RunResult, type Step, type StepOutcome } from "./engine";
import { findFlipStep, flipSettingsOf } from "./flipSteps";
import type { SimPlan, SimResource, SimTopology } from "./model";
import type { WorkflowFacts } from "./workflow";

/** The world before a run: what the stack's state and outputs hold, the database, and git's config. */
export interface World {
  state: DeployedState;
  outputs: Readonly<Record<string, unknown>>;
  database: DatabaseState;
  /** The plan of the configuration git holds (what the next ordinary deploy deploys). */
  git: SimPlan;
}

export interface RunSpec {
  /** The plan of the configuration this run deploys (`--set` applied). */
  plan: SimPlan;
  outage: Outage;
  continueOnError: boolean;
}

export interface ParameterReport {
  role: RegionRole;
  region: string;
  /** The value the state says was last written (undefined: none). */
  value?: string;
  /** Whether the region answers (SSM's data plane). */
  readable: boolean;
}

export interface NextDeploy {
  kind: "no-op" | "finishes" | "flip-back" | "refused";
  /** One line: what it would do and why. */
  summary: string;
  steps: Step[];
}

export interface RunReport {
  spec: RunSpec;
  run: RunResult;
  /** What the flip step did, or why it did not run. */
  flip: string;
  writableBefore: RegionRole[];
  writable: RegionRole[];
  dns: DnsAnswer[];
  parameters: ParameterReport[];
  /** Whether the failover workflow commits this run's `activeRegion` to git, and why. */
  commit: { committed: boolean; reason: string };
  world: World;
}

export interface Verdict {
  pass: boolean;
  /** One reason per failed check (empty when it passes). */
  failures: string[];
}

const activeRegionParameters = (state: DeployedState) => [...state.values()].filter((r) => r.type === "aws:ssm/parameter:Parameter" && String(r.inputs.name).endsWith("/active-region"));

/** The deployed active-region parameter's value per region role (undefined: unknown). */
type ParameterValues = Partial<Record<RegionRole, string>>;

function parameterValues(state: DeployedState, topology: SimTopology): ParameterValues {
  const values: ParameterValues = {};
  for (const parameter of activeRegionParameters(state)) {
    const role = regionRoles.find((r) => topology.regions[r] === parameter.region);
    const value = parameter.inputs.insecureValue ?? parameter.inputs.value;
    if (role && typeof value === "string") values[role] = value;
  }
  return values;
}

const view = (topology: SimTopology, outage: Outage): DatabaseView => ({ topology, outage });

/** Runs one `pulumi up` of `spec` over `world`. */
export function simulateRun(world: World, spec: RunSpec, topology: SimTopology, workflow: WorkflowFacts): RunReport {
  const flipStep = findFlipStep(spec.plan.resources);
  const optional = (r: SimResource) => (r.urn === flipStep.resource.urn ? flipStep.rule.optionalHostVariables : undefined);
  const before = settle(world.database, view(topology, spec.outage));
  const writableBefore = writablePrimaries(before, view(topology, spec.outage));
  let database = before;
  let flip = "not in this run (its triggers did not change)";
  const steps = planSteps(world.state, spec.plan, topology, optional);
  const run = runSteps(world.state, spec.plan, steps, world.outputs, {
    outage: spec.outage,
    continueOnError: spec.continueOnError,
    effect: (step) => {
      if (step.urn !== flipStep.resource.urn || step.op === "delete") return { ok: true };
      const result = applyFlip(database, view(topology, spec.outage), spec.plan.activeRegion, spec.plan.regionDown, flipSettingsOf(step.resource));
      if (!result.ok) return result;
      database = result.state;
      return { ok: true, detail: result.did };
    },
  });
  const flipOutcome = run.steps.find((s) => s.urn === flipStep.resource.urn);
  if (run.previewFailure) flip = "did not run: the preview failed";
  else if (flipOutcome) flip = `${flipOutcome.status}${flipOutcome.detail ? `: ${flipOutcome.detail}` : ""}`;
  const after = settle(database, view(topology, spec.outage));
  const writable = writablePrimaries(after, view(topology, spec.outage));
  const dns = dnsAnswers(run.state, { topology, outage: spec.outage, writableRole: writable.length === 1 ? writable[0] : null });
  const values = parameterValues(run.state, topology);
  const parameters = regionRoles.map((role) => ({
    role,
    region: topology.regions[role],
    value: values[role],
    readable: isUp({ kind: "data", service: "ssm", region: topology.regions[role] }, spec.outage),
  }));
  const commit = commitDecision(world, spec, run, writable, workflow);
  return {
    spec,
    run,
    flip,
    writableBefore,
    writable,
    dns,
    parameters,
    commit,
    world: { state: run.state, outputs: run.outputs, database: after, git: commit.committed ? spec.plan : world.git },
  };
}

/** Whether the failover workflow commits this run's `activeRegion` (workflow.ts says what it reads). */
function commitDecision(world: World, spec: RunSpec, run: RunResult, writable: RegionRole[], workflow: WorkflowFacts): { committed: boolean; reason: string } {
  if (spec.plan.set.length === 0 || spec.plan.activeRegion === world.git.activeRegion) return { committed: false, reason: "nothing to commit: this run deploys what git holds" };
  const target = spec.plan.activeRegion;
  if (workflow.flipDone === "stack output") {
    const reported = run.outputs.activeRegionRole;
    return reported === target
      ? { committed: true, reason: `failover.yml reads the stack output activeRegionRole = ${target} and commits activeRegion: ${target}` }
      : { committed: false, reason: `failover.yml reads the stack output activeRegionRole = ${String(reported)}, not ${target}: it refuses to commit` };
  }
  return writable.length === 1 && writable[0] === target
    ? { committed: true, reason: `failover.yml asks the database: ${target} is the leader, so it commits activeRegion: ${target}` }
    : { committed: false, reason: `failover.yml asks the database: the leader is ${writable.join(", ") || "nobody"}, not ${target}: it refuses to commit` };
}

/**
 * What the next ordinary deploy from git would do over `world` (its guard first, then its steps).
 * `intended`: the role the last run meant to make active; a flip step towards any other role is a
 * flip-back.
 */
export function nextDeploy(world: World, topology: SimTopology, workflow: WorkflowFacts, writable: RegionRole[], intended: RegionRole): NextDeploy {
  const committed = world.git.activeRegion;
  const deployed = workflow.deployGuard === "stack output" ? world.outputs.activeRegionRole : writable.length === 1 ? writable[0] : undefined;
  if (deployed !== undefined && deployed !== committed) {
    return { kind: "refused", summary: `deploy:guard refuses it: git says activeRegion ${committed}, the ${workflow.deployGuard} says ${String(deployed)}; nothing is deployed until activeRegion is committed`, steps: [] };
  }
  const flipStep = findFlipStep(world.git.resources);
  const steps = planSteps(world.state, world.git, topology, (r) => (r.urn === flipStep.resource.urn ? flipStep.rule.optionalHostVariables : undefined));
  if (steps.length === 0) return { kind: "no-op", summary: "no-op: the state matches git", steps };
  const runsFlip = steps.some((s) => s.urn === flipStep.resource.urn && s.op !== "delete");
  if (runsFlip && committed !== intended) {
    return { kind: "flip-back", summary: `FLIP-BACK: git still says activeRegion ${committed}, so it runs the flip step back to ${committed} (the leader: ${writable.join(", ") || "none"})`, steps };
  }
  const flipNote = !runsFlip ? "" : writable.length === 1 && writable[0] === committed ? `; its flip step finds ${committed} already the leader` : `; its flip step makes ${committed} the leader (the last run's flip did not)`;
  return { kind: "finishes", summary: `no flip-back: it finishes ${steps.length} step(s) the last run left undone (${[...new Set(steps.map((s) => s.resource.type))].join(", ")})${flipNote}`, steps };
}

/**
 * The checks every scenario must pass: never two writable primaries (after any run: design
 * invariant 8); at the end exactly one, in the region `activeRegion` names; DNS answers that
 * region for every hostname within its budget; the next deploy from git does not flip back.
 */
export function verdictOf(runs: readonly RunReport[], next: NextDeploy, topology: SimTopology): Verdict {
  const failures: string[] = [];
  runs.slice(0, -1).forEach((run, i) => {
    if (run.writable.length > 1) failures.push(`split brain after run ${i + 1}: ${run.writable.join(" and ")} both writable`);
  });
  const last = runs[runs.length - 1];
  const target = last.spec.plan.activeRegion;
  if (last.writable.length !== 1) failures.push(last.writable.length === 0 ? "no leader: no database takes writes" : `split brain: ${last.writable.join(" and ")} both take writes`);
  else if (last.writable[0] !== target) failures.push(`the leader is ${last.writable[0]}, not ${target} (the flip did not happen)`);
  const region = last.writable.length === 1 ? topology.regions[last.writable[0]] : undefined;
  for (const answer of last.dns) {
    if (answer.region !== region) failures.push(`DNS ${answer.name} answers ${answer.region}${region ? `, not ${region}` : ""}`);
    else if (answer.budgetSeconds !== undefined && answer.worstCaseSeconds > answer.budgetSeconds) failures.push(`DNS ${answer.name} takes up to ${answer.worstCaseSeconds} s, over its ${answer.budgetSeconds} s budget`);
  }
  if (next.kind === "flip-back" || next.kind === "refused") failures.push(`next deploy from git: ${next.summary}`);
  return { pass: failures.length === 0, failures };
}

export type { StepOutcome };
