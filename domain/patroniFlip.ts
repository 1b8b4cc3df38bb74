/**
 * The database side of a flip, decided from what the surviving region's Patroni says about its
 * cluster (`GET /cluster`). Pure: the cluster as Patroni returns it, plus the flip's settings,
 * in; one decision out. components/patroniFlip/flip.ts runs it in a loop against the REST API.
 *
 * Patroni behaviours relied on (Patroni 3.0.2; https://patroni.readthedocs.io/en/latest/rest_api.html):
 * - `GET /cluster` lists the members with `role` (leader, replica, ...), `state` and, for every
 *   member but the leader, `lag` in bytes behind the last leader position the DCS recorded
 *   (`cluster.last_lsn`), or "unknown" (patroni/utils.py `cluster_as_json`). With the leader's
 *   lock expired there is no member with role `leader`, and `lag` is measured from the lost
 *   leader's last recorded position.
 * - `POST /switchover {leader, candidate}` works only while the cluster has that leader; the
 *   leader is demoted (its last WAL reaching the candidate) before the candidate is promoted,
 *   and Patroni refuses a candidate further behind than `maximum_lag_on_failover` ("Healthy
 *   standby", citations P4/P5).
 * - `POST /failover {candidate}` also works without a leader, and then does NOT check the lag
 *   ("a candidate will be allowed to promote even if ... its lag exceeds the maximum replication
 *   lag allowed", citations P4): this module refuses it past `maxLagBytes` itself unless forced.
 * - A candidate tagged `nofailover` is refused either way ("not allowed to promote",
 *   patroni/ha.py `failover_limitation`); the candidate's host lifts the tag before the flip and
 *   the flip waits until `GET /cluster` shows it (found on the real thing in dev/patroni).
 * - Both endpoints write the request into the DCS, so the surviving member's API takes it
 *   (patroni/api.py `do_POST_failover`): nothing is asked of the region that is down.
 * - `GET /primary` answering 200 does NOT mean the candidate takes writes (read at tag v3.0.2):
 *   patroni/api.py `do_GET` sets the status from `patroni.ha.is_leader()` alone (holding the
 *   leader key: `primary_status_code = 200` unless a standby cluster); ha.py sets that flag when
 *   the lock is taken (`acquire_lock` -> `set_is_leader`) and only then `enforce_primary_role`
 *   starts the promotion in the background (`_async_executor.try_run_async('promote', ...)`:
 *   postgresql/__init__.py `promote` runs `pg_ctl promote -W`, without waiting). What says
 *   PostgreSQL left recovery is the body's `role`: api.py `get_postgresql_status` answers
 *   `'replica' if row[1] == 0 else 'master'`, row[1] being `Postgresql.TL_LSN`'s first column,
 *   `CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0 ELSE <timeline> END`; when that query fails
 *   the body says `state: unknown`. Patroni 3.0.x says "master" there, later releases "primary".
 *   While a server is in recovery it refuses writes (connections during recovery "are strictly
 *   read-only; not even temporary tables may be written", https://www.postgresql.org/docs/15/hot-standby.html);
 *   `pg_is_in_recovery()` is "true if recovery is still in progress"
 *   (https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-RECOVERY-CONTROL).
 *   So the flip is done only when {@link primaryReadiness} says so.
 */

/** One member as `GET /cluster` shows it. */
export interface ClusterMember {
  name: string;
  role: string;
  state: string;
  /** Bytes behind the last recorded leader position; absent for the leader. */
  lag?: number | "unknown";
  tags?: { nofailover?: boolean };
}

/** `GET /cluster`'s body (the fields the flip reads). */
export interface ClusterView {
  members: ClusterMember[];
  /** true while the cluster is in maintenance mode, where Patroni neither demotes nor promotes on its own. */
  pause?: boolean;
}

/** What the flip was asked to do. */
export interface FlipRequest {
  /** Member to become the leader: the newly active region's code. */
  candidate: string;
  /** The old region was declared down (`regionDown`): a failover instead of a switchover. */
  regionDown: boolean;
  /** Most bytes the candidate may lag the lost leader in a failover (maximum_lag_on_failover). */
  maxLagBytes: number;
  /** `patroni.forceFailover`: fail over even past `maxLagBytes` or with the lag unknown. */
  force: boolean;
  /**
   * With regionDown: the old leader has kept its lock longer than a lock of a dead leader can
   * live (ttl + loop_wait since the flip first saw it), so its region answers again.
   * @default false
   */
  leaderLockOutlived?: boolean;
}

export type FlipDecision =
  | { action: "done"; message: string }
  | { action: "wait"; message: string }
  | { action: "switchover"; leader: string; candidate: string; message: string }
  | { action: "failover"; candidate: string; message: string }
  | { action: "refuse"; message: string };

