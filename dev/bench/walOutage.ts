/**
 * Benchmark (not a timed test): `pg_wal` during a region's S3 outage. Real PostgreSQL 15 +
 * pgBackRest 2.45 with the files DatabaseHost renders (prod's `archive-push-queue-max`), both
 * repositories on S3 (one s3rver over TLS per region), the active primary in us-west-2.
 * us-east-1's S3 is stopped while the primary writes and completes `--rate` segments a minute;
 * every 30 s it prints the queue PostgreSQL keeps, the size of pg_wal, and how far the surviving
 * region's repository is behind; then us-east-1 comes back and it prints how long the queue
 * takes to drain into it.
 *
 * Run: npm run bench:wal-outage -- [--minutes 5] [--rate 2]
 */
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { benchWalOutageCommand } from "../../tools/cli/commands";
import { DEFAULT_PEAK_WAL_MIB_PER_MINUTE } from "../../domain/walArchive";
import { walQueueMaxMiB, walQueueResponseMinutes } from "../../domain/walQueue";
import { maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { waitFor } from "../postgres/pgbackrest";
import { droppedSegments, MIB, repositorySegments, startOutageWorld, stopOutageWorld, walQueue, writeAndSwitch, type OutageWorld } from "../postgres/walOutage";

interface BenchOptions {
  minutes: number;
  rate: number;
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const flags = parseFlags(argv, benchWalOutageCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; bench:wal-outage takes flags only (npm run -s bench:wal-outage -- --help)`);
  const minutes = Number(flags.values.minutes?.[0] ?? 5);
  if (!Number.isFinite(minutes) || minutes < 1) throw new UsageError(`--minutes is "${flags.values.minutes?.[0]}"; use a number of minutes >= 1, e.g. --minutes 5`);
  const rate = Number(flags.values.rate?.[0] ?? 2);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 20) throw new UsageError(`--rate is "${flags.values.rate?.[0]}"; use segments per minute, more than 0 and at most 20, e.g. --rate 2`);
  return { minutes, rate };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sample(world: OutageWorld, started: number, completed: string[]): Promise<string> {
  const queue = await walQueue(world.primary);
  const repo2 = await repositorySegments(world.host, 2);
  const behind = completed.filter((s) => !repo2.includes(s)).length;
  return `| ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} | ${String(queue.ready.length).padStart(6)} | ${mib(queue.readyBytes).padStart(9)} | ${mib(queue.pgWalBytes).padStart(11)} | ${String(behind).padStart(22)} |`;
}

async function main(options: BenchOptions): Promise<void> {
  const rpo = { recovery: { databaseRpoMinutes: recoveryObjectives.database.rpoMinutes!, archiveTimeoutSeconds: maxArchiveTimeoutSeconds } };
  const queueMax = walQueueMaxMiB(rpo);
  say(`archive-push-queue-max (prod): ${queueMax} MiB = ${walQueueResponseMinutes(rpo)} min of response x ${DEFAULT_PEAK_WAL_MIB_PER_MINUTE} MiB/min`);
  say(`outage: us-east-1 S3 down ${options.minutes} min, primary in us-west-2 completing ${options.rate} segment(s)/min (archive_timeout ${maxArchiveTimeoutSeconds} s)`);
  let world: OutageWorld | undefined;
  try {
    world = await startOutageWorld("bench-wal-outage", { archivePushQueueMaxMiB: queueMax });
    await world.host.runScriptChecked("configure-postgres.sh");
    await world.east.stop();
    const started = Date.now();
    const completed: string[] = [];
    say("| t (s) | queued | queue MiB | pg_wal MiB | behind in us-west-2 (segments) |");
    say("| --- | --- | --- | --- | --- |");
    let nextSample = started;
    let nextSwitch = started;
    while (Date.now() - started < options.minutes * 60_000) {
      if (Date.now() >= nextSwitch) {
        completed.push(await writeAndSwitch(world.primary));
        nextSwitch += 60_000 / options.rate;
      }
      if (Date.now() >= nextSample) {
        say(await sample(world, started, completed));
        nextSample += 30_000;
      }
      await sleep(1000);
    }
    say(await sample(world, started, completed));
    const queued = (await walQueue(world.primary)).ready.length;
    const back = Date.now();
    await world.east.start();
    await writeAndSwitch(world.primary);
    await waitFor("the queue to drain into us-east-1", 1_800_000, async () => (await walQueue(world!.primary)).ready.length === 0);
    say(`us-east-1 back: ${queued} queued segment(s) drained into it in ${((Date.now() - back) / 1000).toFixed(0)} s; dropped during the outage: ${(await droppedSegments(world.host)).length}`);
  } finally {
    if (world) await stopOutageWorld(world);
  }
}

runCli(
  async () => {
    await main(parseArgs(process.argv.slice(2)));
    return 0;
  },
  () => false,
  benchWalOutageCommand,
);
