/**
 * The drill runner: the runbook's DR simulation against a stack, the documented way.
 *
 * 1. Reads the stack's settings (`pulumi config get`); it must have `primary` active.
 * 2. Flips `activeRegion` to `secondary` as the failover workflow does
 *    (`pulumi config set activeRegion secondary`, `pulumi up --policy-pack policies`: the stack's
 *    flip asks Patroni for a switchover), and from the moment `pulumi up` starts watches, each
 *    condition with its own deadline (never a fixed sleep): the secondary's database leaving
 *    recovery (the new leader; the heartbeat row it holds then dates the data lost), every
 *    failover name answering with the secondary's endpoint (`dig +short`), then the new leader
 *    committing a write.
 * 3. Always flips back (docs/runbooks/failback.md), even after a failed phase:
 *    `pulumi config set activeRegion primary` and `pulumi up` (a switchover back), then waits for
 *    the primary to take a write and for the secondary to be a standby again (Patroni rejoins a
 *    former leader as a replica by itself; nothing is rebuilt by hand).
 * 4. Writes the report (JSON and Markdown) and publishes the measured times and `DrDrillAgeDays`
 *    with `aws cloudwatch put-metric-data` in each of the stack's regions.
 * The pure part (phases, order, outcome, report, metric data) is domain/drillRun.ts.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  dataLostOf,
  DRILL_METRICS,
  dnsAnswersTarget,
  drillMetricData,
  drillReport,
  renderDrillMarkdown,
  secondsBetween,
  type DrillPhaseId,
  type DrillReport,
  type FlipBack,
  type PhaseResult,
} from "../../domain/drillRun";
import type { DrillId } from "../../domain/testingSchedule";
import { regionRoles, type RegionRole } from "../../domain/topology";
import { checked, dig, readDrillStack, sql, type DrillStack, type Run } from "./stackAccess";

/** Deadlines of the waits, in seconds. */
export interface DrillDeadlines {
  /** For `pulumi up` of the flip, and for the promotion seen on the secondary. @default 1200 */
  flipSeconds: number;
  /** From the flip's start until every failover name answers with the secondary. @default 900 (the API RTO plus 5 min) */
  dnsSeconds: number;
  /** From DNS moving until the new primary commits a write. @default 300 */
  writeSeconds: number;
  /** For the whole flip back (`pulumi up`, the primary writable, the secondary a standby again). @default 3600 */
  flipBackSeconds: number;
}

export const defaultDeadlines: DrillDeadlines = Object.freeze({ flipSeconds: 1200, dnsSeconds: 900, writeSeconds: 300, flipBackSeconds: 3600 });

export interface DrillRunOptions {
  drill: DrillId;
  /** The stack as `pulumi --stack` takes it (`crazy-gary/dr`). */
  pulumiStack: string;
  /** Where the run is (workflow run URL). */
  where: string;
  deadlines?: Partial<DrillDeadlines>;
  /** Milliseconds between two polls of a condition. @default 1000 */
  pollMs?: number;
  /** libpq `sslmode` for the runner's own connections. @default "require" (the hosts' TLS, as in failover.md) */
  sslMode?: string;
  /** Days since the previous passed drill, for the age metric after a failed drill. */
  previousAgeDays: number | null;
  /** Runs outside programs (PATH decides which). */
  run: Run;
  /** Progress lines. @default ignored */
  log?: (line: string) => void;
  /** How long the watchers keep looking after `pulumi up` of the flip failed, in ms. @default afterFailedFlipMs (60 s) */
  afterFailedFlipMs?: number;
}

/** The heartbeat table the database hosts keep (components/databaseHost, heartbeatTable's default). */
const HEARTBEAT_TABLE = "crazy_gary_dr.heartbeat";
/** Where the drill's write goes: beside the heartbeat, never in the application's tables. */
const PROBE_TABLE = "crazy_gary_dr.drill_write";

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value, or throws naming `what` once the deadline (epoch ms; a
 * function when it can move closer, e.g. after `pulumi up` failed) has passed.
 */
export async function waitUntil<T>(what: string, deadline: number | (() => number), pollMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = typeof deadline === "number" ? () => deadline : deadline;
  let lastError = "";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = `; last error: ${(err as Error).message.split("\n")[0]}`;
    }
    if (Date.now() >= deadlineMs()) throw new Error(`${what}: not seen within its deadline (${iso(deadlineMs())})${lastError}`);
    await sleep(pollMs);
  }
}

/** How long the watchers keep looking after `pulumi up` of the flip failed: what it did may still land. */
export const afterFailedFlipMs = 60_000;

/** `pulumi config set activeRegion ROLE`, then `pulumi up` as the failover workflow runs it. */
async function flipTo(run: Run, stack: string, role: RegionRole, timeoutMs: number): Promise<void> {
  await checked(run, "pulumi", ["config", "set", "activeRegion", role, "--stack", stack]);
  await checked(run, "pulumi", ["up", "--yes", "--policy-pack", "policies", "--diff", "--stack", stack], { timeoutMs });
}

