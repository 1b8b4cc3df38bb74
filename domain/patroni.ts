/**
 * Patroni's cluster settings: the timing rule, the failover lag bound derived from the RPO,
 * and which member may be promoted. Pure: plain numbers in, numbers, booleans and messages out.
 *
 * Patroni behaviours relied on (Patroni 3.0.2, Debian 12; docs at https://patroni.readthedocs.io/en/latest/):
 * - A node runs PostgreSQL as primary only while it can update the leader lock in the DCS; "In
 *   case the update of the leader lock fails, Postgres is immediately demoted and started as
 *   read-only" (dcs_failsafe_mode.html, "The problem"; citations P1). `ttl` is the lock's TTL.
 * - "when changing values of loop_wait, retry_timeout, or ttl you have to follow the rule:
 *   loop_wait + 2 * retry_timeout <= ttl" (dynamic_configuration.html; citations P2). Patroni
 *   3.0.2 does not check it (its config.py has no such check; the enforcement came in a later
 *   release, docs/releases.rst), so the stack refuses it before a host is touched.
 *   Minimums: ttl 20, loop_wait 1, retry_timeout 3 (same page).
 * - `maximum_lag_on_failover`: "the maximum bytes a follower may lag to be able to participate
 *   in leader election"; it applies to automatic failover and to a switchover of a healthy
 *   cluster, NOT to a manual failover of a cluster without a leader (rest_api.html "Healthy
 *   standby"; citations P4): the flip checks the lag itself (domain/patroniFlip.ts).
 * - Tag `nofailover: true`: the node never takes part in the leader race and is refused as a
 *   switchover or failover candidate (`failover_limitation()` returns "not allowed to promote",
 *   patroni/ha.py in 3.0.2; yaml_configuration.html#tags; citations P4).
 */
import { DEFAULT_PEAK_WAL_MIB_PER_MINUTE } from "./walArchive";

/** Patroni's cluster-wide timings, in whole seconds (Patroni's dynamic configuration). */
export interface PatroniTimings {
  /** Leader-lock TTL: a primary cut off from the DCS demotes within it. */
  ttl: number;
  /** Seconds between two runs of Patroni's HA loop. */
  loopWait: number;
  /** Seconds a DCS or PostgreSQL operation is retried before it counts as failed. */
  retryTimeout: number;
}

/** Patroni's own defaults (config.py `__DEFAULT_CONFIG` in 3.0.2), kept for cross-region use: see docs/architecture. */
export const defaultPatroniTimings: Readonly<PatroniTimings> = Object.freeze({ ttl: 30, loopWait: 10, retryTimeout: 10 });

/** Patroni's documented minimums (dynamic_configuration.html). */
export const patroniTimingMinimums: Readonly<PatroniTimings> = Object.freeze({ ttl: 20, loopWait: 1, retryTimeout: 3 });

/** The Patroni cluster's name (`scope`) of a stack: one cluster per stack, a member per region. */
export const patroniScope = (environment: string): string => `crazy-gary-${environment}`;

/** The REST API port (Patroni's default, and the contract of the Route53 `/primary` checks). */
export const DEFAULT_REST_API_PORT = 8008;

/**
 * Why `timings` break Patroni's rule `loop_wait + 2 x retry_timeout <= ttl`, with the fix; or
 * undefined when they keep it.
 */
export function patroniTimingProblem(timings: PatroniTimings): string | undefined {
  const needed = timings.loopWait + 2 * timings.retryTimeout;
  if (needed <= timings.ttl) return undefined;
  return (
    `loopWait + 2 x retryTimeout = ${timings.loopWait} + 2 x ${timings.retryTimeout} = ${needed} s is more than ttl ${timings.ttl} s; ` +
    `Patroni needs loop_wait + 2 x retry_timeout <= ttl: raise ttl (e.g. ttl: ${needed}) or lower loopWait or retryTimeout`
  );
}

const MIB = 1024 * 1024;

/**
 * `maximum_lag_on_failover`, in bytes: the WAL the database writes in one RPO at the design
 * peak rate (domain/walArchive.ts, 64 MiB/min): 5 min x 64 MiB = 320 MiB = 335544320 bytes.
 * A replica further behind than this would lose more than the RPO if promoted. The trade-off
 * (docs/architecture/README.md "Automatic cross-region failover"): a larger bound promotes
 * sooner in an outage but may lose up to that much acknowledged WAL; a smaller one may leave
 * the cluster without a primary until a person forces the failover.
 */
export function maximumLagOnFailoverBytes(rpoMinutes: number, peakMiBPerMinute: number = DEFAULT_PEAK_WAL_MIB_PER_MINUTE): number {
  if (!Number.isInteger(rpoMinutes) || rpoMinutes < 1) throw new Error(`patroni: rpoMinutes is ${rpoMinutes}; use whole minutes >= 1`);
  if (!Number.isFinite(peakMiBPerMinute) || peakMiBPerMinute <= 0) throw new Error(`patroni: peakMiBPerMinute is ${peakMiBPerMinute}; use a positive rate`);
  return Math.round(rpoMinutes * peakMiBPerMinute * MIB);
}

/**
 * Whether a member carries `nofailover: true`: the passive region's member does, unless
 * automatic cross-region failover is opted in, so that by default people decide a
 * cross-region failover (the runbook's "Multi-Region Failover") and Patroni never does.
 */
export function memberNoFailover(member: { isActive: boolean }, automaticCrossRegionFailover: boolean): boolean {
  return !member.isActive && !automaticCrossRegionFailover;
}
