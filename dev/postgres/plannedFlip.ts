/**
 * A planned flip under a steady write load, shared by test/postgres/promotionLoad.test.ts and
 * dev/bench/promotion.ts: an old primary with the host files (fence.sh), a streaming standby,
 * two application writers (synchronous_commit on and off) committing numbered rows, then
 * promote.sh; afterwards, which acknowledged ids the new primary lacks.
 */
import { sqlLiteral, type PgSandbox } from "./cluster";
import { startDelayedLink } from "./delayedLink";
import { startWriter, type ClientLogin } from "./clients";
import { createRepositories, DrHost, PRIMARY_REGION, waitFor } from "./pgbackrest";
import { flipAndMeasure, type MeasuredFlip } from "./promotion";

const SUPERUSER_PASSWORD = "Pw-load-superuser";
const app: ClientLogin = { user: "app", password: "Pw-load-app" };
/** Acknowledged commits each writer makes before the flip starts. */
const COMMITS_BEFORE_FLIP = 200;

/** One writer's outcome. */
export interface WriterOutcome {
  /** Ids whose commit the old primary acknowledged. */
  acked: number[];
  /** Acknowledged ids absent from the new primary: commits lost by the flip. */
  missing: number[];
  /** Ids on the new primary whose acknowledgement never arrived (ended in flight): not lost, just unacknowledged. */
  unacknowledged: number;
  /** Why the writer stopped (psql's error). */
  stderr: string;
}

export interface LoadedFlip {
  /** promote.sh's run; undefined for the control (`withoutCatchUp`). */
  measured: MeasuredFlip | undefined;
  writers: Record<"sync" | "async", WriterOutcome>;
}

/** Options of {@link plannedFlipUnderLoad}. */
export interface PlannedFlipOptions {
  /** Prefix of the nodes' names in the sandbox. */
  prefix: string;
  /** How late the standby receives each byte of WAL (a link between regions), in ms. @default 0 */
  linkDelayMs?: number;
  /**
   * The old primary's lease fences it first (fence.sh run on its host, as lease.sh does on
   * reading the flip), then promote.sh runs and finds it fenced.
   * @default false
   */
  leaseFencesFirst?: boolean;
  /**
   * The control: instead of promote.sh, end the writers' sessions on the old primary and
   * promote the standby at once, without waiting for the old primary's last WAL (what
   * promote.sh did before it waited).
   * @default false
   */
  withoutCatchUp?: boolean;
}

/** Builds the pair in the sandbox, flips it under load and reports per writer. */
export async function plannedFlipUnderLoad(sandbox: PgSandbox, options: PlannedFlipOptions): Promise<LoadedFlip> {
  const { prefix } = options;
  const east = await sandbox.initPrimary({ name: `${prefix}-east`, superuserPassword: SUPERUSER_PASSWORD });
  const host = await DrHost.install(sandbox, { name: `${prefix}-east-host`, node: east, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres" });
  await east.sql(`CREATE ROLE app LOGIN PASSWORD '${app.password}';
    CREATE TABLE acked (writer text NOT NULL, id int NOT NULL, PRIMARY KEY (writer, id));
    GRANT SELECT, INSERT ON acked TO app`);
  const west = await sandbox.createStandby(east, { name: `${prefix}-west`, slot: "west" });
  const link = await startDelayedLink(east.port, options.linkDelayMs ?? 0);
  // primary_conninfo is reloadable (PostgreSQL 13+): the WAL receiver reconnects through the link.
  await west.sql(`ALTER SYSTEM SET primary_conninfo = ${sqlLiteral(`host=127.0.0.1 port=${link.port} user=postgres application_name=west`)}; SELECT pg_reload_conf()`);
  await waitFor("the standby to stream through the delayed link", 60_000, async () =>
    (await west.sqlValue(`SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming' AND sender_port = ${link.port}`)) === "1");

  const running = {
    sync: startWriter(east, app, { name: "sync", table: "acked", synchronousCommit: "on" }),
    async: startWriter(east, app, { name: "async", table: "acked", synchronousCommit: "off" }),
  };
  await waitFor(`both writers to commit ${COMMITS_BEFORE_FLIP} rows`, 120_000, async () => {
    const counts = await east.sql("SELECT count(*) FILTER (WHERE writer = 'sync'), count(*) FILTER (WHERE writer = 'async') FROM acked");
    return counts[0]!.every((count) => Number(count) >= COMMITS_BEFORE_FLIP);
  });

  let measured: MeasuredFlip | undefined;
  if (options.withoutCatchUp) {
    await east.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'");
    await west.promote();
  } else {
    if (options.leaseFencesFirst) await host.runScriptChecked("fence.sh", ["--reason", "lease.sh: the parameter names us-west-2"]);
    measured = await flipAndMeasure(
      { target: west, region: "us-west-2", password: SUPERUSER_PASSWORD },
      { target: east, region: "us-east-1", password: SUPERUSER_PASSWORD },
      { fenceCommand: host.commandLine("fence.sh") },
    );
  }
  await link.close();

  const outcome = async (name: "sync" | "async"): Promise<WriterOutcome> => {
    const { acked, stderr } = await running[name];
    const present = new Set((await west.sql(`SELECT id FROM acked WHERE writer = '${name}'`)).map(([id]) => Number(id)));
    const ackedSet = new Set(acked);
    return {
      acked,
      missing: acked.filter((id) => !present.has(id)),
      unacknowledged: [...present].filter((id) => !ackedSet.has(id)).length,
      stderr,
    };
  };
  return { measured, writers: { sync: await outcome("sync"), async: await outcome("async") } };
}
