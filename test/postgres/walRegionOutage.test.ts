/**
 * A region's S3 outage on a real PostgreSQL 15 + pgBackRest 2.45, through pgBackRest's real S3
 * code: two s3rver servers over TLS on loopback, one per region (us-east-1 = repo1, us-west-2 =
 * repo2), the active primary in us-west-2 (the new primary after a flip) with the very files
 * DatabaseHost renders (S3 repositories; only endpoint, port, TLS check and key come from
 * PGBACKREST_* variables). us-east-1's server is stopped while the primary keeps writing and
 * switching WAL. Every wait is on a condition.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPgbackrestConf } from "../../components/databaseHost/render";
import { alarmCatalog } from "../../domain/alarmCatalog";
import type { AlarmDefinition } from "../../domain/alarmTypes";
import { parseStackConfig } from "../../infra/parseConfig";
import { maxArchiveTimeoutSeconds } from "../../domain/runbook";
import { loadStackConfig } from "../../tools/offline/stackFiles";
import { writeOwnedFile } from "../../dev/postgres/cluster";
import { decodeMetricCall, PRIMARY_REGION, SECONDARY_REGION, waitFor } from "../../dev/postgres/pgbackrest";
import { restoreNode } from "../../dev/postgres/restore";
import {
  droppedSegments,
  MIB,
  repositorySegments,
  startOutageWorld,
  stopOutageWorld,
  waitForSegment,
  walQueue,
  writeAndSwitch,
  type OutageWorld,
} from "../../dev/postgres/walOutage";

/**
 * The bound while us-east-1 is first down (short outage: nothing may be dropped) and the small
 * one the longer outage reaches within a few async runs (two 16 MiB segments), each rendered by render.ts.
 */
const SHORT_OUTAGE_QUEUE_MAX_MIB = 1024;
const QUEUE_MAX_MIB = 32;
/**
 * archive-push's io-timeout: each async run spends about 8 x this on the dead region before it
 * ends and the next run starts (44 s at the stack's 5 s, domain/walArchive.ts), so the outage
 * plays out in a few seconds per segment. Loopback S3 answers in milliseconds; 2 s leaves room
 * for a loaded machine.
 */
const IO_TIMEOUT_SECONDS = 2;
/** How long one segment may take to reach the surviving region while the other is down. */
const PUSH_DEADLINE_MS = 300_000;

let world: OutageWorld;

beforeAll(async () => {
  world = await startOutageWorld("wal-outage", { archivePushQueueMaxMiB: SHORT_OUTAGE_QUEUE_MAX_MIB, archivePushIoTimeoutSeconds: IO_TIMEOUT_SECONDS });
  const first = await world.host.runScriptChecked("configure-postgres.sh");
  expect(first.stdout).toContain("WAL reaches every repository");
  // Remembers each repository's newest segment, as the timer does every 5 minutes.
  await world.host.runScriptChecked("monitor.sh");
}, 300_000);
afterAll(() => stopOutageWorld(world ?? {}));

/** The per-repository WAL ages monitor.sh published (region of the repository -> seconds), and where to. */
async function publishedRepositoryAges(): Promise<{ cloudWatchRegion: string; ages: Record<string, number> }> {
  await world.host.aws.clear();
  await world.host.runScriptChecked("monitor.sh");
  const calls = (await world.host.aws.calls()).map(decodeMetricCall).filter((c) => c.data.some((d) => d.MetricName === "RepositoryWalAgeSeconds"));
  expect(calls).toHaveLength(1);
  const ages = Object.fromEntries(calls[0]!.data.map((d) => [d.Dimensions.find((x) => x.Name === "Region")!.Value, d.Value]));
  return { cloudWatchRegion: calls[0]!.region, ages };
}

/** CloudWatch's verdict on one datum for a GreaterThanThreshold alarm. */
const breaches = (alarm: AlarmDefinition, value: number) => {
  expect(alarm.comparison).toBe("GreaterThanThreshold");
  return value > alarm.threshold!;
};

