/**
 * Restores from the repositories a {@link DrHost} writes, as the runbook's restores and the
 * benches run them: a restore into a new node of the sandbox, timed by phase, and the data a
 * crash of the primary loses, measured on such a restore.
 */
import { join } from "node:path";
import type { PgNode } from "./pgNode";
import type { PgSandbox } from "./sandbox";
import { PG_BIN } from "./serverTools";
import type { PgSettings } from "./settings";
import { runCommand } from "../../tools/process/exec";
import type { DrHost } from "./drHost";
import { waitFor } from "./waitFor";

/** Options for {@link restoreNode}. */
export interface RestoreNodeOptions {
  /** Wait until the restored server has left recovery (a PITR with target-action=promote). @default true */
  waitForPromotion?: boolean;
  /** Give up waiting for promotion after this many milliseconds. @default 300000 */
  timeoutMs?: number;
  /** Filled with each phase's wall time in milliseconds, for a benchmark that says where a restore's time goes. */
  phases?: Partial<RestorePhases>;
  /** Settings for the restored server, after the harness's own (`fsync: "on"` for production durability). @default {} */
  settings?: PgSettings;
}

/** Where a restore's wall time went, in milliseconds. */
export interface RestorePhases {
  /** `pgbackrest restore`: the backup's files written into the data directory. */
  restoreMs: number;
  /** `pg_ctl start -w`: until the server accepts connections (a consistent hot standby). */
  startMs: number;
  /** From then until it has left recovery (WAL replayed to the target, promoted). */
  recoveryMs: number;
}

/**
 * `pgbackrest restore` with `host`'s rendered config into a new node of the sandbox, then
 * starts it on its own port. Archiving is turned off in the restored copy
 * (`--archive-mode=off`) so it never pushes into the repositories it came from.
 */
export async function restoreNode(
  sandbox: PgSandbox,
  host: DrHost,
  name: string,
  restoreArgs: readonly string[],
  options: RestoreNodeOptions = {},
): Promise<PgNode> {
  const node = await sandbox.prepareNode(name);
  const phases = options.phases ?? {};
  let started = performance.now();
  const phaseEnds = (phase: keyof RestorePhases) => {
    const now = performance.now();
    phases[phase] = now - started;
    started = now;
  };
  await host.pgbackrestChecked([`--pg1-path=${node.dataDir}`, "--archive-mode=off", ...restoreArgs, "restore"]);
  phaseEnds("restoreMs");
  await node.configure(options.settings ?? {});
  await node.start();
  phaseEnds("startMs");
  if (options.waitForPromotion ?? true) {
    await waitFor(`${name} to finish recovery`, options.timeoutMs ?? 300_000, async () => !(await node.isInRecovery()), 50);
    phaseEnds("recoveryMs");
  }
  return node;
}

/** What a crash of the primary under a steady write load lost, measured on a restore from the archive. */
export interface CrashLoss {
  /** Rows committed on the primary before the crash (what its own crash recovery finds). */
  committedRows: number;
  /** Rows the restore from the repository has: always the first `restoredRows` commits. */
  restoredRows: number;
  /** Whether the restored rows are exactly commits 1..restoredRows (no gap, nothing later). */
  restoredIsPrefix: boolean;
  /**
   * Seconds from the last commit the restore has to the last commit the primary made before it
   * was killed: the loss window (the measured RPO). Both ends are `committed_at` values written
   * by the same server's clock, so the window does not depend on when the harness noticed the crash.
   * When the restore has none of the load's commits, it is measured from the first one (a lower
   * bound: the window reaches back to the last archived moment before the load).
   */
  lossWindowSeconds: number;
  /** Seconds between the first and the last lost commit (0 when nothing was lost). */
  lostCommitSpanSeconds: number;
  /** Seconds the write load ran before the crash. */
  loadSeconds: number;
}