interface Promotion {
  atMs: number;
  promotedAt: string;
  heartbeatAt: string | null;
}

/**
 * Polls the secondary until it is out of recovery (`pg_is_in_recovery()`: "Returns true if recovery
 * is still in progress", PostgreSQL 15 docs, 9.27.4 Recovery Control Functions): Patroni has made
 * it the leader. Its heartbeat row then is the newest the old leader wrote, unless the new leader's
 * own heartbeat (every minute) ran within the one poll interval since: then the data lost reads low.
 */
async function watchPromotion(options: DrillRunOptions, stack: DrillStack, deadlineMs: () => number, pollMs: number, sslMode: string): Promise<Promotion> {
  const db = stack.databases.secondary;
  const query = `SELECT pg_is_in_recovery(), to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), (SELECT to_char(beat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM ${HEARTBEAT_TABLE} WHERE id = 1)`;
  return waitUntil("new leader (the secondary's database out of recovery)", deadlineMs, pollMs, async () => {
    const [[inRecovery, now, beat]] = await sql(options.run, db, query, sslMode);
    if (inRecovery !== "f") return undefined;
    return { atMs: Date.now(), promotedAt: now, heartbeatAt: beat || null };
  });
}

/** Polls every failover name until all answer with the secondary's endpoint. */
async function watchDns(options: DrillRunOptions, stack: DrillStack, deadlineMs: () => number, pollMs: number): Promise<number> {
  return waitUntil("DNS switch (every failover name answering with the secondary's endpoint)", deadlineMs, pollMs, async () => {
    for (const name of stack.names) {
      const target = name.targets.secondary;
      const answer = await dig(options.run, name.fqdn);
      if (dnsAnswersTarget(answer, target, [])) continue;
      // An alias A record answers with addresses: compare with the target's own.
      if (!dnsAnswersTarget(answer, target, await dig(options.run, target))) return undefined;
    }
    return Date.now();
  });
}

/** Polls a database until it commits the drill's write. */
async function watchWrite(options: DrillRunOptions, stack: DrillStack, role: RegionRole, deadlineMs: number, pollMs: number, sslMode: string): Promise<number> {
  const write = `CREATE TABLE IF NOT EXISTS ${PROBE_TABLE} (at timestamptz NOT NULL, drill text NOT NULL); INSERT INTO ${PROBE_TABLE} VALUES (clock_timestamp(), '${options.drill}')`;
  return waitUntil(`first write on the ${role} database`, deadlineMs, pollMs, async () => {
    await sql(options.run, stack.databases[role], write, sslMode);
    return Date.now();
  });
}

const failedPhase = (err: unknown): PhaseResult => ({ seconds: null, at: null, error: (err as Error).message });

/**
 * Flips back the documented way (docs/runbooks/failback.md); never throws: `pulumi config set
 * activeRegion primary` and `pulumi up` (a switchover back), then the primary takes a write and
 * the secondary is a standby again (Patroni rejoins the former leader as a replica, rewinding it
 * with pg_rewind when it must), so the stack ends as it started.
 */
async function flipBack(options: DrillRunOptions, stack: DrillStack, deadlines: DrillDeadlines, pollMs: number, sslMode: string): Promise<FlipBack> {
  const started = Date.now();
  const deadlineMs = started + deadlines.flipBackSeconds * 1000;
  const log = options.log ?? (() => undefined);
  try {
    log("flip back: pulumi config set activeRegion primary; pulumi up");
    await flipTo(options.run, stack.stack, "primary", Math.max(1000, deadlineMs - Date.now()));
    await watchWrite(options, stack, "primary", deadlineMs, pollMs, sslMode);
    await waitUntil("the secondary a standby again (Patroni rejoins it as a replica)", deadlineMs, pollMs, async () =>
      (await sql(options.run, stack.databases.secondary, "SELECT pg_is_in_recovery()", sslMode))[0]?.[0] === "t" ? true : undefined);
    return { outcome: "done", seconds: secondsBetween(started, Date.now()) };
  } catch (err) {
    return { outcome: "failed", seconds: null, error: (err as Error).message };
  }
}

