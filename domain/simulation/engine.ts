/**
 * How `pulumi up` deploys a plan, as far as an outage is concerned: which steps run, in what
 * order, which fail, which are skipped, and what the stack keeps. Pure. Each rule with its source
 * (pulumi/pulumi at 1b59498, the engine the CLI runs; @pulumi/pulumi 3.248 for the Node SDK):
 *
 * - E1 preview first: `pulumi up` runs a preview and stops when it fails ("Perform the change"
 *   only after `PreviewThenPrompt` returned no error: pkg/backend/apply.go
 *   PreviewThenPromptThenExecute; `--skip-preview` "Do not calculate a preview before performing
 *   the update", pulumi up docs). The failover workflow runs `pulumi up --yes` without it.
 * - E2 invokes: the program runs in the preview too, and an invoke whose call fails rejects in the
 *   program ("error: Unhandled exception: Error: invocation of aws:ssm/getParameter:getParameter
 *   returned an error", pulumi/pulumi-aws#4664): the preview fails, nothing is deployed, whatever
 *   `--continue-on-error` says (it covers steps only: pulumi/pulumi#16133, closed by design).
 * - E3 providers: each provider is configured in its own step, in the preview as in the update
 *   (`SameStep.Apply` -> `SameProvider`, "bad provider state for resource": pkg/resource/deploy/step.go;
 *   steps are applied in previews, which they check themselves: step_executor.go executeStep), and
 *   a failed step fails the deployment even with `--continue-on-error` ("step executor errored":
 *   deployment_executor.go Execute): a provider whose configure call fails stops the preview (E1),
 *   as users see it: "error: Preview failed: ... error configuring Terraform AWS Provider"
 *   (pulumi/pulumi-aws#1359; #3310 for the "has a problem" form).
 * - E4 order: a step starts once the steps of everything it depends on are done: its `dependsOn`
 *   (explicit and input dependencies), its parent and its provider ("as concurrently as possible
 *   relative to the dependencies", pulumi docs "How Pulumi works"). The simulator runs them one at
 *   a time in that order (`--parallel 1`); deletes come last, dependents first (step_generator.go
 *   GenerateDeletes, run by deployment_executor.go performPostSteps after the program finished).
 * - E5 a step fails when an endpoint it needs is down (calls.ts says which).
 * - E6 without `--continue-on-error` the first failure cancels the deployment: no new step starts
 *   (step_executor.go: `se.cancel()`). With it, the failed step is recorded and "steps that depend
 *   on errored steps" are skipped, every dependency kind counted (deployment_executor.go
 *   handleSingleEvent `doesStepDependOn`; pulumi/pulumi#15740, #16639); independent steps go on.
 * - E7 outputs: the stack's outputs are finalised at the end: on success the new ones; after an
 *   error "we keep old outputs, overwriting new ones" for every output the program registered
 *   (step_executor.go executeRegisterResourceOutputs, pulumi/pulumi#15754). With
 *   `--continue-on-error` the Node program still registers its outputs (a failed resource's
 *   outputs resolve as unknown: runtime/resource.js `keepUnknowns = resp.getResult() !== SUCCESS`,
 *   runtime/stack.js registers in `finally`), so plain outputs such as `activeRegionRole` ARE
 *   saved after a partial run. Without it the engine cancels and the program never registers
 *   them: the old outputs stay (guess from E6's cancel: the monitor's RPCs end; pulumi/pulumi#16289
 *   describes the same for a failed stack creation). A failed preview saves nothing.
 */
import { decideOperation, type ProviderView, type Registration } from "../replacement";
import { describeEndpoint, isUp, type Outage } from "./endpoints";
import { invokeCalls, providerConfigureCalls, stepCalls, type Call, type StepOp } from "./calls";
import type { SimPlan, SimResource, SimTopology } from "./model";

/** The resources a stack's state holds, by URN, as their last successful step left them. */
export type DeployedState = ReadonlyMap<string, SimResource>;

/** The state after a complete deployment of `plan`. */
export const stateOf = (plan: Pick<SimPlan, "resources">): DeployedState => new Map(plan.resources.map((r) => [r.urn, r]));

