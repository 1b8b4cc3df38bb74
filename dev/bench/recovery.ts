/**
 * Benchmark (not a timed test): recovering databases of stated sizes with the files
 * DatabaseHost renders, in one run:
 *   - at every size: pgBackRest restore of the daily full backup into a fresh server plus WAL
 *     replay to a named restore point after further writes, until promoted, timed `--rounds`
 *     times; the figures give the restore line (fixed cost + bytes / throughput) that
 *     `npm run readiness` uses for the largest database restorable within the RTO;
 *   - at the smallest size, interleaved with those restores (alternating which goes first): the
 *     runbook's `gunzip | psql` of a `pg_dump | gzip` into a new database on a fresh server, so
 *     the speed-up is a ratio measured in the same run under the same load;
 *   - the RPO loss window after a kill -9 of the primary under a steady write load
 *     (archive_timeout from the rendered settings).
 * Prints every run with the machine's load average; writes docs/measurements.json (or the file
 * `--measurements` names).
 *
 * Run: npm run bench:recovery -- [--sizes 1GB,4GB] [--rounds 3] [--load-seconds 150] [--measurements FILE]
 * (`--size X` is `--sizes X`: one size, no line through two.)
 */
import { rm } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { formatBytes, parseByteSize } from "../../domain/byteSize";
import { fitRestoreModel, largestRestorableBytes, median } from "../../domain/restoreModel";
import type { RestoreSizeMeasurement } from "../../domain/readiness";
import { maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { PG_BIN, PgSandbox, type PgNode } from "../postgres/cluster";
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { benchRecoveryCommand } from "../../tools/cli/commands";
import { runChecked } from "../../tools/process/exec";
import { recordRecovery } from "./measurements";
import { APPLICATION_SCHEMA, DrHost, PRIMARY_REGION } from "../postgres/pgbackrest";
import { measureCrashLoss, restoreNode, type RestorePhases } from "../postgres/restore";

const DATABASE = "crazy_gary";
/**
 * Both timed servers, the restored one and the one `gunzip | psql` loads into, sync what they
 * write as production does (the test harness turns fsync off for speed; dev/postgres/cluster.ts).
 */
const DURABLE = { fsync: "on" } as const;
const MIB = 2 ** 20;
/** Restores and dump reloads may take long on a loaded machine: two hours each at most. */
const LONG_MS = 7_200_000;

interface BenchOptions {
  sizesBytes: number[];
  rounds: number;
  loadSeconds: number;
  /** Where the figures are written; undefined: docs/measurements.json, which `npm run readiness` reads. */
  measurementsFile?: string;
}

/** Parses the flags (benchRecoveryCommand); throws a UsageError naming the flag, the value and what is allowed. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const flags = parseFlags(argv, benchRecoveryCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; bench:recovery takes flags only (npm run -s bench:recovery -- --help)`);
  if (flags.values.sizes && flags.values.size) throw new UsageError("--size: the same as --sizes with one value; give one of them");
  const options: BenchOptions = { sizesBytes: ["1GB", "4GB"].map((s) => parseByteSize(s, "--sizes")), rounds: 3, loadSeconds: 2.5 * maxArchiveTimeoutSeconds };
  const sizesFlag = flags.values.sizes ? "--sizes" : "--size";
  const sizes = (flags.values.sizes ?? flags.values.size)?.[0];
  if (sizes !== undefined) {
    options.sizesBytes = sizes.split(",").map((s) => asUsage(() => parseByteSize(s, sizesFlag, 10 * MIB))).sort((a, b) => a - b);
    if (new Set(options.sizesBytes).size !== options.sizesBytes.length) throw new UsageError(`${sizesFlag} is "${sizes}"; give each size once, e.g. 1GB,4GB`);
  }
  const rounds = flags.values.rounds?.[0];
  if (rounds !== undefined) {
    options.rounds = Number(rounds);
    if (!Number.isInteger(options.rounds) || options.rounds < 1 || options.rounds > 20) throw new UsageError(`--rounds is "${rounds}"; use a whole number from 1 to 20`);
  }
  const loadSeconds = flags.values["load-seconds"]?.[0];
  if (loadSeconds !== undefined) {
    options.loadSeconds = Number(loadSeconds);
    if (!Number.isFinite(options.loadSeconds) || options.loadSeconds < 10) throw new UsageError(`--load-seconds is "${loadSeconds}"; use a number of seconds >= 10`);
  }
  options.measurementsFile = flags.values.measurements?.[0];
  return options;
}

/** parseByteSize's message as a usage error (exit 2, no stack trace). */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const load = () => loadavg()[0];
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
      { database: DATABASE, timeoutMs: LONG_MS },
    );
    tasks += batch;
  }
  await node.sql("VACUUM ANALYZE", { database: DATABASE, timeoutMs: LONG_MS });
  return { users, tasks };
}

