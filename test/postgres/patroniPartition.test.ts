/**
 * #21 "The primary's region cut off from the other two etcd members" and "The old primary
 * returns after a region-down failover", on real etcd 3.4, Patroni 3.0.2 and PostgreSQL 15, each
 * region in its own network namespace: the primary region's link is set down, so its Patroni
 * reaches only its own etcd member, which has no quorum.
 * - Patroni may run PostgreSQL as primary only while it can update the leader lock; "in case the
 *   update of the leader lock fails, Postgres is immediately demoted", before the lock's TTL runs
 *   out (https://patroni.readthedocs.io/en/latest/dcs_failsafe_mode.html, citations P1). Measured:
 *   the first 100 ms sample after the cut in which it no longer takes writes, within `ttl`.
 * - The flip asks the surviving region for a failover; Patroni promotes the candidate only after
 *   the old leader's key has expired (P5), so sampling both servers every 100 ms never sees two
 *   that take writes.
 * - The old primary's host then dies while cut off and comes back: Patroni finds another leader
 *   and starts it as a replica, rewinding the WAL it wrote after the cut (never received by the
 *   new leader) with pg_rewind (P7); it never takes a write, and the backup its timer runs on
 *   boot adds nothing to the stanza (backup.sh asks its Patroni, GET /primary, and does nothing
 *   on a member that does not lead).
 * - That rewind connects to the new leader as the product's `rewinder` role, which is no
 *   superuser: Patroni 3.0.2 rewinds as `postgresql.authentication.rewind` when it is set
 *   (patroni/postgresql/config.py `rewind_credentials`; the lab's members get it as
 *   configure-postgres.sh writes it, dev/patroni/roleEnvironment.ts) and logs the connection
 *   string without the password (patroni/postgresql/rewind.py `pg_rewind`: "running pg_rewind
 *   from %s"). The role holds exactly domain/databaseRoles.ts's grants: EXECUTE on pg_ls_dir,
 *   pg_stat_file and pg_read_binary_file, what PostgreSQL 15 lists for a non-superuser pg_rewind
 *   (https://www.postgresql.org/docs/15/app-pgrewind.html, Notes). Patroni's bootstrap of the lab's
 *   cluster also grants the rewind user four overloads of those (patroni/postgresql/bootstrap.py
 *   `post_bootstrap`), all among the ones the product grants by name, so the rights are the
 *   product's either way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowingWriter, queryOnce, sampleWritable, type WritableSample, type WriterLog } from "../../dev/patroni/clients";
import { flipTo } from "../../dev/patroni/flip";
import { PatroniLab } from "../../dev/patroni/lab";
import { patronictlRows } from "../../dev/patroni/member";
import { waitFor } from "../../dev/postgres/pgbackrest";
import { databaseRoleSpecs } from "../../domain/databaseRoles";
import type { CommandResult } from "../../tools/process/exec";

let lab: PatroniLab;
let cutAt: number;
let flippedAt: number;
let partition: WritableSample[];
let cutWriter: WriterLog;
let returned: WritableSample[];
let bootBackups: CommandResult[];
/** The returning old primary's Patroni log (every run), read once it is a replica again. */
let returnedLog: string;
let backupsBefore: number[];
/** `patronictl list` on the surviving host once the cut-off leader's lock expired, before the flip. */
let leaderless: Record<string, string>[];

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "partition" });
  const { primary, secondary } = lab.members;
  await primary.node.sql("CREATE TABLE acked (id int PRIMARY KEY)");
  await secondary.node.waitForReplay(primary.node);

  const sampler = sampleWritable([primary.node, secondary.node]);
  await waitFor("a first sample", 30_000, async () => sampler.samples.length > 0, 50);
  const writer = new FollowingWriter([primary.node], "acked");
  writer.start();
  try {
    await waitFor("commits before the cut", 60_000, async () => writer.acks.length >= 50, 50);
    cutAt = performance.now();
    await lab.network.cut("primary");
    await waitFor("the cut-off primary to stop taking writes", (lab.timings.ttl + 60) * 1000, async () =>
      sampler.samples.some((sample) => sample.at > cutAt && !sample.writable[primary.name]), 100);
  } finally {
    cutWriter = await writer.stop();
  }
  try {
    // What the on-call reads before flipping (docs/runbooks/failover-database.md): no Leader row.
    await waitFor("no Leader row in patronictl list on the surviving host", (lab.timings.ttl + 60) * 1000, async () => {
      const listed = await secondary.patronictl(["list"]);
      leaderless = patronictlRows(listed.stdout);
      return listed.code === 0 && leaderless.length > 0 && leaderless.every((row) => row.Role !== "Leader");
    }, 1000);
    await flipTo(lab, secondary, { from: primary, regionDown: true });
    flippedAt = performance.now();
    await waitFor("samples after the flip", 30_000, async () => sampler.samples.some((sample) => sample.at > flippedAt + 1000), 100);
  } finally {
    partition = await sampler.stop();
  }

  // The region goes down with its host, and comes back: the host boots and its timers run.
  await primary.crash();
  await lab.network.heal("primary");
  backupsBefore = await secondary.backupCounts();
  const returning = sampleWritable([primary.node, secondary.node]);
  try {
    primary.start();
    bootBackups = [await primary.runScript("backup.sh", ["full"])];
    await lab.waitForRole(primary, "replica", 180_000);
    bootBackups.push(await primary.runScript("backup.sh", ["full"]));
  } finally {
    returned = await returning.stop();
  }
  returnedLog = await primary.readLog();
});