export interface Step {
  urn: string;
  op: StepOp;
  /** The resource as the plan declares it (as the state holds it, for a delete). */
  resource: SimResource;
  calls: Call[];
}

export type StepStatus = "succeeded" | "failed" | "skipped" | "not run";

export interface StepOutcome extends Step {
  status: StepStatus;
  /** Why it failed or was skipped, or what a flip step did. */
  detail?: string;
}

/** A step's own effect beyond its calls (the flip step's): ok, or why it failed. */
export type StepEffect = (step: Step) => { ok: true; detail?: string } | { ok: false; reason: string };

export interface RunResult {
  /** Set when the preview failed (E1-E3): nothing was deployed. */
  previewFailure?: string;
  steps: StepOutcome[];
  state: DeployedState;
  outputs: Readonly<Record<string, unknown>>;
  /** How the outputs were finalised (E7). */
  outputsRule: string;
}

const providerView = (urn: string | null, resources: ReadonlyMap<string, SimResource>): ProviderView | null => {
  const provider = urn ? resources.get(urn) : undefined;
  return provider ? { urn: provider.urn, type: provider.type, inputs: provider.inputs } : null;
};

const registration = (r: SimResource, resources: ReadonlyMap<string, SimResource>): Registration => ({ type: r.type, inputs: r.inputs, provider: providerView(r.provider, resources) });

/** Everything a resource waits for (E4). */
export const dependenciesOf = (r: SimResource): string[] => [...new Set([...r.dependsOn, ...Object.values(r.propertyDependencies).flat(), ...(r.parent ? [r.parent] : []), ...(r.provider ? [r.provider] : [])])];

/** Orders resources so that each comes after what it depends on; ties keep the given order. */
export function dependencyOrder(resources: readonly SimResource[]): SimResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const done = new Set<string>();
  const ordered: SimResource[] = [];
  const visit = (r: SimResource, path: string[]) => {
    if (done.has(r.urn)) return;
    if (path.includes(r.urn)) throw new Error(`simulator: dependency cycle ${[...path, r.urn].join(" -> ")}`);
    for (const dep of dependenciesOf(r)) {
      const d = byUrn.get(dep);
      if (d) visit(d, [...path, r.urn]);
    }
    done.add(r.urn);
    ordered.push(r);
  };
  for (const r of resources) visit(r, []);
  return ordered;
}

/**
 * The steps a deployment of `plan` over `state` makes, in the order the simulator runs them:
 * creates, updates and replacements in dependency order, then deletes (domain/replacement.ts
 * decides update against replace, as `npm run plan -- --diff` does). Unchanged resources make no step.
 */
export function planSteps(state: DeployedState, plan: SimPlan, topology: SimTopology, optionalHostVariables: (r: SimResource) => readonly string[] | undefined): Step[] {
  const planned = new Map(plan.resources.map((r) => [r.urn, r]));
  const context = (r: SimResource, resources: ReadonlyMap<string, SimResource>) => ({ topology, byUrn: resources, optionalHostVariables: optionalHostVariables(r) });
  const providerReplaced = new Set(
    plan.resources
      .filter((r) => r.type.startsWith("pulumi:providers:") && state.has(r.urn))
      .filter((r) => decideOperation(registration(state.get(r.urn)!, state), registration(r, planned)).op === "replace")
      .map((r) => r.urn),
  );
  const steps: Step[] = [];
  for (const resource of dependencyOrder(plan.resources)) {
    const old = state.get(resource.urn);
    let op: StepOp | undefined;
    if (!old) op = "create";
    else if (old.type !== resource.type) op = "replace";
    else {
      const decided = decideOperation(registration(old, state), registration(resource, planned), resource.provider !== null && providerReplaced.has(resource.provider)).op;
      op = decided === "same" ? undefined : decided;
    }
    if (op) steps.push({ urn: resource.urn, op, resource, calls: stepCalls(resource, op, context(resource, planned)) });
  }
  const gone = [...state.values()].filter((r) => !planned.has(r.urn));
  for (const resource of dependencyOrder(gone).reverse()) steps.push({ urn: resource.urn, op: "delete", resource, calls: stepCalls(resource, "delete", context(resource, state)) });
  return steps;
}