async function rowCounts(node: PgNode, database: string): Promise<string> {
  const rows = await node.sql("SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM tasks)", { database, timeoutMs: 600_000 });
  return rows[0]![0]!;
}

/** Runs a shell pipeline as postgres (pipefail), throwing with its stderr on failure. */
async function pipeline(node: PgNode, script: string): Promise<void> {
  await runChecked("bash", ["-c", `set -euo pipefail; ${script}`], { ...node.postgresRun(), timeoutMs: LONG_MS, env: { PATH: `${PG_BIN}:/usr/bin:/bin:/usr/sbin:/sbin` } });
}

/** One database size made ready for timed restores. */
interface PreparedSize {
  label: string;
  primary: PgNode;
  host: DrHost;
  databaseBytes: number;
  /** WAL written after the backup (each restore replays it), in bytes. */
  walBytes: number;
  /** users/tasks at the restore point, which every restore must match. */
  counts: string;
}

/**
 * A primary filled to `sizeBytes` with the host files rendered for it (its own two
 * repositories), a full backup (backup.sh full), then writes after the backup and the named
 * restore point `bench-point` every restore of this size reaches.
 */
async function prepareSize(sandbox: PgSandbox, label: string, sizeBytes: number): Promise<PreparedSize> {
  const repositories = { primary: await sandbox.makeDir(`${label}-bucket-use1`), secondary: await sandbox.makeDir(`${label}-bucket-usw2`) };
  const primary = await sandbox.initPrimary({ name: `${label}-use1`, settings: { max_wal_size: "4GB", shared_buffers: "256MB" } });
  await primary.createDatabase(DATABASE);
  const generated = await timed(() => generate(primary, sizeBytes));
  const databaseBytes = Number(await primary.sqlValue(`SELECT pg_database_size('${DATABASE}')`));
  say(`[${label}] data set: ${formatBytes(databaseBytes)} (users ${generated.value.users} rows, tasks ${generated.value.tasks} rows; asked for ${formatBytes(sizeBytes)}), generated in ${seconds(generated.ms)} s`);

  const host = await DrHost.install(sandbox, { name: `${label}-host`, node: primary, hostRegion: PRIMARY_REGION, repositories });
  await host.runScriptChecked("configure-postgres.sh");
  const backup = await timed(() => host.runScriptChecked("backup.sh", ["full"], LONG_MS));
  const repoBytes = Number((await runChecked("du", ["-sb", join(repositories.primary, "backup")])).stdout.split("\t")[0]);
  say(`[${label}] pgBackRest full backup into both repositories (backup.sh full, the rendered pgbackrest.conf): ${seconds(backup.ms)} s; ${formatBytes(repoBytes)} per repository (load ${load().toFixed(1)})`);

  // Writes after the backup, so a restore must replay WAL; then the point every restore reaches.
  const walBefore = await primary.sqlValue("SELECT pg_current_wal_lsn()");
  await primary.sql(
    `INSERT INTO tasks (user_id, title) SELECT 1 + (g % 50000), 'late task ' || g || ' ' || repeat(md5(g::text), 4)
     FROM generate_series(1, ${Math.max(10_000, Math.round(generated.value.tasks * 0.05))}) AS g;
     UPDATE users SET email = 'changed-' || email WHERE id % 10 = 0;`,
    { database: DATABASE, timeoutMs: LONG_MS },
  );
  await primary.sql("SELECT pg_create_restore_point('bench-point')");
  const walBytes = Number(await primary.sqlValue(`SELECT pg_current_wal_lsn() - '${walBefore}'::pg_lsn`));
  await host.pgbackrestChecked(["check"], LONG_MS);
  return { label, primary, host, databaseBytes, walBytes, counts: await rowCounts(primary, DATABASE) };
}