const prodConfig = parseStackConfig(loadStackConfig("prod"));
/** The catalog's alarm for a repository, with the RPO tightened to `rpoMinutes` (config may tighten it). */
const repositoryAlarm = (rpoMinutes: number, repository: "primary" | "secondary") =>
  alarmCatalog({ ...prodConfig, recovery: { ...prodConfig.recovery, databaseRpoMinutes: rpoMinutes } }).find((a) => a.id === `repository-wal-age-${repository}`)!;

describe("us-east-1's S3 goes down; the primary in us-west-2 keeps writing", () => {
  let outageStarted = 0;
  let outageSegments: string[] = [];

  it("keeps archiving to us-west-2: every new segment reaches repo2 while repo1 refuses connections", async () => {
    await world.east.stop();
    outageStarted = Date.now();
    for (let i = 0; i < 2; i++) {
      const segment = await writeAndSwitch(world.primary);
      await waitForSegment(world.host, 2, segment, PUSH_DEADLINE_MS);
      outageSegments.push(segment);
    }
    expect((await world.host.pgbackrest(["--repo=1", "--io-timeout=2", "repo-ls"])).code).not.toBe(0);
    // PostgreSQL holds them: archive-push fails as a whole while any repository fails.
    const queue = await walQueue(world.primary);
    expect(queue.ready).toEqual(expect.arrayContaining(outageSegments));
    expect(Number(await world.primary.sqlValue("SELECT failed_count FROM pg_stat_archiver"))).toBeGreaterThan(0);
  }, 900_000);

  it("configure-postgres.sh succeeds against the surviving repository and names the one left out", async () => {
    const result = await world.host.runScriptChecked("configure-postgres.sh");
    expect(result.stdout).toContain(`WARNING: repo1 (${PRIMARY_REGION}) does not answer`);
    expect(result.stdout).toContain("stanza crazy-gary ready and checked: WAL reaches repo(s) 2; NOT repo(s) 1, which do not answer");
  }, 900_000);

  it("publishes us-east-1's WAL age growing from the last segment seen there, and us-west-2's fresh, to CloudWatch in us-west-2", async () => {
    const outageSeconds = (Date.now() - outageStarted) / 1000;
    const first = await publishedRepositoryAges();
    expect(first.cloudWatchRegion).toBe(SECONDARY_REGION);
    expect(first.ages[PRIMARY_REGION]).toBeGreaterThanOrEqual(Math.floor(outageSeconds) - 1);
    // The newest segment reached us-west-2 within archive_timeout plus one async run.
    expect(first.ages[SECONDARY_REGION]).toBeLessThan(outageSeconds);
    const second = await publishedRepositoryAges();
    expect(second.ages[PRIMARY_REGION]).toBeGreaterThan(first.ages[PRIMARY_REGION]!);
  }, 900_000);

  it("fires the us-east-1 repository alarm (in us-west-2, P1, at the RPO) and not us-west-2's", async () => {
    const prod = repositoryAlarm(5, "primary");
    expect({ threshold: prod.threshold, severity: prod.severity, repository: prod.repository, period: prod.periodSeconds }).toEqual({
      threshold: 300, severity: { kind: "fixed", severity: "P1" }, repository: "primary", period: 300,
    });
    // The outage has lasted more than a minute: with the RPO tightened to 1 min the alarm's verdict on the real data.
    await waitFor("the outage to outlast a 1-minute RPO", 120_000, async () => Date.now() - outageStarted > 61_000);
    const { ages } = await publishedRepositoryAges();
    expect(breaches(repositoryAlarm(1, "primary"), ages[PRIMARY_REGION]!)).toBe(true);
    expect(breaches(repositoryAlarm(1, "secondary"), ages[SECONDARY_REGION]!)).toBe(ages[SECONDARY_REGION]! > 60);
    expect(ages[SECONDARY_REGION]!).toBeLessThan(ages[PRIMARY_REGION]!);
  }, 900_000);

  it("when us-east-1 comes back before the bound, its repository catches up by itself: the queue drains into repo1", async () => {
    const queued = (await walQueue(world.primary)).ready;
    await world.east.start();
    const segment = await writeAndSwitch(world.primary);
    await waitFor("the queue to drain", PUSH_DEADLINE_MS, async () => (await walQueue(world.primary)).ready.length === 0);
    expect(await droppedSegments(world.host)).toEqual([]);
    const repo1 = await repositorySegments(world.host, 1);
    expect(repo1).toEqual(expect.arrayContaining([...outageSegments, ...queued, segment]));
    expect(repo1).toEqual(await repositorySegments(world.host, 2));
  }, 900_000);
});

