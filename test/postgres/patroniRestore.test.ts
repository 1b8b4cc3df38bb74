/**
 * #21 "Region-down failover, then restore", on real etcd 3.4, Patroni 3.0.2, PostgreSQL 15 and
 * pgBackRest 2.45 with one s3rver (TLS) per region. The primary region is cut off, the flip fails
 * over to the secondary, the writer follows it; then the old region's database host stays off
 * and its S3 is down (s3rver stopped) while its network, and so its etcd member, comes back.
 * - The returning etcd member rejoins without an election (Raft pre-vote, domain/etcd.ts): the
 *   new leader keeps its lock and is never demoted. Without pre-vote it returned at a higher term,
 *   deposed etcd's leader, Patroni lost the DCS past retry_timeout and stopped the new primary
 *   under a running backup (pgBackRest 2.45: "[101] NULL result required to complete request",
 *   the lost connection it masks: pgbackrest/pgbackrest#2789).
 * - A promoted standby "will not archive any WAL ... that it did not generate itself" unless
 *   `archive_mode = always`, in which case it archives every segment it receives
 *   (https://www.postgresql.org/docs/15/warm-standby.html#CONTINUOUS-ARCHIVING-IN-STANDBY, P10):
 *   the surviving repository then holds the old timeline up to the switch, so a restore of the
 *   backup taken before the failover replays across the timeline switch to the last commit the
 *   new primary acknowledged.
 * - The daily full backup (backup.sh, on the leader as Patroni says) skips the repository that does
 *   not answer at once and lands in the surviving one while the other region's S3 is down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowingWriter, queryOnce, type WriterLog } from "../../dev/patroni/clients";
import { flipTo, type WriteAfterFlip } from "../../dev/patroni/flip";
import { PatroniLab, TEST_TIMINGS } from "../../dev/patroni/lab";
import { restoreCopy } from "../../dev/patroni/restoredCopy";
import { decodeMetricCall, PRIMARY_REGION, SECONDARY_REGION, waitFor } from "../../dev/postgres/pgbackrest";
import type { PgNode } from "../../dev/postgres/cluster";
import type { CommandResult } from "../../tools/process/exec";

let lab: PatroniLab;
let log: WriterLog;
let beforeFailover: string;
let backupDuringOutage: CommandResult;
let backupSuccess: (readonly [string, number])[];
let restored: PgNode;
let newLeaderStart: { afterFlip: string | undefined; afterBackup: string | undefined };
let raftTerm: { beforeRejoin: string; afterRejoin: string };
let writeAfterFlip: WriteAfterFlip;

/** The Raft term and leader id an etcd member reports (kept as text: ids are 64-bit). */
async function raftView(role: "primary" | "witness"): Promise<{ term: string; leader: string } | undefined> {
  const status = await lab.etcd[role].etcdctl(["endpoint", "status", "-w", "json"]);
  const term = /"raft_term":(\d+)/.exec(status.stdout)?.[1];
  const leader = /"leader":(\d+)/.exec(status.stdout)?.[1];
  return status.code === 0 && term && leader ? { term, leader } : undefined;
}

async function backupLabels(repo: number): Promise<string[]> {
  const info = await lab.checked(lab.members.secondary.pgbackrest([`--repo=${repo}`, "--output=json", "info"]), "pgbackrest info");
  return (JSON.parse(info.stdout) as { backup: { label: string }[] }[])[0]!.backup.map((backup) => backup.label);
}