/** Options for {@link measureCrashLoss}. */
export interface CrashLossOptions {
  /** How long the write load runs before the primary is killed, in seconds. */
  loadSeconds: number;
  /** Pause between two commits of the load, in seconds. @default 0.05 (about 20 commits per second) */
  commitIntervalSeconds?: number;
  /** Repository to restore from (the surviving region's). @default 2 */
  repo?: 1 | 2;
  /** The application's database. @default "crazy_gary" */
  database?: string;
  /** Node name of the restored copy. @default "crash-restored" */
  restoredName?: string;
}

/**
 * Runs a steady write load on `host`'s primary (one row per commit, ids 1, 2, 3, ...), kills
 * the primary (SIGKILL to every process: a lost host), restores the newest backup plus all
 * archived WAL from the surviving repository into a new node, and compares it with what the
 * primary had committed (read after the primary's own crash recovery). The primary is left
 * running again; the restored node is stopped.
 */
export async function measureCrashLoss(sandbox: PgSandbox, host: DrHost, options: CrashLossOptions): Promise<CrashLoss> {
  const database = options.database ?? "crazy_gary";
  const primary = host.node;
  await primary.sql(
    `DROP TABLE IF EXISTS rpo_load;
     CREATE TABLE rpo_load (id bigint PRIMARY KEY, committed_at timestamptz NOT NULL);
     CREATE OR REPLACE PROCEDURE rpo_load_run(pause double precision) LANGUAGE plpgsql AS $$
     DECLARE i bigint := 0;
     BEGIN
       LOOP
         i := i + 1;
         INSERT INTO rpo_load VALUES (i, clock_timestamp());
         COMMIT;
         PERFORM pg_sleep(pause);
       END LOOP;
     END $$;`,
    { database },
  );
  // The empty table reaches the archive before the load starts (check switches WAL and waits).
  await host.pgbackrestChecked(["check"]);
  const load = runCommand(
    join(PG_BIN, "psql"),
    ["--no-psqlrc", "--host", primary.socketDir, "--port", String(primary.port), "--username", "postgres", "--dbname", database,
      "--command", `CALL rpo_load_run(${options.commitIntervalSeconds ?? 0.05})`],
    { ...primary.postgresRun(), timeoutMs: (options.loadSeconds + 120) * 1000 },
  );
  await waitFor("the write load to commit", 30_000, async () => Number(await primary.sqlValue("SELECT count(*) FROM rpo_load", { database })) > 0);
  await new Promise((resolve) => setTimeout(resolve, options.loadSeconds * 1000));
  await primary.crash();
  await load;

  const restored = await restoreNode(sandbox, host, options.restoredName ?? "crash-restored", [`--repo=${options.repo ?? 2}`]);
  const [restoredRows, restoredMax, restoredLastAt] = (await restored.sql(
    "SELECT count(*), coalesce(max(id), 0), coalesce(extract(epoch FROM max(committed_at))::text, 'none') FROM rpo_load",
    { database },
  ))[0]!;
  await restored.stop();
  await primary.start();
  const [committedRows, lostSpan, lastCommittedAt, firstCommittedAt] = (await primary.sql(
    `SELECT count(*), coalesce(extract(epoch FROM max(committed_at) - min(committed_at) FILTER (WHERE id > ${Number(restoredMax)})), 0),
            extract(epoch FROM max(committed_at)), extract(epoch FROM min(committed_at))
     FROM rpo_load`,
    { database },
  ))[0]!;
  return {
    committedRows: Number(committedRows),
    restoredRows: Number(restoredRows),
    restoredIsPrefix: restoredRows === restoredMax,
    // A restore without any of the load's commits lost all of them: the window reaches back at least to the first.
    lossWindowSeconds: Number(lastCommittedAt) - Number(restoredLastAt === "none" ? firstCommittedAt : restoredLastAt),
    lostCommitSpanSeconds: Number(lostSpan),
    loadSeconds: options.loadSeconds,
  };
}