describe("a longer outage: the queue reaches archive-push-queue-max", () => {
  let peakReadyBytes = 0;
  let dropped: string[] = [];
  const pushed: string[] = [];

  it(`keeps pg_wal's queue within the bound (${QUEUE_MAX_MIB} MiB + one async run's segments): pgBackRest drops the queue and PostgreSQL recycles it`, async () => {
    // pgBackRest reads its config at every archive-push: the smaller bound applies from the next segment.
    await writeOwnedFile(world.host.configFile, renderPgbackrestConf({ ...world.host.params, archivePushQueueMaxMiB: QUEUE_MAX_MIB }), 0o640);
    await world.east.stop();
    await waitFor("pgBackRest to drop the queue", 1_500_000, async () => {
      const segment = await writeAndSwitch(world.primary);
      // At most one segment per async run, as a real ~1/min rate would: the queue check runs at a run's start.
      await waitFor(`${segment} to be pushed or dropped`, PUSH_DEADLINE_MS, async () =>
        (await repositorySegments(world.host, 2)).includes(segment) || (await droppedSegments(world.host)).includes(segment));
      pushed.push(segment);
      peakReadyBytes = Math.max(peakReadyBytes, (await walQueue(world.primary)).readyBytes);
      dropped = await droppedSegments(world.host);
      return dropped.length > 0;
    });
    // The queue is checked when an async run starts: it may pass the bound by what arrives during
    // one run (ours and at most one archive_timeout switch), never more.
    expect(peakReadyBytes).toBeLessThanOrEqual((QUEUE_MAX_MIB + 2 * 16) * MIB);
    await waitFor("PostgreSQL to recycle the dropped queue", PUSH_DEADLINE_MS, async () => (await walQueue(world.primary)).ready.length <= 1);
  }, 1_800_000);

  it("the dropped segments that had not reached us-west-2 yet are a gap in its archive too (pgBackRest drops for every repository)", async () => {
    const repo2 = await repositorySegments(world.host, 2);
    // The run that finds the queue over the bound drops it before pushing: at least the segment
    // that made it overflow never reached any repository.
    const gap = dropped.filter((s) => !repo2.includes(s));
    expect(gap.length).toBeGreaterThan(0);
    expect(pushed.filter((s) => !repo2.includes(s)).every((s) => dropped.includes(s))).toBe(true);
  }, 300_000);

  it("re-seeding (backup.sh full once us-east-1 is back) gives both regions a full backup past the gap, and repo1 restores it", async () => {
    await world.east.start();
    const repo1 = await repositorySegments(world.host, 1);
    for (const segment of dropped) expect(repo1).not.toContain(segment);
    const rows = Number(await world.primary.sqlValue("SELECT count(*) FROM wal_load", { database: "crazy_gary" }));
    await world.host.runScriptChecked("backup.sh", ["full"]);
    const lastDropped = [...dropped].sort().pop()!;
    for (const repo of [1, 2] as const) {
      const newest = (await world.host.info(repo)).backup.filter((b) => b.type === "full").pop()!;
      expect(newest.archive.start > lastDropped).toBe(true);
    }
    const segment = await writeAndSwitch(world.primary);
    await waitForSegment(world.host, 1, segment, PUSH_DEADLINE_MS);
    await waitForSegment(world.host, 2, segment, PUSH_DEADLINE_MS);
    const restored = await restoreNode(world.sandbox, world.host, "restored-use1", ["--repo=1", "--type=immediate", "--target-action=promote"]);
    expect(Number(await restored.sqlValue("SELECT count(*) FROM wal_load", { database: "crazy_gary" }))).toBe(rows);
    await restored.stop();
  }, 900_000);
});

it("archive_timeout is the rendered one (a segment at least every minute)", async () => {
  expect(await world.primary.sqlValue("SELECT setting FROM pg_settings WHERE name = 'archive_timeout'")).toBe(String(maxArchiveTimeoutSeconds));
});