/** Runs the drill; returns its report (it never throws after the flip started: the report says what failed). */
export async function runDrill(options: DrillRunOptions): Promise<{ report: DrillReport; stack: DrillStack }> {
  const deadlines = { ...defaultDeadlines, ...options.deadlines };
  const pollMs = options.pollMs ?? 1000;
  const sslMode = options.sslMode ?? "require";
  const log = options.log ?? (() => undefined);
  const stack = await readDrillStack(options.run, options.pulumiStack);
  if (stack.activeRole !== "primary") {
    throw new Error(`activeRegion: "${stack.activeRole}" on ${stack.stack}; a drill flips primary -> secondary and back: fail back first (docs/runbooks/failback.md)`);
  }
  const [[standby]] = await sql(options.run, stack.databases.secondary, "SELECT pg_is_in_recovery()", sslMode);
  if (standby !== "t") throw new Error(`the secondary's database (${stack.databases.secondary.pgHost}) is not a standby (pg_is_in_recovery = ${standby}): no drill on a split pair`);

  const startedMs = Date.now();
  const failures: string[] = [];
  const phases: Record<DrillPhaseId, PhaseResult> = { promotion: failedPhase(new Error("not started")), dnsSwitch: failedPhase(new Error("not started")), firstWrite: failedPhase(new Error("not started")) };
  let promotion: Promotion | undefined;
  log(`flip ${stack.stack}: pulumi config set activeRegion secondary; pulumi up`);
  let flipFailedAt: number | undefined;
  const flip = flipTo(options.run, stack.stack, "secondary", deadlines.flipSeconds * 1000).then(
    () => undefined,
    (err: Error) => {
      flipFailedAt = Date.now();
      return err;
    },
  );
  // Each watcher's own deadline, brought closer once `pulumi up` failed.
  const until = (seconds: number) => () => Math.min(startedMs + seconds * 1000, flipFailedAt === undefined ? Infinity : flipFailedAt + (options.afterFailedFlipMs ?? afterFailedFlipMs));
  const [promotionResult, dnsResult, flipError] = await Promise.allSettled([
    watchPromotion(options, stack, until(deadlines.flipSeconds), pollMs, sslMode),
    watchDns(options, stack, until(deadlines.dnsSeconds), pollMs),
    flip,
  ]);
  if (flipError.status === "fulfilled" && flipError.value) failures.push(`flip: ${flipError.value.message}`);
  if (promotionResult.status === "fulfilled") {
    promotion = promotionResult.value;
    phases.promotion = { seconds: secondsBetween(startedMs, promotion.atMs), at: iso(promotion.atMs) };
  } else phases.promotion = failedPhase(promotionResult.reason);
  if (dnsResult.status === "fulfilled") phases.dnsSwitch = { seconds: secondsBetween(startedMs, dnsResult.value), at: iso(dnsResult.value) };
  else phases.dnsSwitch = failedPhase(dnsResult.reason);
  if (promotion && dnsResult.status === "fulfilled") {
    try {
      const at = await watchWrite(options, stack, "secondary", Date.now() + deadlines.writeSeconds * 1000, pollMs, sslMode);
      phases.firstWrite = { seconds: secondsBetween(startedMs, at), at: iso(at) };
    } catch (err) {
      phases.firstWrite = failedPhase(err);
    }
  } else phases.firstWrite = failedPhase(new Error("not attempted: new leader or DNS switch not seen"));
  for (const id of ["promotion", "dnsSwitch", "firstWrite"] as const) log(`${id}: ${phases[id].seconds ?? phases[id].error}`);

  const back = await flipBack(options, stack, deadlines, pollMs, sslMode);
  log(`flip back: ${back.outcome}${back.error ? ` (${back.error})` : ""}`);
  const report = drillReport({
    drill: options.drill,
    stack: stack.environment,
    from: { role: "primary", region: stack.regions.primary },
    to: { role: "secondary", region: stack.regions.secondary },
    startedAt: iso(startedMs),
    finishedAt: iso(Date.now()),
    phases,
    dataLost: dataLostOf(promotion?.heartbeatAt ?? null, promotion?.promotedAt ?? null),
    flipBack: back,
    failures,
    where: options.where,
  });
  return { report, stack };
}

/** Writes `drill-<id>.json` and `.md` into `dir`; returns their paths. */
export async function writeDrillReport(report: DrillReport, dir: string): Promise<{ json: string; markdown: string }> {
  const json = join(dir, `drill-${report.drill}.json`);
  const markdown = join(dir, `drill-${report.drill}.md`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, renderDrillMarkdown(report));
  return { json, markdown };
}

/**
 * Publishes the report's metrics in each of the stack's regions (Region = that region), as the
 * hosts' scripts do: `aws cloudwatch put-metric-data --namespace N --metric-data JSON`, a JSON list
 * of {MetricName, Dimensions, Value, Unit} (AWS CLI reference, cloudwatch put-metric-data).
 */
export async function publishDrillMetrics(run: Run, report: DrillReport, stack: DrillStack, previousAgeDays: number | null): Promise<void> {
  for (const region of new Set(regionRoles.map((role) => stack.regions[role]))) {
    const data = drillMetricData(report, stack.environment, region, previousAgeDays);
    if (data.length === 0) continue;
    await checked(run, "aws", ["cloudwatch", "put-metric-data", "--region", region, "--namespace", DRILL_METRICS.namespace, "--metric-data", JSON.stringify(data)]);
  }
}
