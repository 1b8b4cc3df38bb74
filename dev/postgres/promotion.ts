/**
 * Running `components/promotion/promote.sh` against harness nodes, and timing a flip:
 * shared by `test/postgres/promotion.test.ts` and `dev/bench/promotion.ts`.
 */
import { promoteInterpreter, readPromoteScript } from "../../components/promotion";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { LOOPBACK, type PgNode } from "./cluster";

/** Where one side of a flip is reached; `node` or an explicit closed port. */
export interface PromotionSide {
  /** The node, or a port nothing listens on (an unreachable side). */
  target: PgNode | { port: number };
  /** Password over TCP; undefined for trust. */
  password?: string;
  /**
   * The role the script connects as.
   * @default "postgres"
   */
  user?: string;
  /** Region label for messages. */
  region: string;
}

/** promote.sh's settings besides the two sides (see its header). */
export interface PromotionOptions {
  /** FENCE_TIMEOUT_SECONDS. @default 10 */
  fenceTimeoutSeconds?: number;
  /** FENCE_COMMAND: how the old primary's server runs fence.sh (`DrHost.commandLine("fence.sh")`). @default promote.sh's default */
  fenceCommand?: string;
  /** LEASE_WAIT_SECONDS. @default promote.sh's default (90) */
  leaseWaitSeconds?: number;
  /** CATCH_UP_TIMEOUT_SECONDS. @default promote.sh's default (300) */
  catchUpTimeoutSeconds?: number;
}

/** The script's environment for a flip from `old` to `fresh` (the newly active side). */
export function promotionEnv(fresh: PromotionSide, old: PromotionSide, options: PromotionOptions = {}): Record<string, string | undefined> {
  const side = (prefix: string, s: PromotionSide): Record<string, string | undefined> => ({
    [`${prefix}_HOST`]: LOOPBACK,
    [`${prefix}_PORT`]: String(s.target.port),
    [`${prefix}_DATABASE`]: "postgres",
    [`${prefix}_USER`]: s.user ?? "postgres",
    [`${prefix}_PASSWORD`]: s.password,
  });
  return {
    ...side("NEW_PRIMARY", fresh),
    ...side("OLD_PRIMARY", old),
    FENCE_TIMEOUT_SECONDS: String(options.fenceTimeoutSeconds ?? 10),
    FENCE_COMMAND: options.fenceCommand,
    LEASE_WAIT_SECONDS: options.leaseWaitSeconds === undefined ? undefined : String(options.leaseWaitSeconds),
    CATCH_UP_TIMEOUT_SECONDS: options.catchUpTimeoutSeconds === undefined ? undefined : String(options.catchUpTimeoutSeconds),
    TARGET_REGION: fresh.region,
    OLD_REGION: old.region,
  };
}

/**
 * Runs promote.sh exactly as the Promotion component's local command does (its interpreter,
 * `bash -c <script text>`), with `env` added to this process's environment; never throws for
 * a non-zero exit.
 */
export function runPromotion(env: Record<string, string | undefined>): Promise<CommandResult> {
  const [interpreter, ...flags] = promoteInterpreter;
  return runCommand(interpreter, [...flags, readPromoteScript()], { env, timeoutMs: 180_000 });
}

/** A flip's outcome and how long until the new side took a client's write. */
export interface MeasuredFlip {
  result: CommandResult;
  /** Milliseconds from invoking the script to the new primary committing a client's INSERT. */
  msToWritable: number;
  /** Milliseconds promote.sh waited for the standby to replay the old primary's final WAL (its own report), or undefined when it did not wait. */
  msCatchingUp: number | undefined;
}

/** The catch-up wait promote.sh reports ("... after N ms of waiting"), in milliseconds. */
export function catchUpMs(stdout: string): number | undefined {
  const match = /replayed .* after (\d+) ms of waiting/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/**
 * Runs the flip and then writes to the new side as a client would (a row in
 * `public.flip_probe`, created when missing); the time covers both.
 */
export async function flipAndMeasure(fresh: PromotionSide & { target: PgNode }, old: PromotionSide, options: PromotionOptions = {}): Promise<MeasuredFlip> {
  const started = performance.now();
  const result = await runPromotion(promotionEnv(fresh, old, options));
  if (result.code !== 0) {
    throw new Error(`promote.sh exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  }
  await fresh.target.sql(
    "CREATE TABLE IF NOT EXISTS public.flip_probe (at timestamptz NOT NULL); INSERT INTO public.flip_probe VALUES (now())",
  );
  return { result, msToWritable: performance.now() - started, msCatchingUp: catchUpMs(result.stdout) };
}

/** The timeline a server writes WAL on now (from its current WAL file name). */
export async function currentTimeline(node: PgNode): Promise<number> {
  const walFile = await node.sqlValue("SELECT pg_walfile_name(pg_current_wal_lsn())");
  return Number.parseInt((walFile ?? "").slice(0, 8), 16);
}
