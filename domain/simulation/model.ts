/**
 * The failure simulator's inputs, in plain values: what the offline plan declared (resources with
 * their dependencies, the invokes the program made) and where things live (the stack's regions and
 * hosts). The tools layer builds these from `npm run plan`'s evaluation; everything under
 * `domain/simulation/` decides from them alone. Pure types.
 */
import type { DeclaredResource } from "../declaredResource";
import type { RegionRole } from "../topology";

/** One resource of a plan, as the simulator reads it (tools/offline/capture.ts `CapturedResource`, narrowed). */
export interface SimResource extends DeclaredResource {
  /** The provider resource's URN (without `::id`), or `null`. */
  provider: string | null;
  /** Its explicit and input dependencies, by URN, as the engine received them. */
  dependsOn: readonly string[];
  /** URNs each input property depends on. */
  propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** The host a remote command connects to (`connection.host`). */
  connectionHost?: string;
}

/** One invoke the program made while it ran. */
export interface SimInvoke {
  token: string;
  /** The region of the AWS provider it ran with; `null` for none or a non-AWS provider. */
  region: string | null;
}

/** One evaluation of the program for one configuration. */
export interface SimPlan {
  /** The `--set` overrides this plan was made with (empty: the stack files as committed). */
  set: readonly string[];
  resources: readonly SimResource[];
  invokes: readonly SimInvoke[];
  /** The stack outputs the program returned (plain values). */
  outputs: Readonly<Record<string, unknown>>;
  /** `activeRegion` of this configuration. */
  activeRegion: RegionRole;
  /** `regionDown` of this configuration, when set. */
  regionDown?: RegionRole;
}

/** A machine the stack configures over SSH or reaches over TCP/HTTPS: a database host or the etcd witness. */
export interface SimHost {
  /** `primary`/`secondary` (a database host with a Patroni member), or `witness` (etcd only). */
  role: RegionRole | "witness";
  region: string;
  /** Every name the stack config gives it (SSH host, PostgreSQL host). */
  names: readonly string[];
}

/** Where the stack's things live. */
export interface SimTopology {
  stack: string;
  /** Region code per region role. */
  regions: Record<RegionRole, string>;
  /** The etcd witness's region, when the stack has one. */
  witnessRegion?: string;
  hosts: readonly SimHost[];
  /** The application endpoints' health-checked names per region (load balancer DNS names, hostnames). */
  endpointNames: readonly { name: string; region: string }[];
  /** Patroni's `automaticCrossRegionFailover` (the passive member is `nofailover` unless true). @default false */
  automaticFailover: boolean;
}