const RUNNING = new Set(["running", "streaming"]);

/** The next step of the flip for the cluster as it is now. */
export function decideFlip(cluster: ClusterView, request: FlipRequest): FlipDecision {
  const { candidate } = request;
  const leader = cluster.members.find((m) => m.role === "leader" || m.role === "standby_leader");
  const member = cluster.members.find((m) => m.name === candidate);
  if (!member) {
    return { action: "refuse", message: `member ${candidate} is not in the cluster (members: ${cluster.members.map((m) => m.name).join(", ") || "none"}); its host's Patroni is not running or not registered in etcd` };
  }
  if (leader?.name === candidate) {
    return RUNNING.has(member.state)
      ? { action: "done", message: `${candidate} is already the leader (${member.state}); nothing to do` }
      : { action: "wait", message: `${candidate} holds the leader lock and is ${member.state}; waiting for it to run` };
  }
  if (member.tags?.nofailover) {
    return { action: "wait", message: `${candidate} still carries nofailover; waiting for its host's new patroni.yml to reach etcd` };
  }
  if (!RUNNING.has(member.state)) {
    return { action: "wait", message: `${candidate} is ${member.state}, not running; waiting for it` };
  }
  if (!request.regionDown) {
    if (!leader) {
      return {
        action: "refuse",
        message: `the cluster has no leader, so a switchover (zero loss) cannot run; if the old region is down, set regionDown and run again (a failover, checked against the RPO)`,
      };
    }
    return { action: "switchover", leader: leader.name, candidate, message: `switchover ${leader.name} -> ${candidate}: the old leader is demoted and its last WAL replayed before ${candidate} is promoted` };
  }
  if (leader && request.leaderLockOutlived) {
    return {
      action: "switchover",
      leader: leader.name,
      candidate,
      message: `${leader.name} kept the leader lock past ttl, so its region is back despite regionDown: switchover ${leader.name} -> ${candidate} (zero loss); remove regionDown afterwards`,
    };
  }
  if (leader) {
    return {
      action: "wait",
      message: `${leader.name} still holds the leader lock, so it still reaches the etcd quorum; waiting up to ttl for it to expire (if it never does, the old region is not down: remove regionDown for a switchover)`,
    };
  }
  const lag = member.lag ?? "unknown";
  const lagText = lag === "unknown" ? "an unknown number of bytes" : `${lag} bytes`;
  if (lag === "unknown" || lag > request.maxLagBytes) {
    if (!request.force) {
      return {
        action: "refuse",
        message:
          `${candidate} lags the lost leader by ${lagText}, more than the ${request.maxLagBytes} bytes the RPO allows; nothing promoted. ` +
          `Wait for the old region, or accept losing those commits with patroni.forceFailover: true`,
      };
    }
    return { action: "failover", candidate, message: `failover to ${candidate}, FORCED past the RPO: it lags the lost leader by ${lagText}; commits past its position are lost` };
  }
  return { action: "failover", candidate, message: `failover to ${candidate}: it lags the lost leader by ${lagText}, within the ${request.maxLagBytes} bytes the RPO allows` };
}

/** `GET /primary` on the candidate: the HTTP status and, from its JSON body, `role` and `state`. */
export interface PrimaryAnswer {
  status: number;
  /** "master" (Patroni 3.0.x) or "primary" (later) once PostgreSQL is out of recovery; "replica" while in it. */
  role?: string;
  /** PostgreSQL's state as Patroni sees it: "running", "starting", "unknown" (its status query failed), ... */
  state?: string;
}

/** Roles `GET /primary`'s body gives a server out of recovery (patroni/api.py `get_postgresql_status`). */
const OUT_OF_RECOVERY = new Set(["master", "primary"]);

/**
 * Whether the candidate takes writes, from its `GET /primary`: the status says it holds the
 * leader lock, the body's `role` that its PostgreSQL left recovery (see the module's notes).
 */
export function primaryReadiness(candidate: string, answer: PrimaryAnswer): { writable: boolean; message: string } {
  if (answer.status !== 200) {
    return { writable: false, message: `GET /primary on ${candidate} answers ${answer.status}: it does not hold the leader lock yet; waiting` };
  }
  if (answer.state !== "running" || !OUT_OF_RECOVERY.has(answer.role ?? "")) {
    return {
      writable: false,
      message: `GET /primary on ${candidate} answers 200 (it holds the leader lock) but its PostgreSQL is not out of recovery yet (role ${answer.role ?? "absent"}, state ${answer.state ?? "absent"}); waiting until it takes writes`,
    };
  }
  return { writable: true, message: `${candidate} holds the leader lock and its PostgreSQL is out of recovery (role ${answer.role}, state running): it takes writes` };
}