beforeAll(async () => {
  // retry_timeout 10 s (the product's default) rather than the lab's 5 s, so that a busy machine's
  // slow etcd answers do not demote the leader (ttl 30 >= loop_wait 2 + 2 x 10, Patroni's rule).
  // io-timeout 1 s: each archive-push run spends about 8 x io-timeout on the dead repository
  // before the surviving one gets the backup's WAL (pgbackrest.conf); at the product's 5 s the
  // backup and the final shutdown waited minutes on it. What is proven does not change.
  lab = await PatroniLab.create({
    label: "restore", namespacePrefix: "cgrs-", timings: { ...TEST_TIMINGS, ttl: 30, retryTimeout: 10 }, archivePushIoTimeoutSeconds: 1,
  });
  const { primary, secondary } = lab.members;
  await primary.node.sql("CREATE TABLE acked (id int PRIMARY KEY)");
  await lab.checked(primary.pgbackrest(["--repo=2", "--type=full", "backup"]), "full backup into repo2 before the failover");
  [beforeFailover] = await backupLabels(2);

  const writer = new FollowingWriter([primary.node, secondary.node], "acked");
  writer.start();
  try {
    await waitFor("commits before the cut", 60_000, async () => writer.acks.length >= 200, 50);
    await lab.network.cut("primary");
    ({ writeAfter: writeAfterFlip } = await flipTo(lab, secondary, { from: primary, regionDown: true }));
    await waitFor("commits on the new primary", 120_000, async () => writer.acks.filter((ack) => ack.node === secondary.name).length >= 200, 100);
  } finally {
    log = await writer.stop();
  }
  const startTime = () => secondary.node.sqlValue("SELECT pg_postmaster_start_time()::text");
  const afterFlip = await startTime();
  // The old region's database host stays off and its S3 down; its network comes back, and with
  // it its etcd member, which campaigned at ever higher terms while cut off.
  await primary.crash();
  await lab.s3.primary.stop();
  const beforeRejoin = (await raftView("witness"))!.term;
  await lab.network.heal("primary");
  await waitFor("the old region's etcd member to follow the quorum's leader", 120_000, async () => {
    const [back, quorum] = [await raftView("primary"), await raftView("witness")];
    return back !== undefined && quorum !== undefined && back.leader === quorum.leader && back.term === quorum.term;
  }, 250);
  raftTerm = { beforeRejoin, afterRejoin: (await raftView("witness"))!.term };

  // The daily full backup as its timer runs it (backup.sh asks Patroni whether this host leads).
  await secondary.host.aws.clear();
  backupDuringOutage = await secondary.runScript("backup.sh", ["full"]);
  backupDuringOutage = { ...backupDuringOutage, stderr: `${backupDuringOutage.stderr}\n--- patroni and PostgreSQL log of ${secondary.name}:\n${await secondary.logTail(200)}` };
  backupSuccess = (await secondary.host.aws.calls()).map(decodeMetricCall).flatMap((call) =>
    call.data.filter((datum) => datum.MetricName === "BackupSuccess").map((datum) => [call.region, datum.Value] as const));
  newLeaderStart = { afterFlip, afterBackup: await startTime() };
  restored = await restoreCopy(lab, secondary, { name: "restored", repo: 2, set: beforeFailover });
});

afterAll(async () => {
  await lab?.destroy();
});

describe("after a region-down failover, with the old region's S3 down", () => {
  it("the flip exits 0 only once the new leader takes writes: a write through it right after the exit succeeds", ({ annotate }) => {
    expect(writeAfterFlip.txid).toBeGreaterThan(0);
    return annotate(`write through ${lab.members.secondary.name} answered ${writeAfterFlip.ms.toFixed(0)} ms after the flip exited`);
  });

  it("the old region's etcd member rejoins without an election, and the new leader keeps running", () => {
    expect(raftTerm.afterRejoin).toBe(raftTerm.beforeRejoin);
    expect(newLeaderStart.afterBackup).toBe(newLeaderStart.afterFlip);
  });

  it("backup.sh on the new leader skips the dead repository at once and takes the full backup into the surviving one", async () => {
    const output = `${backupDuringOutage.stdout}\n${backupDuringOutage.stderr}`;
    // Exit 1: one repository got no backup, which its BackupSuccess 0 reports (alarmed).
    expect(backupDuringOutage.code, output).toBe(1);
    expect(backupDuringOutage.stderr).toMatch(/repo1 \(us-east-1\) does not answer within \d+ s: full backup into it skipped/);
    expect(backupDuringOutage.stdout).toContain("full backup into repo2 finished");
    expect(backupSuccess).toEqual([[PRIMARY_REGION, 0], [SECONDARY_REGION, 1]]);
    expect(await backupLabels(2)).toHaveLength(2);
  });

  it("a restore of the pre-failover backup from the surviving repository reaches the new primary's last acknowledged commit", async () => {
    const onNew = log.acks.filter((ack) => ack.node === lab.members.secondary.name).map((ack) => ack.id);
    expect(onNew.length).toBeGreaterThanOrEqual(200);
    const present = new Set((await queryOnce(restored, "SELECT id FROM acked")).map((row) => Number(row.id)));
    expect(onNew.filter((id) => !present.has(id))).toEqual([]);
    expect(present.has(Math.max(...onNew))).toBe(true);
    expect(await restored.sqlValue("SELECT pg_walfile_name(pg_current_wal_lsn())")).toMatch(/^00000003/);
  });
});
