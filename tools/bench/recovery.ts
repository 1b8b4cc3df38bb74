/**
 * Benchmark (not a timed test): recovering a database of a stated size
 *   (a) the runbook's way: `pg_dump | gzip`, then `gunzip | psql` into a new database on a
 *       fresh server, against
 *   (b) pgBackRest, with the files DatabaseHost renders: restore of the daily full backup
 *       into a fresh server plus WAL replay to the same point (a named restore point after
 *       further writes), until it is promoted;
 * prints both, their ratio, and the measured RPO loss window after a kill -9 of the primary
 * under a steady write load (archive_timeout from the rendered settings).
 *
 * Run: npm run bench:recovery -- [--size 1GB] [--load-seconds 150]
 */
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { PG_BIN, PgSandbox, type PgNode } from "../postgres/cluster";
import { runChecked } from "../postgres/exec";
import { recordRecovery } from "./measurements";
import { APPLICATION_SCHEMA, createRepositories, DrHost, measureCrashLoss, PRIMARY_REGION, restoreNode } from "../postgres/pgbackrest";

const DATABASE = "crazy_gary";
const UNITS: Readonly<Record<string, number>> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Parses "1GB", "200MB", "512mb" into bytes; throws naming the flag otherwise. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)$/i.exec(text.trim());
  if (!match) throw new Error(`--size is "${text}"; use a number with KB, MB or GB, e.g. 1GB or 200MB`);
  const bytes = Number(match[1]) * UNITS[match[2]!.toUpperCase()]!;
  if (bytes < 10 * UNITS.MB!) throw new Error(`--size is "${text}"; use at least 10MB`);
  return bytes;
}

interface BenchOptions {
  sizeBytes: number;
  loadSeconds: number;
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { sizeBytes: parseSize("1GB"), loadSeconds: 2.5 * maxArchiveTimeoutSeconds };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--size" && value !== undefined) {
      options.sizeBytes = parseSize(value);
      i++;
    } else if (flag === "--load-seconds" && value !== undefined) {
      options.loadSeconds = Number(value);
      if (!Number.isFinite(options.loadSeconds) || options.loadSeconds < 10) {
        throw new Error(`--load-seconds is "${value}"; use a number of seconds >= 10`);
      }
      i++;
    } else {
      throw new Error(`unknown argument "${flag}"; allowed: --size <1GB|200MB|...>, --load-seconds <seconds>`);
    }
  }
  return options;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const megabytes = (bytes: number) => (bytes / UNITS.MB!).toFixed(0);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Fills users and tasks until the database reaches `sizeBytes`; returns the row counts. */
async function generate(node: PgNode, sizeBytes: number): Promise<{ users: number; tasks: number }> {
  const users = 50_000;
  const batch = 500_000;
  await node.sql(APPLICATION_SCHEMA, { database: DATABASE });
  await node.sql(`INSERT INTO users (email) SELECT 'user-' || g || '@example.com' FROM generate_series(1, ${users}) AS g`, { database: DATABASE });
  let tasks = 0;
  while (Number(await node.sqlValue(`SELECT pg_database_size('${DATABASE}')`)) < sizeBytes) {
    await node.sql(
      `INSERT INTO tasks (user_id, title)
       SELECT 1 + (g % ${users}), 'task ' || g || ' ' || repeat(md5(g::text), 4) FROM generate_series(${tasks + 1}, ${tasks + batch}) AS g`,
      { database: DATABASE, timeoutMs: 1_800_000 },
    );
    tasks += batch;
  }
  await node.sql("VACUUM ANALYZE", { database: DATABASE, timeoutMs: 1_800_000 });
  return { users, tasks };
}

async function rowCounts(node: PgNode, database: string): Promise<string> {
  const rows = await node.sql("SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM tasks)", { database, timeoutMs: 600_000 });
  return rows[0]![0]!;
}

