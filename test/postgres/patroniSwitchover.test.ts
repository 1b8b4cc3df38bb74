/**
 * #21 "Planned switchover under a writer", on real etcd 3.4, Patroni 3.0.2 and PostgreSQL 15 in
 * three network namespaces: an application writer commits numbered rows on the leader while the
 * flip asks Patroni for a switchover to the other region. Patroni demotes the old primary with a
 * fast shutdown and a shutdown checkpoint, and releases the leader key only once a replica has
 * received that checkpoint (patroni/patroni v3.0.2 patroni/ha.py `demote`, mode 'graceful',
 * `on_shutdown`: "If we know that there are replicas that received the shutdown checkpoint
 * location, we can remove the leader key"), so every commit the old primary acknowledged is on
 * the new one. The write unavailability (the longest pause between two acknowledged commits) is
 * measured and reported, not judged against a clock (`npm run bench:promotion` does).
 * The flip is the product's (components/patroniFlip/run.ts, started as its local Command starts
 * it: dev/patroni/flip.ts); it exits 0 only once the candidate takes writes (Patroni 3.0.2's
 * `GET /primary` answers 200 before the promotion ends, so it also reads the body's role), and a
 * write through the candidate right after its exit succeeds; running it again afterwards, as a
 * rerun of `pulumi up` would, changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowingWriter, longestGap, queryOnce, type WriterLog } from "../../dev/patroni/clients";
import { flipTo, runFlipProgram, type WriteAfterFlip } from "../../dev/patroni/flip";
import { PatroniLab } from "../../dev/patroni/lab";
import { patronictlRows } from "../../dev/patroni/member";
import { waitFor } from "../../dev/postgres/pgbackrest";
import type { CommandResult } from "../../tools/process/exec";

let lab: PatroniLab;
let log: WriterLog;
let flip: CommandResult & { writeAfter: WriteAfterFlip };
const COMMITS_BEFORE = 200;
const COMMITS_AFTER = 100;

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "switchover" });
  const { primary, secondary } = lab.members;
  await primary.node.sql("CREATE TABLE acked (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
  const writer = new FollowingWriter([primary.node, secondary.node], "acked");
  writer.start();
  try {
    await waitFor(`${COMMITS_BEFORE} acknowledged commits`, 120_000, async () => writer.acks.length >= COMMITS_BEFORE, 50);
    flip = await flipTo(lab, secondary, { from: primary });
    await waitFor(`${COMMITS_AFTER} commits on ${secondary.name}`, 120_000, async () =>
      writer.acks.filter((ack) => ack.node === secondary.name).length >= COMMITS_AFTER, 100);
  } finally {
    log = await writer.stop();
  }
});

afterAll(async () => {
  await lab?.destroy();
});

describe("a planned switchover under a writer", () => {
  it("loses no acknowledged commit: every id the old primary acknowledged is on the new primary", async () => {
    const { primary, secondary } = lab.members;
    const onOld = log.acks.filter((ack) => ack.node === primary.name);
    expect(onOld.length).toBeGreaterThanOrEqual(COMMITS_BEFORE);
    const present = new Set((await queryOnce(secondary.node, "SELECT id FROM acked")).map((row) => Number(row.id)));
    expect(log.acks.filter((ack) => !present.has(ack.id))).toEqual([]);
  });

  it("moves the writer once: the old primary's acknowledgements all come before the new primary's", () => {
    const { primary, secondary } = lab.members;
    const lastOld = Math.max(...log.acks.filter((ack) => ack.node === primary.name).map((ack) => ack.at));
    const firstNew = Math.min(...log.acks.filter((ack) => ack.node === secondary.name).map((ack) => ack.at));
    expect(lastOld).toBeLessThan(firstNew);
  });

  it("exits 0 only once the candidate takes writes: a write through it on a new connection right after the exit succeeds", ({ annotate }) => {
    expect(flip.writeAfter.txid).toBeGreaterThan(0);
    const inRecovery = flip.stdout.split("\n").filter((line) => line.includes("answers 200 (it holds the leader lock) but its PostgreSQL is not out of recovery")).length;
    return annotate(`write through ${lab.members.secondary.name} answered ${flip.writeAfter.ms.toFixed(0)} ms after the flip exited; GET /primary answered 200 while PostgreSQL was still in recovery ${inRecovery} time(s), 500 ms apart, before the flip exited`);
  });

  it("ends with the candidate as the only primary and the old primary as its replica", async () => {
    const { primary, secondary } = lab.members;
    expect((await secondary.rest("/primary")).status).toBe(200);
    await lab.waitForRole(primary, "replica");
    expect((await primary.rest("/primary")).status).toBe(503);
  });

  it("is the product's flip: it asked Patroni for the switchover and never printed the REST password", () => {
    expect(flip.stdout).toMatch(/POST \/switchover answered 200/);
    expect(flip.stdout).toContain(`${lab.members.secondary.name} is already the leader`);
    expect(`${flip.stdout}${flip.stderr}`).not.toContain(lab.restApi.password);
  });

  it("reads as docs/runbooks/failover-database.md says in patronictl list: the candidate Leader running on the next timeline, the old leader Replica running, tagged nofailover", async () => {
    const { primary, secondary } = lab.members;
    await lab.waitForRole(primary, "replica");
    let rows: Record<string, string>[] = [];
    await waitFor("patronictl list to show the old leader running with its nofailover tag", 60_000, async () => {
      const listed = await lab.checked(secondary.patronictl(["list"]), "patronictl list");
      rows = patronictlRows(listed.stdout);
      return rows.find((row) => row.Member === primary.name)?.Tags === "nofailover: true" && rows.every((row) => row.State === "running");
    }, 1000);
    const byMember = Object.fromEntries(rows.map((row) => [row.Member, row]));
    expect(byMember[secondary.name]).toMatchObject({ Role: "Leader", State: "running", TL: "2", "Lag in MB": "" });
    expect(byMember[primary.name]).toMatchObject({ Role: "Replica", State: "running", TL: "2", Tags: "nofailover: true" });
    expect(Object.keys(byMember).sort()).toEqual([primary.name, secondary.name].sort());
  });

  it("does nothing when run again (a rerun of pulumi up): exit 0, no unsafe call, the candidate still the leader", async () => {
    const { primary, secondary } = lab.members;
    const rerun = await runFlipProgram(lab, secondary);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`${secondary.name} is already the leader (running); nothing to do`);
    expect(rerun.stdout).not.toMatch(/POST \//);
    expect((await secondary.rest("/primary")).status).toBe(200);
    expect((await primary.rest("/primary")).status).toBe(503);
  });

  it("reports the write unavailability", ({ annotate }) => {
    const gap = longestGap(log.acks);
    expect(gap.after?.node).toBe(lab.members.secondary.name);
    return annotate(`write unavailability ${gap.ms.toFixed(0)} ms (last commit on ${gap.before?.node}, next on ${gap.after?.node}); ${log.acks.length} commits acknowledged, ${log.failures} failed statements`);
  });
});
