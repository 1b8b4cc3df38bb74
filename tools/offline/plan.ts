/**
 * The offline plan: the program evaluated for one stack from its stack files, under mocks.
 * Shared by `npm run plan`, the policy evaluator, the config diff and the tests.
 */
import { parseStackConfig } from "../../infra/parseConfig";
import { program } from "../../infra/program";
import type { PlannedResource } from "../../policies/engine";
import { evaluate, type EvaluateOptions, type Evaluation } from "./evaluate";
import type { StackReferenceOutputs } from "./mocks";
import { loadStackConfig, type LoadedStackConfig, type LoadOptions } from "./stackFiles";
import { effectiveStackConfig, sourceStackOf, syncedOutputsOf } from "./syncSourceStandIn";
import { refuseSetsIgnoredBySync } from "./syncedSets";

export interface Plan extends Evaluation {
  /** Config keys stood in by placeholders (secrets the stack file does not hold). */
  placeholders: string[];
}

/** A plan as `npm run plan -- --format json` prints it: stable order, secrets as `[secret]`. */
export interface PlanJson {
  stack: string;
  /**
   * The shape the policy engine reads, with the engine's property dependencies always present,
   * plus what a later `npm run plan -- --diff --base FILE` needs to diff against this plan:
   * the provider reference (a provider of another region replaces) and whether the engine
   * creates anything for it (`custom`: false for components and the stack).
   */
  resources: (PlannedResource & Required<Pick<PlannedResource, "propertyDependencies">> & { provider: string | null; custom: boolean })[];
  outputs: Record<string, unknown>;
}

/**
 * The synced outputs of the stack named by `sync.source`, stood in from that stack's own stack
 * file (the stack name is the last part of the fully qualified name): ./syncSourceStandIn.ts.
 */
function standInSyncSource(stack: string, sourceName: string | undefined): StackReferenceOutputs {
  return sourceName ? { [sourceName]: syncedOutputsOf(effectiveStackConfig(sourceStackOf(sourceName), [stack])) } : {};
}

/** What {@link planStack} takes: the stack files' folder and `--set` overrides, and whether warnings are printed as they come. */
export type PlanOptions = LoadOptions & Pick<EvaluateOptions, "printWarnings">;

async function planLoaded(stack: string, loaded: LoadedStackConfig, options: PlanOptions): Promise<Plan> {
  const sets = options.set ?? [];
  const config = parseStackConfig(loaded);
  refuseSetsIgnoredBySync(stack, config, sets);
  const evaluation = await evaluate(program, {
    stack,
    config: loaded.engineConfig,
    secretKeys: loaded.engineSecretKeys,
    stackReferences: standInSyncSource(stack, config.sync?.source),
    printWarnings: options.printWarnings,
  });
  return { ...evaluation, placeholders: loaded.placeholders };
}

/** Plans `stack` from `Pulumi.yaml` + `Pulumi.<stack>.yaml` (+ `--set` overrides). Throws `StackConfigError` on bad config. */
export function planStack(stack: string, options: PlanOptions = {}): Promise<Plan> {
  return planLoaded(stack, loadStackConfig(stack, options), options);
}

export function toPlanJson(plan: Evaluation): PlanJson {
  return {
    stack: plan.stack,
    resources: plan.resources.map(({ urn, type, name, region, parent, provider, custom, inputs, options, propertyDependencies }) => ({
      urn,
      type,
      name,
      region,
      parent,
      provider,
      custom,
      inputs,
      options,
      propertyDependencies,
    })),
    outputs: plan.outputs,
  };
}