/** (b) pgBackRest restore + WAL replay to `bench-point` until promoted, from repo1; checks the rows; deletes the copy. */
async function timeRestore(sandbox: PgSandbox, size: PreparedSize, name: string): Promise<{ ms: number; phases: Partial<RestorePhases> }> {
  const phases: Partial<RestorePhases> = {};
  const restore = await timed(() =>
    restoreNode(sandbox, size.host, name, ["--repo=1", "--type=name", "--target=bench-point", "--target-action=promote"], { timeoutMs: LONG_MS, phases, settings: DURABLE }),
  );
  const counts = await rowCounts(restore.value, DATABASE);
  await restore.value.stop();
  await rm(restore.value.dataDir, { recursive: true, force: true });
  if (counts !== size.counts) throw new Error(`[${size.label}] pgBackRest restore has users/tasks ${counts}, the source had ${size.counts} at the restore point`);
  return { ms: restore.ms, phases };
}

/** (a) the runbook: `gunzip | psql` of the dump into a new database on `target`; checks the rows; drops it. */
async function timeDumpReload(target: PgNode, dumpFile: string, size: PreparedSize): Promise<number> {
  const database = "crazy_gary_restored";
  await target.sql(`DROP DATABASE IF EXISTS ${database}`);
  await target.createDatabase(database);
  const reload = await timed(() =>
    pipeline(target, `gunzip -c '${dumpFile}' | psql -X -q -v ON_ERROR_STOP=1 -h '${target.socketDir}' -p ${target.port} -U postgres -d ${database} >/dev/null`),
  );
  const counts = await rowCounts(target, database);
  await target.sql(`DROP DATABASE ${database}`);
  if (counts !== size.counts) throw new Error(`[${size.label}] gunzip | psql has users/tasks ${counts}, the source had ${size.counts}`);
  return reload.ms;
}