/** Why the preview of `plan` fails under `outage` (E1-E3), or undefined. */
export function previewFailure(plan: SimPlan, outage: Outage): string | undefined {
  for (const invoke of plan.invokes) {
    const down = invokeCalls(invoke.token, invoke.region).find((e) => !isUp(e, outage));
    if (down) return `invoke ${invoke.token}${invoke.region ? ` (${invoke.region})` : ""} failed: ${describeEndpoint(down)} is down; the program fails (E2), nothing is deployed`;
  }
  for (const provider of plan.resources.filter((r) => r.type.startsWith("pulumi:providers:"))) {
    const down = providerConfigureCalls(provider).find((c) => !isUp(c.endpoint, outage));
    if (down) return `${down.why}: ${describeEndpoint(down.endpoint)} is down; the provider's step fails in the preview (E3), nothing is deployed`;
  }
  return undefined;
}

export interface RunOptions {
  outage: Outage;
  continueOnError: boolean;
  /** The effect of steps that do more than call (the flip step). */
  effect?: StepEffect;
}

/** Runs `steps` over `state` (E4-E7). `before`/`after`: the outputs saved so far and the ones the program returns. */
export function runSteps(state: DeployedState, plan: SimPlan, steps: readonly Step[], previous: Readonly<Record<string, unknown>>, options: RunOptions): RunResult {
  const failure = previewFailure(plan, options.outage);
  if (failure !== undefined) {
    return { previewFailure: failure, steps: steps.map((s) => ({ ...s, status: "not run" })), state, outputs: previous, outputsRule: "the preview failed: nothing ran, the outputs are unchanged (E1)" };
  }
  const next = new Map(state);
  const blocked = new Set<string>();
  const outcomes: StepOutcome[] = [];
  let cancelled = false;
  for (const step of steps) {
    if (cancelled) {
      outcomes.push({ ...step, status: "not run", detail: "the deployment stopped at the first failure (no --continue-on-error, E6)" });
      continue;
    }
    const blocker = dependenciesOf(step.resource).find((d) => blocked.has(d));
    if (blocker) {
      blocked.add(step.urn);
      outcomes.push({ ...step, status: "skipped", detail: `depends on ${blocker.split("::").pop()}, which failed or was skipped (E6)` });
      continue;
    }
    const down = step.calls.find((c) => !c.optional && !isUp(c.endpoint, options.outage));
    const effect = down ? undefined : options.effect?.(step);
    if (down || (effect && !effect.ok)) {
      blocked.add(step.urn);
      const detail = down ? `${describeEndpoint(down.endpoint)} is down (E5)` : (effect as { reason: string }).reason;
      outcomes.push({ ...step, status: "failed", detail });
      if (!options.continueOnError) cancelled = true;
      continue;
    }
    if (step.op === "delete") next.delete(step.urn);
    else next.set(step.urn, step.resource);
    outcomes.push({ ...step, status: "succeeded", detail: effect && effect.ok ? effect.detail : undefined });
  }
  // Unchanged resources take the plan's registration (same inputs; their outputs are kept).
  for (const r of plan.resources) if (!steps.some((s) => s.urn === r.urn) && next.has(r.urn)) next.set(r.urn, r);
  const failed = outcomes.some((o) => o.status !== "succeeded");
  if (!failed) return { steps: outcomes, state: next, outputs: plan.outputs, outputsRule: "every step succeeded: the new outputs are saved (E7)" };
  if (options.continueOnError) {
    return { steps: outcomes, state: next, outputs: { ...previous, ...plan.outputs }, outputsRule: "a step failed, --continue-on-error: the program's outputs overwrite the old ones (E7)" };
  }
  return { steps: outcomes, state: next, outputs: previous, outputsRule: "a step failed without --continue-on-error: the old outputs stay (E7)" };
}