/** Runs a shell pipeline as postgres (pipefail), throwing with its stderr on failure. */
async function pipeline(node: PgNode, script: string): Promise<void> {
  await runChecked("bash", ["-c", `set -euo pipefail; ${script}`], { ...node.postgresRun(), timeoutMs: 7_200_000, env: { PATH: `${PG_BIN}:/usr/bin:/bin:/usr/sbin:/sbin` } });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sandbox = await PgSandbox.create("bench-recovery");
  try {
    const pgVersion = (await runChecked(join(PG_BIN, "postgres"), ["--version"])).stdout.trim();
    const pgbackrestVersion = (await runChecked("pgbackrest", ["version"])).stdout.trim();
    say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / UNITS.GB!).toFixed(0)} GB RAM; ${pgVersion}; ${pgbackrestVersion}`);

    const repositories = await createRepositories(sandbox);
    const primary = await sandbox.initPrimary({ name: "use1", settings: { max_wal_size: "4GB", shared_buffers: "256MB" } });
    await primary.createDatabase(DATABASE);
    const generated = await timed(() => generate(primary, options.sizeBytes));
    const databaseBytes = Number(await primary.sqlValue(`SELECT pg_database_size('${DATABASE}')`));
    say(`data set: ${megabytes(databaseBytes)} MB database (users ${generated.value.users} rows, tasks ${generated.value.tasks} rows; asked for ${megabytes(options.sizeBytes)} MB), generated in ${seconds(generated.ms)} s`);

    const host = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, side: "active", repositories });
    await host.runScriptChecked("configure-postgres.sh");
    const backup = await timed(() => host.runScriptChecked("backup.sh", ["full"], 7_200_000));
    say(`pgBackRest full backup into both repositories (backup.sh full, zst, process-max 2): ${seconds(backup.ms)} s`);

    // Writes after the backup, so (b) must replay WAL; then the point both methods reach.
    const walBefore = await primary.sqlValue("SELECT pg_current_wal_lsn()");
    await primary.sql(
      `INSERT INTO tasks (user_id, title) SELECT 1 + (g % 50000), 'late task ' || g || ' ' || repeat(md5(g::text), 4)
       FROM generate_series(1, ${Math.max(10_000, Math.round(generated.value.tasks * 0.05))}) AS g;
       UPDATE users SET email = 'changed-' || email WHERE id % 10 = 0;`,
      { database: DATABASE, timeoutMs: 1_800_000 },
    );
    await primary.sql("SELECT pg_create_restore_point('bench-point')");
    const walBytes = Number(await primary.sqlValue(`SELECT pg_current_wal_lsn() - '${walBefore}'::pg_lsn`));
    const walPush = await timed(() => host.pgbackrestChecked(["check"]));
    const sourceCounts = await rowCounts(primary, DATABASE);

    // (a) the runbook: pg_dump | gzip, then gunzip | psql into a new database on a fresh server.
    const dumpFile = join(sandbox.root, "crazy_gary.sql.gz");
    const dump = await timed(() => pipeline(primary, `pg_dump -h '${primary.socketDir}' -p ${primary.port} -U postgres ${DATABASE} | gzip > '${dumpFile}'`));
    const dumpTarget = await sandbox.initPrimary({ name: "dump-target", settings: { max_wal_size: "4GB", shared_buffers: "256MB" } });
    await dumpTarget.createDatabase("crazy_gary_restored");
    const load = await timed(() =>
      pipeline(dumpTarget, `gunzip -c '${dumpFile}' | psql -X -q -v ON_ERROR_STOP=1 -h '${dumpTarget.socketDir}' -p ${dumpTarget.port} -U postgres -d crazy_gary_restored >/dev/null`),
    );
    const dumpCounts = await rowCounts(dumpTarget, "crazy_gary_restored");
    await dumpTarget.stop();

    // (b) pgBackRest: restore the full backup and replay WAL to the same point, until promoted.
    const restore = await timed(() =>
      restoreNode(sandbox, host, "pgbr-target", ["--repo=1", "--type=name", "--target=bench-point", "--target-action=promote"], { timeoutMs: 7_200_000 }),
    );
    const restoreCounts = await rowCounts(restore.value, DATABASE);
    await restore.value.stop();
    if (dumpCounts !== sourceCounts || restoreCounts !== sourceCounts) {
      throw new Error(`row counts users/tasks differ: source ${sourceCounts}, dump restore ${dumpCounts}, pgBackRest restore ${restoreCounts}`);
    }

    say(`(a) runbook: pg_dump | gzip ${seconds(dump.ms)} s, then gunzip | psql into a new database ${seconds(load.ms)} s (restore path; ${seconds(dump.ms + load.ms)} s with the dump)`);
    say(`(b) pgBackRest restore + WAL replay to the same point (${megabytes(walBytes)} MB of WAL after the backup), until promoted: ${seconds(restore.ms)} s`);
    say(`WAL push (pgbackrest check: switch a segment, wait until it is in both repositories): ${seconds(walPush.ms)} s`);
    say(`ratio (a) restore / (b) restore: ${(load.ms / restore.ms).toFixed(1)}x; both restored users/tasks = ${sourceCounts}`);

    const loss = await measureCrashLoss(sandbox, host, { loadSeconds: options.loadSeconds, restoredName: "crash-target" });
    say(
      `RPO loss window after kill -9 under a steady write load (${loss.loadSeconds} s at ~20 commits/s, archive_timeout ${maxArchiveTimeoutSeconds} s, ` +
        `restored from repo2): ${loss.lossWindowSeconds.toFixed(1)} s (${loss.committedRows - loss.restoredRows} of ${loss.committedRows} commits lost; ` +
        `database RPO ${recoveryObjectives.database.rpoMinutes! * 60} s)`,
    );
    recordRecovery({
      restoreMs: restore.ms, databaseBytes, walBytes, walPushMs: walPush.ms, lossWindowSeconds: loss.lossWindowSeconds,
      lossDetail: `newest commit lost after kill -9 of the primary under ${loss.loadSeconds} s of ~20 commits/s, archive_timeout ${maxArchiveTimeoutSeconds} s`,
    });
  } finally {
    await sandbox.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