afterAll(async () => {
  await lab?.destroy();
});

describe("the primary's region cut off from the other two etcd members", () => {
  it(`stops taking writes within ttl after the cut`, ({ annotate }) => {
    const { primary } = lab.members;
    const demotedAt = partition.find((sample) => sample.at > cutAt && !sample.writable[primary.name])!.at;
    const lastAck = Math.max(...cutWriter.acks.map((ack) => ack.at));
    expect(partition.filter((sample) => sample.at < cutAt).every((sample) => sample.writable[primary.name])).toBe(true);
    expect(demotedAt - cutAt).toBeLessThanOrEqual(lab.timings.ttl * 1000);
    return annotate(`no writes ${(demotedAt - cutAt).toFixed(0)} ms after the cut (last acknowledged commit ${(lastAck - cutAt).toFixed(0)} ms after it; ttl ${lab.timings.ttl} s, loop_wait ${lab.timings.loopWait} s, retry_timeout ${lab.timings.retryTimeout} s)`);
  });

  it("never has two servers taking writes, sampled every 100 ms", () => {
    const { primary, secondary } = lab.members;
    expect(partition.length).toBeGreaterThan(50);
    expect(partition.filter((sample) => sample.writable[primary.name] && sample.writable[secondary.name])).toEqual([]);
  });

  it("shows no Leader row in patronictl list on the surviving host before the flip, the candidate a running Replica still tagged nofailover", () => {
    const { secondary } = lab.members;
    expect(leaderless.filter((row) => row.Role === "Leader")).toEqual([]);
    expect(leaderless.find((row) => row.Member === secondary.name)).toMatchObject({ Role: "Replica", State: "running", Tags: "nofailover: true" });
  });

  it("after the flip the candidate is the primary", async () => {
    const { primary, secondary } = lab.members;
    expect(partition.filter((sample) => sample.at > flippedAt && sample.writable[primary.name])).toEqual([]);
    expect(partition.at(-1)?.writable).toEqual({ [primary.name]: false, [secondary.name]: true });
    expect((await secondary.rest("/primary")).status).toBe(200);
  });
});

describe("the old primary returns after the region-down failover", () => {
  it("is never writable and rejoins as a replica of the new primary", async () => {
    const { primary, secondary } = lab.members;
    expect(returned.length).toBeGreaterThan(10);
    expect(returned.filter((sample) => sample.writable[primary.name])).toEqual([]);
    expect((await primary.rest("/primary")).status).toBe(503);
    await waitFor("the returned primary to stream from the new one", 120_000, async () =>
      (await queryOnce(primary.node, "SELECT sender_host FROM pg_stat_wal_receiver WHERE status = 'streaming'"))[0]?.sender_host === secondary.address);
    expect(await primary.node.isInRecovery()).toBe(true);
  });

  it("rejoins through pg_rewind as the product's rewinder role (no superuser), which holds exactly the functions domain/databaseRoles.ts grants it", async ({ annotate }) => {
    const { secondary } = lab.members;
    // rewind.py logs the connection string it runs pg_rewind with (ha.py logs "running pg_rewind from <member>" before it).
    const rewinds = returnedLog.split("\n").filter((line) => line.includes("running pg_rewind from dbname="));
    expect(rewinds.length, returnedLog.slice(-4000)).toBeGreaterThan(0);
    for (const line of rewinds) expect(line).toMatch(new RegExp(`running pg_rewind from dbname=postgres user=rewinder host=${secondary.address.replace(/\./g, "\\.")} port=\\d+ `));
    expect(returnedLog).toContain("pg_rewind exit code=0");
    expect(returnedLog).not.toContain(lab.superuserPassword);
    expect(await secondary.node.sql("SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = 'rewinder'")).toEqual([["f", "f"]]);
    const granted = await secondary.node.sql("SELECT DISTINCT p.proname FROM pg_proc p, aclexplode(p.proacl) a WHERE a.grantee = 'rewinder'::regrole ORDER BY 1");
    expect(granted.map(([name]) => name)).toEqual([...databaseRoleSpecs.rewinder.executeFunctions].sort());
    return annotate(rewinds.at(-1)!.trim());
  });

  it("writes no backup into the stanza: the boot-time backup finds it is not the leader (Patroni's GET /primary) and does nothing", async () => {
    for (const run of bootBackups) expect(`${run.code} ${run.stdout}`).toMatch(/^0 .*not the leader \(us-east-1; Patroni's GET \/primary is not 200 here\): backups run on the leader; nothing to do/s);
    expect(await lab.members.secondary.backupCounts()).toEqual(backupsBefore);
  });
});
