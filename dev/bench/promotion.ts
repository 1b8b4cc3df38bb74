/**
 * Benchmark: the flip through Patroni, on real etcd 3.4, Patroni 3.0.2, PostgreSQL 15 and
 * pgBackRest 2.45, three regions in network namespaces on this machine (dev/patroni/lab.ts).
 * - Planned switchover under load, there and back: an application writer commits numbered rows
 *   on whichever server takes them; prints the commits acknowledged, how many of them the new
 *   primary lacks (lost; goal 0) and the write unavailability, the longest pause between two
 *   acknowledged commits (goal <= 10 s).
 * - Partition: the primary's region is cut off from the other two etcd members; prints how long
 *   until it stops taking writes (the demotion; goal <= ttl), until the candidate holds the lost
 *   leader's lock after the flip's failover (bound: ttl + loop_wait, the figure readiness adds
 *   from the stack's Patroni timings) and until it takes writes.
 * Records the slowest switchover's write unavailability as `promotionSeconds`, and the
 * failover's time from the candidate holding the lock (its `GET /primary` answers 200) to its
 * first write as `failoverSeconds`, in docs/measurements.json (read by `npm run readiness`).
 *
 * Run: npm run bench:promotion
 */
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { benchPromotionCommand } from "../../tools/cli/commands";
import { FollowingWriter, longestGap, queryOnce, sampleWritable } from "../patroni/clients";
import { flipTo } from "../patroni/flip";
import { PatroniLab } from "../patroni/lab";
import type { PatroniMember } from "../patroni/member";
import { waitFor } from "../postgres/pgbackrest";
import { recordFailover, recordSwitchover } from "./measurements";

/** Goals of issue #21: no acknowledged commit lost, writes back within 10 s. */
const UNAVAILABILITY_GOAL_MS = 10_000;
const COMMITS_BEFORE = 500;
const COMMITS_AFTER = 200;

/** One switchover under a writer; returns the write unavailability in ms. */
async function switchoverUnderLoad(lab: PatroniLab, from: PatroniMember, to: PatroniMember, round: number): Promise<number> {
  const table = `acked_${round}`;
  await from.node.sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
  const writer = new FollowingWriter([from.node, to.node], table);
  writer.start();
  const started = performance.now();
  let flipMs = 0;
  try {
    await waitFor(`${COMMITS_BEFORE} commits`, 120_000, async () => writer.acks.length >= COMMITS_BEFORE, 50);
    const flipStarted = performance.now();
    await flipTo(lab, to, { from });
    flipMs = performance.now() - flipStarted;
    await waitFor(`${COMMITS_AFTER} commits on ${to.name}`, 120_000, async () => writer.acks.filter((ack) => ack.node === to.name).length >= COMMITS_AFTER, 100);
  } finally {
    await writer.stop();
  }
  const acks = writer.acks;
  const present = new Set((await queryOnce(to.node, `SELECT id FROM ${table}`)).map((row) => Number(row.id)));
  const lost = acks.filter((ack) => !present.has(ack.id)).length;
  const gap = longestGap(acks);
  const rate = acks.length / ((performance.now() - started) / 1000);
  process.stdout.write(
    `planned switchover ${from.name} -> ${to.name} under load (${rate.toFixed(0)} commits/s): ${acks.length} commits acknowledged, ` +
      `${lost} lost (goal 0); write unavailability ${(gap.ms / 1000).toFixed(2)} s (goal <= ${UNAVAILABILITY_GOAL_MS / 1000} s${gap.ms <= UNAVAILABILITY_GOAL_MS ? ", met" : ", MISSED"}); ` +
      `the flip took ${(flipMs / 1000).toFixed(2)} s\n`,
  );
  if (lost > 0) process.exitCode = 1;
  return gap.ms;
}

/** The region-down failover's times, in ms from the cut. */
interface FailoverTimes {
  demotedMs: number;
  lockMs: number;
  writableMs: number;
}