async function main(options: BenchOptions): Promise<void> {
  const sandbox = await PgSandbox.create("bench-recovery");
  try {
    const pgVersion = (await runChecked(join(PG_BIN, "postgres"), ["--version"])).stdout.trim();
    const pgbackrestVersion = (await runChecked("pgbackrest", ["version"])).stdout.trim();
    say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM; ${pgVersion}; ${pgbackrestVersion}; sandbox ${sandbox.root}`);
    const sizes: RestoreSizeMeasurement[] = [];
    let walPushMs = 0;
    let loss: Awaited<ReturnType<typeof measureCrashLoss>> | undefined;

    for (const [index, sizeBytes] of options.sizesBytes.entries()) {
      const size = await prepareSize(sandbox, `s${index + 1}`, sizeBytes);
      const runs: number[] = [];
      const loads: number[] = [];
      const baseline: number[] = [];
      let dump: { target: PgNode; file: string } | undefined;
      if (index === 0) {
        // The runbook's dump exists before the incident; only its reload counts as restore time.
        const file = join(sandbox.root, "crazy_gary.sql.gz");
        const made = await timed(() => pipeline(size.primary, `pg_dump -h '${size.primary.socketDir}' -p ${size.primary.port} -U postgres ${DATABASE} | gzip > '${file}'`));
        say(`[${size.label}] runbook dump (pg_dump | gzip, not counted): ${seconds(made.ms)} s`);
        dump = { target: await sandbox.initPrimary({ name: "dump-target", settings: { max_wal_size: "4GB", shared_buffers: "256MB", ...DURABLE } }), file };
        // The runbook reloads into the running server, which has the cluster's roles (the dump grants to them).
        await pipeline(size.primary, `pg_dumpall --roles-only --no-role-passwords -h '${size.primary.socketDir}' -p ${size.primary.port} -U postgres | grep -v '^CREATE ROLE postgres;' | psql -X -q -v ON_ERROR_STOP=1 -h '${dump.target.socketDir}' -p ${dump.target.port} -U postgres -d postgres >/dev/null`);
      }
      for (let round = 1; round <= options.rounds; round++) {
        const restoreRun = async () => {
          const { ms, phases } = await timeRestore(sandbox, size, `${size.label}-r${round}`);
          runs.push(Math.round(ms) / 1000);
          loads.push(load());
          const phaseText = `restore ${seconds(phases.restoreMs ?? 0)} s, start ${seconds(phases.startMs ?? 0)} s, replay + promotion ${seconds(phases.recoveryMs ?? 0)} s`;
          say(`[${size.label}] round ${round}: (b) pgBackRest restore + replay of ${(size.walBytes / MIB).toFixed(0)} MiB WAL, until promoted: ${seconds(ms)} s (${phaseText}; load ${load().toFixed(1)})`);
        };
        const baselineRun = async () => {
          const ms = await timeDumpReload(dump!.target, dump!.file, size);
          baseline.push(Math.round(ms) / 1000);
          say(`[${size.label}] round ${round}: (a) runbook gunzip | psql into a new database: ${seconds(ms)} s (load ${load().toFixed(1)})`);
        };
        // Alternate which goes first, so a load that rises or falls during the run hits both alike.
        const order = !dump ? [restoreRun] : round % 2 === 1 ? [baselineRun, restoreRun] : [restoreRun, baselineRun];
        for (const run of order) await run();
      }
      sizes.push({ databaseBytes: size.databaseBytes, seconds: median(runs), walBytes: size.walBytes, runsSeconds: runs, loadAverages: loads, ...(dump ? { baselineRunsSeconds: baseline } : {}) });
      say(`[${size.label}] median restore of ${formatBytes(size.databaseBytes)}: ${median(runs).toFixed(1)} s (${(size.databaseBytes / MIB / median(runs)).toFixed(0)} MiB/s overall)`);
      if (dump) {
        const perRound = baseline.map((a, i) => (a / runs[i]!).toFixed(1)).join(", ");
        say(`[${size.label}] ratio (a) gunzip | psql / (b) pgBackRest, medians: ${(median(baseline) / median(runs)).toFixed(1)}x (${median(baseline).toFixed(1)} s / ${median(runs).toFixed(1)} s; per round ${perRound})`);
        await dump.target.stop();
        walPushMs = (await timed(() => size.host.pgbackrestChecked(["check"]))).ms;
        say(`[${size.label}] WAL push (pgbackrest check: switch a segment, wait until it is in both repositories): ${seconds(walPushMs)} s`);
        loss = await measureCrashLoss(sandbox, size.host, { loadSeconds: options.loadSeconds, restoredName: `${size.label}-crash` });
        say(
          `RPO loss window after kill -9 under a steady write load (${loss.loadSeconds} s at ~20 commits/s, archive_timeout ${maxArchiveTimeoutSeconds} s, ` +
            `restored from repo2): ${loss.lossWindowSeconds.toFixed(1)} s (${loss.committedRows - loss.restoredRows} of ${loss.committedRows} commits lost; ` +
            `database RPO ${recoveryObjectives.database.rpoMinutes! * 60} s)`,
        );
      }
      await size.primary.stop();
    }

    const model = fitRestoreModel(sizes);
    const rto = recoveryObjectives.database.rtoMinutes * 60;
    say(
      `restore line (${model.fit === "line" ? "through the smallest and largest size" : "one size or no slope: slowest throughput, no fixed part"}): ` +
        `${model.fixedSeconds.toFixed(1)} s fixed + size / ${(model.bytesPerSecond / MIB).toFixed(0)} MiB/s; ` +
        `largest database within the ${recoveryObjectives.database.rtoMinutes} min RTO: ${formatBytes(largestRestorableBytes(model, rto))}`,
    );
    recordRecovery(
      { sizes, walPushMs, lossWindowSeconds: loss!.lossWindowSeconds, lossDetail: `newest commit lost after kill -9 of the primary under ${loss!.loadSeconds} s of ~20 commits/s, archive_timeout ${maxArchiveTimeoutSeconds} s` },
      options.measurementsFile,
    );
  } finally {
    await sandbox.destroy();
  }
}

if (require.main === module) {
  runCli(
    async () => {
      await main(parseArgs(process.argv.slice(2)));
      return Number(process.exitCode ?? 0);
    },
    () => false,
    benchRecoveryCommand,
  );
}
