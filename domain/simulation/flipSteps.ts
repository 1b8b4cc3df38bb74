/**
 * Which resource of a plan is the flip's database step, and by which mechanism it works: a table
 * keyed by the component type the step's command belongs to (the type tokens are constants of
 * the components). Pure.
 */
import type { FlipMechanism, FlipSettings } from "./database";
import type { SimResource } from "./model";

export interface FlipStepRule {
  /** The component whose command child runs the flip. */
  componentType: string;
  mechanism: FlipMechanism;
  /** Environment variables naming a host the step may find unreachable and still succeed. */
  optionalHostVariables: readonly string[];
  /** Environment variables the step's command must have: a component that kept its type but changed its mechanism is caught. */
  signature: readonly string[];
  source: string;
}

export const flipStepRules: readonly FlipStepRule[] = [
  {
    componentType: "crazygary:dr:PatroniFlip",
    mechanism: "patroni",
    optionalHostVariables: [],
    signature: ["FLIP_API_URL", "FLIP_CANDIDATE", "FLIP_REGION_DOWN", "FLIP_MAX_LAG_BYTES", "FLIP_FORCE"],
    source: "components/patroniFlip/index.ts header: asks the candidate region's Patroni REST API only (GET /cluster, POST /switchover or, with regionDown, POST /failover refused past the RPO unless forced)",
  },
];

/** The Patroni flip's RPO bound and force, from its command's environment (components/patroniFlip flipEnvironment). */
export function flipSettingsOf(resource: SimResource): FlipSettings {
  const environment = (resource.inputs.environment ?? {}) as Record<string, unknown>;
  return { maxLagBytes: Number(environment.FLIP_MAX_LAG_BYTES ?? 0), force: environment.FLIP_FORCE === "true" };
}

/** The flip step of a plan: the command whose parent is a flip component, with its rule. */
export function findFlipStep(resources: readonly SimResource[]): { resource: SimResource; rule: FlipStepRule } {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const found = resources.flatMap((resource) => {
    const parentType = resource.parent ? byUrn.get(resource.parent)?.type : undefined;
    const rule = resource.custom ? flipStepRules.find((r) => r.componentType === parentType) : undefined;
    return rule ? [{ resource, rule }] : [];
  });
  if (found.length !== 1) {
    throw new Error(
      `simulator: the plan has ${found.length} flip steps (commands of ${flipStepRules.map((r) => r.componentType).join(", ")}); ` +
        "add the component that runs the flip to flipStepRules (domain/simulation/flipSteps.ts)",
    );
  }
  const { resource, rule } = found[0];
  const environment = (resource.inputs.environment ?? {}) as Record<string, unknown>;
  const missing = rule.signature.filter((v) => !(v in environment));
  if (missing.length > 0) {
    throw new Error(
      `simulator: the flip step ${resource.name} (${rule.componentType}) no longer looks like ${rule.mechanism}: its environment lacks ${missing.join(", ")}; ` +
        "update its rule in flipStepRules (domain/simulation/flipSteps.ts)",
    );
  }
  return found[0];
}
