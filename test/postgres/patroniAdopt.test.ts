/**
 * #21 "First deploy adopts each running PostgreSQL without data loss", on real etcd 3.4,
 * Patroni 3.0.2 and PostgreSQL 15: a primary and its streaming standby run without Patroni, an
 * application writer commits on the primary, and the hosts are handed to Patroni the documented
 * way (https://patroni.readthedocs.io/en/latest/existing_data.html, "Convert a Standalone to a
 * Patroni Cluster", citations P6): the Patroni users exist, Patroni starts on the primary first
 * ("It automatically detects that Postgres is already running and starts monitoring the
 * instance"), then on the standby, then each member is restarted through Patroni ("Hand over
 * Postgres start up procedure to Patroni ... restart the cluster members through patronictl
 * restart"). The primary stays the primary, no acknowledged commit is lost, and the write
 * unavailability of the whole adoption is measured (the longest pause between two acknowledged
 * commits), not judged against a clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowingWriter, longestGap, queryOnce, type WriterLog } from "../../dev/patroni/clients";
import { PatroniLab } from "../../dev/patroni/lab";
import { startUnmanagedPrimary, startUnmanagedStandby } from "../../dev/patroni/unmanaged";
import { waitFor } from "../../dev/postgres/pgbackrest";
import { pgbackrestCommands } from "../../components/databaseHost/patroniFile";
import { resolveParams } from "../../components/databaseHost/resolveParams";

let lab: PatroniLab;
let log: WriterLog;
const postmasterBefore: Record<string, number | undefined> = {};

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "adopt", startPatroni: false });
  const { primary, secondary } = lab.members;
  const commands = pgbackrestCommands(primary.host.configFile, "crazy-gary", resolveParams(primary.host.params).localRepo);

  await startUnmanagedPrimary(lab, { archive_mode: "always", archive_command: commands.archiveCommand, archive_timeout: 60 });
  await lab.prepareLeader();
  await primary.node.sql("CREATE TABLE acked (id int PRIMARY KEY)");

  await startUnmanagedStandby(lab);
  for (const member of [primary, secondary]) postmasterBefore[member.name] = await member.node.postmasterPid();

  const writer = new FollowingWriter([primary.node], "acked");
  writer.start();
  try {
    await waitFor("commits before the adoption", 60_000, async () => writer.acks.length >= 200, 50);
    primary.start();
    await lab.waitForRole(primary, "primary", 120_000);
    await lab.joinSecondary();
    for (const member of [primary, secondary]) {
      const answer = await member.rest("/restart", { method: "POST", body: {}, timeoutSeconds: 120 });
      if (answer.status !== 200) throw new Error(`POST /restart on ${member.name}: ${answer.status} ${answer.body}`);
    }
    await lab.waitForRole(secondary, "replica", 120_000);
    const before = writer.acks.length;
    await waitFor("commits after the adoption", 120_000, async () => writer.acks.length >= before + 200, 100);
  } finally {
    log = await writer.stop();
  }
});

afterAll(async () => {
  await lab?.destroy();
});

describe("the first deploy adopts a running primary and its standby", () => {
  it("keeps the primary the primary and the standby its streaming replica, both now run by Patroni", async () => {
    const { primary, secondary } = lab.members;
    expect((await primary.rest("/primary")).status).toBe(200);
    expect((await secondary.rest("/replica")).status).toBe(200);
    await waitFor("the replica to stream from the primary", 60_000, async () =>
      (await queryOnce(secondary.node, "SELECT sender_host FROM pg_stat_wal_receiver WHERE status = 'streaming'"))[0]?.sender_host === primary.address);
    for (const member of [primary, secondary]) {
      const pid = await member.node.postmasterPid();
      expect(pid).toBeDefined();
      expect(pid).not.toBe(postmasterBefore[member.name]);
    }
  });

  it("loses no acknowledged commit", async () => {
    const present = new Set((await queryOnce(lab.members.primary.node, "SELECT id FROM acked")).map((row) => Number(row.id)));
    expect(log.acks.length).toBeGreaterThanOrEqual(400);
    expect(log.acks.filter((ack) => !present.has(ack.id))).toEqual([]);
  });

  it("reports the write unavailability of the adoption", async ({ annotate }) => {
    const gap = longestGap(log.acks);
    await annotate(`write unavailability ${gap.ms.toFixed(0)} ms over the adoption (Patroni on the primary, on the standby, a restart of each through Patroni); ${log.acks.length} commits acknowledged, ${log.failures} failed statements`);
  });
});
