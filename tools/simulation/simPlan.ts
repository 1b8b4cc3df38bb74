/**
 * The simulator's view of an offline plan and of the stack's config: the tools side of
 * `domain/simulation/`, which decides from these plain values alone.
 */
import type { StackConfig } from "../../infra/config";
import { healthCheckFqdn } from "../../domain/failoverRouting";
import { hostnameKeys, regionRoles } from "../../domain/topology";
import type { SimHost, SimPlan, SimTopology } from "../../domain/simulation/model";
import type { Plan } from "../offline/plan";

/** A provider reference `urn::id` -> the provider's URN. */
const providerUrn = (ref: string | null) => (ref ? ref.split("::").slice(0, -1).join("::") : null);

/** The plan as the simulator reads it. */
export function simPlanOf(plan: Plan, config: StackConfig, set: readonly string[]): SimPlan {
  return {
    set: [...set],
    resources: plan.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      region: r.region,
      parent: r.parent,
      provider: providerUrn(r.provider),
      custom: r.custom,
      inputs: r.inputs,
      dependsOn: r.options.dependsOn,
      propertyDependencies: r.propertyDependencies,
      ...(plan.connectionHosts[r.urn] ? { connectionHost: plan.connectionHosts[r.urn] } : {}),
    })),
    invokes: plan.invokes.map(({ token, region }) => ({ token, region })),
    outputs: plan.outputs,
    activeRegion: config.activeRegion,
    ...(config.regionDown ? { regionDown: config.regionDown } : {}),
  };
}

/** Where the stack's regions, hosts and endpoints are. */
export function topologyOf(stack: string, config: StackConfig): SimTopology {
  const hosts: SimHost[] = regionRoles.map((role) => ({
    role,
    region: config.regions[role],
    names: [...new Set([config.databases[role].sshHost, config.databases[role].pgHost])],
  }));
  const witnessRegion = config.regions.witness;
  hosts.push({ role: "witness", region: witnessRegion, names: [...new Set([config.witness.sshHost, config.witness.etcdHost])] });
  return {
    stack,
    regions: { primary: config.regions.primary, secondary: config.regions.secondary },
    witnessRegion,
    hosts,
    endpointNames: hostnameKeys.flatMap((key) => regionRoles.map((role) => ({ name: healthCheckFqdn(config.endpoints[key][role]), region: config.regions[role] }))),
    automaticFailover: config.patroni.automaticCrossRegionFailover,
  };
}
