/**
 * Where the database leader really is, read from Patroni: the "flip done" verdict of the failover
 * workflow and the deploy guard's reading of the deployed active region. Never a stack output:
 * when any step of an update fails, the stack's outputs keep their previous values
 * (pulumi/pulumi#16289), so after a partial `--continue-on-error` flip they name the old region.
 *
 * The input is Patroni's `GET /cluster` (docs/rest_api.rst "Cluster status endpoint"; the body is
 * `patroni/utils.py` `cluster_as_json` in 3.0.2): `members[]` with `name`, `role` (`leader`,
 * `standby_leader`, `sync_standby`, `replica`) and `state` (`running` for a started PostgreSQL),
 * plus `pause: true` in maintenance mode and `scheduled_switchover` while one is pending. It is the
 * DCS's view, the same from any member that reaches the etcd quorum, so the workflow asks the
 * surviving region. Members are named by their region code (COORDINATION.md contract).
 *
 * Pure: imports nothing outside `domain/`.
 */
import { regionRoles, type RegionRole } from "./topology";

export class ClusterStatusError extends Error {}

export interface ClusterMember {
  name: string;
  role: string;
  state: string;
}

export interface ClusterStatus {
  members: ClusterMember[];
  /** Maintenance mode: Patroni changes nothing (citations P7). */
  pause: boolean;
  /** A switchover is scheduled and has not run yet. */
  switchoverPending: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a `GET /cluster` body; throws {@link ClusterStatusError} naming the field that is wrong. */
export function parseClusterStatus(raw: unknown): ClusterStatus {
  if (!isRecord(raw) || !Array.isArray(raw.members)) throw new ClusterStatusError("cluster: not a Patroni GET /cluster body; expected an object with a members array");
  const members = raw.members.map((m, i) => {
    if (!isRecord(m)) throw new ClusterStatusError(`cluster.members[${i}]: not an object`);
    for (const key of ["name", "role", "state"] as const) {
      if (typeof m[key] !== "string") throw new ClusterStatusError(`cluster.members[${i}].${key}: ${JSON.stringify(m[key])} is not a string`);
    }
    return { name: m.name as string, role: m.role as string, state: m.state as string };
  });
  return { members, pause: raw.pause === true, switchoverPending: raw.scheduled_switchover !== undefined };
}

/** The writable leader: the member whose role is `leader` (a `standby_leader` takes no writes). */
export interface Leader {
  role: RegionRole;
  member: string;
  state: string;
}

/** The leader and the region role whose code names it, or undefined when the cluster has none. */
export function leaderOf(cluster: ClusterStatus, regions: Record<RegionRole, string>): Leader | undefined {
  const leaders = cluster.members.filter((m) => m.role === "leader");
  if (leaders.length > 1) throw new ClusterStatusError(`cluster: ${leaders.length} members report role leader (${leaders.map((m) => m.name).join(", ")}); Patroni's DCS holds one leader key`);
  const [leader] = leaders;
  if (!leader) return undefined;
  const role = regionRoles.find((r) => regions[r] === leader.name);
  if (!role) throw new ClusterStatusError(`cluster: leader ${JSON.stringify(leader.name)} is no region of this stack; members are named by region code (${regionRoles.map((r) => regions[r]).join(", ")})`);
  return { role, member: leader.name, state: leader.state };
}

export interface FlipVerdict {
  done: boolean;
  message: string;
}

/** Whether the flip to `target` is done: its member leads, PostgreSQL runs, nothing is pending. */
export function flipVerdict(cluster: ClusterStatus, regions: Record<RegionRole, string>, target: RegionRole): FlipVerdict {
  const leader = leaderOf(cluster, regions);
  if (!leader) return { done: false, message: `no leader: Patroni reports no member as leader; ${target} (${regions[target]}) is not writable yet` };
  if (leader.role !== target) return { done: false, message: `leader is ${leader.role} (${leader.member}), not ${target} (${regions[target]}): the flip did not complete` };
  if (leader.state !== "running") return { done: false, message: `leader ${leader.member} is ${leader.state || "in no state"}, not running: PostgreSQL is not accepting writes yet` };
  if (cluster.switchoverPending) return { done: false, message: `leader is ${leader.member}, but a scheduled switchover is pending` };
  if (cluster.pause) return { done: false, message: `leader is ${leader.member}, but the cluster is paused (maintenance mode): Patroni would not fence a returning old primary` };
  return { done: true, message: `${target} (${leader.member}) is the running leader` };
}
