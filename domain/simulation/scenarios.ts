/**
 * The scenarios every stack must survive (issue #22, item 3), built from the stack's own
 * regions: a planned flip; each of its regions down (the active one: the runbook's flip with
 * `regionDown`; the passive one and the etcd witness: an ordinary deploy from git); us-east-1's
 * control planes down while its data plane answers; a region-down flip that fails in part, then
 * a rerun once the region is back. Pure data.
 */
import { otherRole, type RegionRole } from "../topology";
import { partitionalControlPlanes } from "./endpoints";
import type { SimTopology } from "./model";

export interface ScenarioRun {
  /** `--set` overrides of this run (none: a deploy of what git holds). */
  set: readonly string[];
  /** `--down` words. */
  down: readonly string[];
  /** The failover workflow runs `pulumi up --continue-on-error`; an ordinary deploy does not. */
  continueOnError: boolean;
}

export interface Scenario {
  /** Stable id, e.g. `prod/region-down-us-east-1`. */
  id: string;
  title: string;
  stack: string;
  runs: readonly ScenarioRun[];
}

/** The scenarios of one stack whose git config makes `active` the active role. */
export function scenariosFor(topology: SimTopology, active: RegionRole): Scenario[] {
  const { stack, regions } = topology;
  const passive = otherRole(active);
  const flip = [`activeRegion=${passive}`];
  const regionDownFlip = [...flip, `regionDown=${active}`];
  const scenario = (slug: string, title: string, runs: ScenarioRun[]): Scenario => ({ id: `${stack}/${slug}`, title, stack, runs });
  const controlRegion = partitionalControlPlanes.route53;
  return [
    scenario("planned-flip", `planned flip ${active} -> ${passive}, everything up`, [{ set: flip, down: [], continueOnError: true }]),
    scenario(`region-down-${regions[active]}`, `${regions[active]} (${active}, active) down: flip to ${passive} with regionDown`, [
      { set: regionDownFlip, down: [regions[active]], continueOnError: true },
    ]),
    scenario(`region-down-${regions[passive]}`, `${regions[passive]} (${passive}, passive) down: a deploy from git`, [{ set: [], down: [regions[passive]], continueOnError: false }]),
    ...(topology.witnessRegion
      ? [scenario(`region-down-${topology.witnessRegion}`, `${topology.witnessRegion} (etcd witness) down: a deploy from git`, [{ set: [], down: [topology.witnessRegion], continueOnError: false }])]
      : []),
    scenario(`${controlRegion}-control-down`, `${controlRegion}'s control planes down (Route53's and IAM's with them), its data plane up: flip to ${passive}`, [
      { set: flip, down: [`${controlRegion}:control`], continueOnError: true },
    ]),
    scenario("partial-then-rerun", `flip to ${passive} with ${regions[active]} down (its steps fail), then a rerun once it is back`, [
      { set: regionDownFlip, down: [regions[active]], continueOnError: true },
      { set: regionDownFlip, down: [], continueOnError: true },
    ]),
  ];
}
