/**
 * A region's S3 outage on a real primary: the active host's rendered files with both
 * repositories on S3 (one s3rver per region, see ./s3rver.ts), and what to read while one is
 * down: the queue PostgreSQL keeps in `pg_wal`, the segments each repository holds, and the
 * segments pgBackRest dropped. Used by test/postgres/walRegionOutage.test.ts and
 * `npm run bench:wal-outage`.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { WAL_SEGMENT_MIB } from "../../domain/walArchive";
import type { PgNode } from "./pgNode";
import { PgSandbox } from "./sandbox";
import { createRepositories, DrHost, type DrHostOptions, PRIMARY_REGION, SECONDARY_REGION } from "./drHost";
import { processesMentioning } from "./processes";
import { waitFor } from "./waitFor";
import { S3Region, selfSignedCertificate } from "./s3rver";

export const MIB = 1024 * 1024;
const SEGMENT = /^[0-9A-F]{24}$/;

/** Bucket names of the two regions (as in prod: one per region). */
export const BUCKETS = Object.freeze({ primary: "crazy-gary-prod-wal-use1", secondary: "crazy-gary-prod-wal-usw2" });

/** The world of one outage test: two regions' S3, and the active primary in us-west-2 (after a flip). */
export interface OutageWorld {
  sandbox: PgSandbox;
  /** us-east-1's S3: repo1, the region that goes down. */
  east: S3Region;
  /** us-west-2's S3: repo2, the surviving region (the active host's own). */
  west: S3Region;
  primary: PgNode;
  host: DrHost;
}

/** The active host's settings that shape an outage (see {@link DrHostOptions}). */
export type OutageHostSettings = Required<Pick<DrHostOptions, "archivePushQueueMaxMiB">> & Pick<DrHostOptions, "archivePushIoTimeoutSeconds">;

/**
 * Starts both regions' S3, points pgBackRest at them through `PGBACKREST_*` variables in this
 * process's environment (every child inherits them: the server's archive_command, the scripts,
 * pgbackrest), and installs the active host in us-west-2 with `settings`.
 */
export async function startOutageWorld(label: string, settings: OutageHostSettings): Promise<OutageWorld> {
  const sandbox = await PgSandbox.create(label);
  const tls = await selfSignedCertificate(await sandbox.makeDir("tls"));
  const east = await S3Region.start(PRIMARY_REGION, BUCKETS.primary, await sandbox.makeDir("s3-use1"), tls);
  const west = await S3Region.start(SECONDARY_REGION, BUCKETS.secondary, await sandbox.makeDir("s3-usw2"), tls);
  Object.assign(process.env, east.pgbackrestEnv(1), west.pgbackrestEnv(2));
  const primary = await sandbox.initPrimary({ name: "usw2" });
  await primary.createDatabase("crazy_gary");
  await primary.sql("CREATE TABLE wal_load (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(), pad text)", { database: "crazy_gary" });
  const host = await DrHost.install(sandbox, {
    name: "host-usw2",
    node: primary,
    hostRegion: SECONDARY_REGION,
   
    repositories: await createRepositories(sandbox),
    s3Buckets: BUCKETS,
    ...settings,
  });
  return { sandbox, east, west, primary, host };
}

/**
 * Stops PostgreSQL, waits for pgBackRest's async archive-push (which outlives its parent and
 * would write into the removed folder) to finish, then both servers (by pid) and the sandbox.
 */
export async function stopOutageWorld(world: Partial<OutageWorld>): Promise<void> {
  if (world.primary && world.host) {
    await world.primary.stop();
    const root = world.host.root;
    await waitFor("pgBackRest processes of the host to end", 300_000, async () => (await processesMentioning(root)).length === 0);
  }
  await world.east?.stop();
  await world.west?.stop();
  await world.sandbox?.destroy();
}

/** Writes a little and switches to a new segment; returns the name of the segment just completed. */
export async function writeAndSwitch(primary: PgNode): Promise<string> {
  await primary.sql("INSERT INTO wal_load (pad) SELECT repeat('x', 100) FROM generate_series(1, 100)", { database: "crazy_gary" });
  return (await primary.sqlValue("SELECT pg_walfile_name(pg_switch_wal())"))!;
}

/** The queue PostgreSQL keeps for the archiver, and the size of `pg_wal`. */
export interface WalQueue {
  /** Segments waiting to be archived (`.ready`), oldest first. */
  ready: string[];
  /** Bytes of the waiting segments. */
  readyBytes: number;
  /** Bytes of every segment file in pg_wal (waiting, recycled and current). */
  pgWalBytes: number;
}

export async function walQueue(primary: PgNode): Promise<WalQueue> {
  const dir = join(primary.dataDir, "pg_wal");
  const ready = (await readdir(join(dir, "archive_status"))).filter((n) => n.endsWith(".ready")).map((n) => n.slice(0, -6)).filter((n) => SEGMENT.test(n)).sort();
  const segments = (await readdir(dir)).filter((n) => SEGMENT.test(n));
  const sizes = await Promise.all(segments.map(async (n) => (await stat(join(dir, n))).size));
  return { ready, readyBytes: ready.length * WAL_SEGMENT_MIB * MIB, pgWalBytes: sizes.reduce((a, b) => a + b, 0) };
}

/** The WAL segments repository `repo` holds for the stanza's first archive id (15-1), sorted. */
export async function repositorySegments(host: DrHost, repo: 1 | 2): Promise<string[]> {
  const listing = JSON.parse(await host.pgbackrestChecked([`--repo=${repo}`, "--output=json", "--recurse", "repo-ls", "archive/crazy-gary/15-1"])) as Record<string, { type: string }>;
  return Object.entries(listing)
    .filter(([, entry]) => entry.type === "file")
    .map(([path]) => path.split("/").pop()!.slice(0, 24))
    .filter((name) => SEGMENT.test(name))
    .sort();
}

/** Segments pgBackRest reported dropped ("dropped WAL file '...' because archive queue exceeded ..."), from its async log. */
export async function droppedSegments(host: DrHost): Promise<string[]> {
  const log = await readFile(join(host.params.paths!.logPath!, "crazy-gary-archive-push-async.log"), "utf8").catch(() => "");
  return [...log.matchAll(/dropped WAL file '([0-9A-F]{24})' because archive queue exceeded/g)].map((m) => m[1]!);
}

/** Waits until repository `repo` holds `segment`. */
export async function waitForSegment(host: DrHost, repo: 1 | 2, segment: string, timeoutMs: number): Promise<void> {
  await waitFor(`${segment} in repo${repo}`, timeoutMs, async () => (await repositorySegments(host, repo)).includes(segment));
}
