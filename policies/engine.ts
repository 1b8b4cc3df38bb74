/**
 * A small in-process policy engine: runs the pack's policy objects over a plan (the offline
 * `npm run plan` output) the way CrossGuard runs them over a preview. It builds the argument
 * objects CrossGuard hands to policies: for resource policies `type`, `props`, `urn`, `name`,
 * `opts` (with `protect`), `provider`, `isType`/`asType` (comparing the class's
 * `__pulumiType`), `getConfig` and a throwing `notApplicable`; for stack policies the resource
 * list with `parent`, `dependencies` and `propertyDependencies` linked.
 *
 * Differences from the real engine, on purpose: props are the plan's inputs for stack policies
 * too (the real engine shows outputs, which include the inputs); `opts.retainOnDelete` is
 * shown as well as `protect`.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyPackConfig,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** A resource as the offline plan (and its `--format json` file) shows it. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  region: string | null;
  parent: string | null;
  inputs: Record<string, unknown>;
  options: { protect: boolean; retainOnDelete: boolean; dependsOn: string[] };
  propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  /** The resource in violation; absent when the stack as a whole is. */
  urn?: string;
  message: string;
}

export interface PolicyOutcome {
  policy: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  violations: Violation[];
}

class NotApplicable extends Error {}

type ResourceClass = { __pulumiType?: string };

function policyConfig(policy: { name: string; configSchema?: { properties: Record<string, { default?: unknown }> } }, config: PolicyPackConfig): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {})
      .filter(([, schema]) => schema.default !== undefined)
      .map(([key, schema]) => [key, schema.default]),
  );
  const given = config[policy.name];
  return { ...defaults, ...(given && typeof given === "object" ? given : {}) };
}

function enforcementOf(policy: { name: string; enforcementLevel?: EnforcementLevel }, config: PolicyPackConfig, packLevel: EnforcementLevel): EnforcementLevel {
  const given = config[policy.name];
  if (typeof given === "string") return given;
  return given?.enforcementLevel ?? policy.enforcementLevel ?? packLevel;
}

/** Builds the linked `PolicyResource` objects of a plan. */
export function toPolicyResources(planned: readonly PlannedResource[]): PolicyResource[] {
  const providers = new Map(planned.filter((r) => r.type === "pulumi:providers:aws").map((r) => [r.region, r]));
  const byUrn = new Map<string, PolicyResource>();
  const resources = planned.map((r) => {
    const providerResource = r.type.startsWith("aws:") && r.region ? providers.get(r.region) : undefined;
    const resource: PolicyResource = {
      type: r.type,
      props: r.inputs,
      urn: r.urn,
      name: r.name,
      opts: {
        protect: r.options.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent ?? undefined,
        ...({ retainOnDelete: r.options.retainOnDelete } as object),
      },
      provider: r.region
        ? { type: "pulumi:providers:aws", props: { region: r.region }, urn: providerResource?.urn ?? `provider:${r.region}`, name: providerResource?.name ?? r.region }
        : undefined,
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: ResourceClass) => cls.__pulumiType === r.type,
      asType: ((cls: ResourceClass) => (cls.__pulumiType === r.type ? r.inputs : undefined)) as PolicyResource["asType"],
    } as PolicyResource;
    byUrn.set(r.urn, resource);
    return resource;
  });
  planned.forEach((r, i) => {
    const resource = resources[i];
    const link = (urns: readonly string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
    resource.dependencies = link(r.options.dependsOn);
    resource.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([key, urns]) => [key, link(urns)]));
  });
  return resources;
}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

async function runGuarded(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
  }
}

/**
 * Runs `policies` over a plan's resources; returns every policy with its violations (policies
 * the config disables are left out).
 */
export async function evaluatePolicies(
  policies: Policies,
  planned: readonly PlannedResource[],
  config: PolicyPackConfig = {},
  packLevel: EnforcementLevel = "advisory",
): Promise<PolicyOutcome[]> {
  const resources = toPolicyResources(planned);
  const outcomes: PolicyOutcome[] = [];
  for (const policy of policies) {
    const level = enforcementOf(policy, config, packLevel);
    if (level === "disabled") continue;
    const settings = policyConfig(policy, config);
    const getConfig = <T extends object>() => settings as T;
    const violations: Violation[] = [];
    const outcome: PolicyOutcome = { policy: policy.name, description: policy.description, enforcementLevel: level, violations };
    if ("validateStack" in policy) {
      const args: StackValidationArgs = { resources, stackTags: new Map(), getConfig, notApplicable };
      await runGuarded(() => (policy as StackValidationPolicy).validateStack(args, (message, urn) => violations.push({ policy: policy.name, enforcementLevel: level, urn, message })));
    } else {
      const validations = [(policy as ResourceValidationPolicy).validateResource ?? []].flat();
      for (const resource of resources) {
        const args: ResourceValidationArgs = {
          type: resource.type,
          props: resource.props,
          urn: resource.urn,
          name: resource.name,
          opts: resource.opts,
          provider: resource.provider,
          stackTags: new Map(),
          isType: resource.isType,
          asType: resource.asType as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        for (const validate of validations) {
          await runGuarded(() => validate(args, (message) => violations.push({ policy: policy.name, enforcementLevel: level, urn: resource.urn, message })));
        }
      }
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Whether any violation blocks a deployment. */
export const hasMandatoryViolations = (outcomes: readonly PolicyOutcome[]) => outcomes.some((o) => o.enforcementLevel === "mandatory" && o.violations.length > 0);
