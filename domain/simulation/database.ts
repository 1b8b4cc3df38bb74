/**
 * Which database is the leader (takes writes), by Patroni's rules, and what the flip step
 * (flipSteps.ts) does to it. Pure. Patroni 3.0.2 with an etcd v3 quorum (citations P1, P4, P5, P7):
 * - a member runs PostgreSQL as primary only while it renews the leader lock in the DCS; "In case
 *   the update of the leader lock fails, Postgres is immediately demoted" and the old primary is
 *   demoted before the lock's ttl runs out (docs/dcs_failsafe_mode.rst, P1). Renewing needs an
 *   etcd quorum: a majority of the members (etcd docs "FAQ: What is failure tolerance?": a cluster
 *   of N tolerates (N-1)/2 failures);
 * - a member tagged `nofailover` never takes part in the leader race (P4): the passive member is,
 *   unless `automaticCrossRegionFailover`; so after losing the leader, nothing is promoted by itself;
 * - what the flip asks of Patroni is the flip's own pure decision, domain/patroniFlip.ts
 *   `decideFlip` (switchover with both regions up, failover with `regionDown` once the old lock
 *   expired, refused past the RPO unless forced), on the cluster as `GET /cluster` would show it;
 *   either needs the etcd quorum. The simulator assumes the standby within the RPO (lag 0);
 * - a former leader that comes back without the lock rejoins as a replica (use_pg_rewind, P7).
 * The real-component tests hold the same against Patroni 3.0.2 and etcd 3.4 in network
 * namespaces: test/postgres/patroniPartition.test.ts (a primary cut off from the quorum stops
 * taking writes within ttl, never two writable, the old primary returns as a replica) and
 * patroniSwitchover.test.ts (a switchover ends with one primary, the old one its replica).
 */
import { decideFlip, type ClusterView } from "../patroniFlip";
import { otherRole, regionRoles, type RegionRole } from "../topology";
import { isUp, type Outage } from "./endpoints";
import type { SimTopology } from "./model";

/** How the flip step works: through Patroni (the only mechanism since the hand-written promote.sh went). */
export type FlipMechanism = "patroni";

/** The database cluster's state. */
export interface DatabaseState {
  /** The member holding the leader lock (null: none). */
  leader: RegionRole | null;
  /**
   * The member that held the lock last (the one without `nofailover`: the stack tags the
   * passive member), which takes it again when it is back with a quorum and nobody else leads.
   */
  lastLeader: RegionRole | null;
}

/** The world a database rule looks at. */
export interface DatabaseView {
  topology: SimTopology;
  outage: Outage;
}

const hostUp = (view: DatabaseView, role: RegionRole) => isUp({ kind: "host", host: role, region: view.topology.regions[role], protocol: "postgres" }, view.outage);

/** The regions of the etcd members: one per region role, plus the witness when the stack has one. */
export const etcdRegions = (topology: SimTopology): string[] => [...regionRoles.map((r) => topology.regions[r]), ...(topology.witnessRegion ? [topology.witnessRegion] : [])];

/** Whether a majority of etcd members is up (a member's region down takes it). */
export function etcdQuorum(topology: SimTopology, outage: Outage): boolean {
  const members = etcdRegions(topology);
  const up = members.filter((region) => !outage.regions.includes(region)).length;
  return up >= Math.floor(members.length / 2) + 1;
}

/** The initial state of a stack whose `activeRegion` was `active` and whose flips all completed. */
export const settledState = (active: RegionRole): DatabaseState => ({ leader: active, lastLeader: active });

/**
 * The state once the outage has lasted past Patroni's ttl:
 * a leader cut off from the quorum or down loses the lock; with nobody leading, the members that
 * may race for the lock (not `nofailover`, P4) do: the last leader when it is up (the passive
 * member is `nofailover`), or with automatic failover allowed the other member; a former leader
 * back while another leads is a replica.
 */
export function settle(state: DatabaseState, view: DatabaseView): DatabaseState {
  const quorum = etcdQuorum(view.topology, view.outage);
  const last = state.leader ?? state.lastLeader;
  let leader = state.leader;
  if (leader !== null && (!quorum || !hostUp(view, leader))) leader = null;
  if (leader === null && quorum && last !== null) {
    if (hostUp(view, last)) leader = last;
    else if (view.topology.automaticFailover && hostUp(view, otherRole(last))) leader = otherRole(last);
  }
  return { leader, lastLeader: leader ?? last };
}

/** The members that accept writes now. More than one is a split brain. */
export function writablePrimaries(state: DatabaseState, view: DatabaseView): RegionRole[] {
  return state.leader !== null && hostUp(view, state.leader) && etcdQuorum(view.topology, view.outage) ? [state.leader] : [];
}

/** What a flip step did: the new state, or why it failed (the state unchanged). */
export type FlipResult = { ok: true; state: DatabaseState; did: string } | { ok: false; reason: string };

/** What the flip step was told beyond its target (the Patroni flip's RPO bound and force). */
export interface FlipSettings {
  /** Most bytes the candidate may lag the lost leader in a failover. */
  maxLagBytes: number;
  /** `patroni.forceFailover`. */
  force: boolean;
}

/**
 * `GET /cluster` as the candidate's Patroni would answer it: the members whose hosts are up (a
 * member whose host is down drops out of the DCS with its key), the lock holder as `leader`.
 * Assumed, not modelled: every standby streams within the RPO (lag 0), and the candidate's
 * `nofailover` tag is already lifted (the flip runs after its host's configuration).
 */
function clusterAsPatroniShowsIt(state: DatabaseState, view: DatabaseView): ClusterView {
  return {
    members: regionRoles
      .filter((role) => hostUp(view, role))
      .map((role) => (state.leader === role ? { name: view.topology.regions[role], role: "leader", state: "running" } : { name: view.topology.regions[role], role: "replica", state: "streaming", lag: 0, tags: { nofailover: false } })),
  };
}

/**
 * The flip step's effect, run with its calls answered: make `target`'s database the leader.
 * `regionDown`: the operator declared that role's region down (a failover, not a switchover).
 * Patroni: the flip's own decision (domain/patroniFlip.ts `decideFlip`) on the cluster as it is;
 * a "wait" cannot end within the run (nothing changes while the step waits), so the step times out.
 */
export function applyFlip(state: DatabaseState, view: DatabaseView, target: RegionRole, regionDown: RegionRole | undefined, settings: FlipSettings = { maxLagBytes: 0, force: false }): FlipResult {
  if (!hostUp(view, target)) return { ok: false, reason: `${target} (${view.topology.regions[target]}) is unreachable` };
  if (!etcdQuorum(view.topology, view.outage)) return { ok: false, reason: "no etcd quorum: Patroni's GET /cluster and a new leader key both need it" };
  const decision = decideFlip(clusterAsPatroniShowsIt(state, view), { candidate: view.topology.regions[target], regionDown: regionDown !== undefined, ...settings });
  switch (decision.action) {
    case "done":
      return { ok: true, state, did: decision.message };
    case "switchover":
    case "failover":
      return { ok: true, state: { ...state, leader: target, lastLeader: target }, did: decision.message };
    case "wait":
      return { ok: false, reason: `${decision.message}; nothing changes while it waits, so it times out` };
    case "refuse":
      return { ok: false, reason: `refused: ${decision.message}` };
  }
}