/** Cuts `leader`'s region off and fails over to `candidate`; prints the demotion, lock and first-write times. */
async function partition(lab: PatroniLab, leader: PatroniMember, candidate: PatroniMember): Promise<FailoverTimes> {
  const { ttl, loopWait, retryTimeout } = lab.timings;
  const sampler = sampleWritable([leader.node, candidate.node]);
  await waitFor("a first sample", 30_000, async () => sampler.samples.length > 0, 50);
  const cutAt = performance.now();
  let demotedMs: number;
  let lockMs: number;
  let writableMs: number;
  try {
    await lab.network.cut(leader.role);
    // Patroni answers GET /primary with 200 once the member holds the leader lock (before its
    // PostgreSQL has finished promoting: dev/patroni/flip.ts).
    const lockAt = waitFor(`${candidate.name} to hold the leader lock`, (ttl + loopWait + 120) * 1000, async () =>
      (await candidate.rest("/primary", { timeoutSeconds: 2 })).status === 200, 100).then(() => performance.now() - cutAt);
    lockAt.catch(() => undefined); // awaited after the flip; a failed flip must not leave it unhandled
    await waitFor(`${leader.name} to stop taking writes`, (ttl + 60) * 1000, async () =>
      sampler.samples.some((sample) => sample.at > cutAt && !sample.writable[leader.name]), 100);
    demotedMs = sampler.samples.find((sample) => sample.at > cutAt && !sample.writable[leader.name])!.at - cutAt;
    await flipTo(lab, candidate, { from: leader, regionDown: true });
    lockMs = await lockAt;
    writableMs = sampler.samples.find((sample) => sample.at - cutAt > lockMs && sample.writable[candidate.name])?.at ?? performance.now();
    writableMs -= cutAt;
  } finally {
    await sampler.stop();
  }
  const both = sampler.samples.filter((sample) => sample.writable[leader.name] && sample.writable[candidate.name]).length;
  const ttlMs = ttl * 1000;
  const lockBoundMs = (ttl + loopWait) * 1000;
  process.stdout.write(
    `partition of ${leader.name}'s region (ttl ${ttl} s, loop_wait ${loopWait} s, retry_timeout ${retryTimeout} s): ` +
      `no writes ${(demotedMs / 1000).toFixed(2)} s after the cut (goal <= ttl${demotedMs <= ttlMs ? ", met" : ", MISSED"}); ` +
      `${candidate.name} holds the lost leader's lock ${(lockMs / 1000).toFixed(2)} s after the cut (bound ttl + loop_wait = ${ttl + loopWait} s${lockMs <= lockBoundMs ? ", met" : ", MISSED"}) ` +
      `and takes writes ${((writableMs - lockMs) / 1000).toFixed(2)} s later (${(writableMs / 1000).toFixed(2)} s after the cut); ` +
      `samples with two writable servers: ${both} of ${sampler.samples.length}\n`,
  );
  if (both > 0 || demotedMs > ttlMs || lockMs > lockBoundMs) process.exitCode = 1;
  return { demotedMs, lockMs, writableMs };
}

async function main(): Promise<void> {
  const lab = await PatroniLab.create({ label: "bench" });
  try {
    const { primary, secondary } = lab.members;
    const unavailabilityMs = [
      await switchoverUnderLoad(lab, primary, secondary, 1),
      await switchoverUnderLoad(lab, secondary, primary, 2),
    ];
    const failover = await partition(lab, primary, secondary);
    recordSwitchover(unavailabilityMs);
    recordFailover(failover.writableMs - failover.lockMs, `lock held ${(failover.lockMs / 1000).toFixed(2)} s after the cut (ttl ${lab.timings.ttl} s + loop_wait ${lab.timings.loopWait} s in the lab)`);
  } finally {
    await lab.destroy();
  }
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), benchPromotionCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; bench:promotion takes no arguments (npm run -s bench:promotion -- --help)`);
    await main();
    return Number(process.exitCode ?? 0);
  },
  () => false,
  benchPromotionCommand,
);
