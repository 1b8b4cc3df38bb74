/**
 * The product's flip in the lab: what `pulumi up` does to the database after `activeRegion`
 * changes, with the product's own code, so the lab's proofs exercise it.
 * 1. The candidate's Patroni configuration with `nofailover` lifted (the product: the candidate
 *    host's configuration step, applied before the flip; here patroni.yml is rewritten and
 *    Patroni reloaded). A tagged member is never a switchover or failover candidate (citations P4).
 * 2. components/patroniFlip/run.ts, started exactly as the `patroni-flip-command` local Command
 *    starts it: `flipCommandLine` through a shell in the project folder, with `flipEnvironment`
 *    (components/patroniFlip/index.ts) plus the REST password, from inside a region that
 *    reaches the candidate (where `pulumi up` runs).
 * 3. The old leader tagged `nofailover` again once the flip succeeded (the product: the other
 *    host's configuration step, after the flip).
 * The program ends when the candidate's `GET /primary` answers 200 with its PostgreSQL out of
 * recovery (Patroni 3.0.2 answers 200 from the moment it holds the leader lock, before its
 * background promotion ends: components/patroniFlip/run.ts). {@link flipTo} holds it to that:
 * right after the program exits 0 it writes once through the candidate, on a new connection, with
 * no retry, and fails if that write is refused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flipCommandLine, flipEnvironment } from "../../components/patroniFlip";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import type { PatroniLab } from "./lab";
import type { PatroniMember } from "./member";
import type { RegionRole } from "./network";
import { REST_API_PORT } from "./member";
import { queryOnce } from "./clients";

/** The project folder: where `pulumi up` runs, so where the command line runs. */
const projectRoot = join(__dirname, "../..");

export interface FlipOptions {
  /** `regionDown` set: the old leader's region does not answer (a failover, RPO-checked). @default false */
  regionDown?: boolean;
  /** `patroni.forceFailover`. @default false */
  force?: boolean;
  /** The region (namespace) the command runs in, as the machine running `pulumi up`. @default the candidate's */
  runFrom?: RegionRole;
  /** The flip's own deadline (FLIP_TIMEOUT_SECONDS). @default 300, the component's default */
  timeoutSeconds?: number;
}

/** The environment the local Command gives the program: flipEnvironment plus the REST password. */
export function labFlipEnvironment(lab: PatroniLab, candidate: PatroniMember, options: Pick<FlipOptions, "regionDown" | "force" | "timeoutSeconds"> = {}): Record<string, string> {
  const role = candidate.role;
  if (role === "witness") throw new Error("the witness region runs no database: it is never a flip candidate");
  return {
    ...flipEnvironment({
      candidate: { role, member: candidate.name, host: candidate.address, port: REST_API_PORT },
      regionDown: options.regionDown,
      maxLagBytes: lab.maxLagOnFailoverBytes,
      force: options.force,
      timeoutSeconds: options.timeoutSeconds,
      lockWaitSeconds: lab.timings.ttl + lab.timings.loopWait,
      restApiUser: lab.restApi.user,
    }),
    FLIP_CA_PEM: readFileSync(lab.caFile, "utf8"),
    PATRONI_RESTAPI_PASSWORD: lab.restApi.password,
  };
}

/** Sets the member's `nofailover` tag in patroni.yml and reloads Patroni. */
export function setNoFailover(member: PatroniMember, noFailover: boolean): Promise<void> {
  return member.rewriteConfig((yaml) => yaml.replace(/nofailover: (true|false)/, `nofailover: ${noFailover}`));
}

/** Runs only the flip's program (step 2), as the local Command runs it; never throws for a non-zero exit. */
export function runFlipProgram(lab: PatroniLab, candidate: PatroniMember, options: FlipOptions = {}): Promise<CommandResult> {
  const [command, args] = lab.network.wrap(options.runFrom ?? candidate.role, "/bin/sh", ["-c", flipCommandLine]);
  return runCommand(command, args, { cwd: projectRoot, env: labFlipEnvironment(lab, candidate, options), timeoutMs: ((options.timeoutSeconds ?? 300) + 60) * 1000 });
}

/** The write {@link flipTo} makes through the candidate right after the flip's program exits 0. */
export interface WriteAfterFlip {
  /** The transaction id the write was given (`txid_current()`). */
  txid: number;
  /** From the program's exit to the write's answer, ms (a new connection and one statement). */
  ms: number;
}

/**
 * One write through `node` on a new connection, no retry: `SELECT txid_current()` assigns the
 * transaction an id, as every writing transaction gets one, and a server in recovery assigns
 * none ("cannot assign TransactionIds during recovery", src/backend/access/transam/varsup.c
 * `GetNewTransactionId`; PostgreSQL 15 refuses the call itself during recovery). Throws with the
 * server's error.
 */
async function writeOnce(node: PatroniMember["node"]): Promise<number> {
  const [row] = await queryOnce(node, "SELECT txid_current()::bigint AS txid");
  return Number(row?.txid);
}

/**
 * The whole flip to `candidate` (steps 1-3) away from `from`; throws with the program's output
 * unless it exits 0, and unless a write through the candidate right after that exit succeeds
 * (the flip's promise: exit 0 means the candidate takes writes). Returns the program's output
 * and that write.
 */
export async function flipTo(lab: PatroniLab, candidate: PatroniMember, options: FlipOptions & { from: PatroniMember }): Promise<CommandResult & { writeAfter: WriteAfterFlip }> {
  await setNoFailover(candidate, false);
  const result = await runFlipProgram(lab, candidate, options);
  const exitedAt = performance.now();
  if (result.code !== 0) throw new Error(`the flip to ${candidate.name} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  const txid = await writeOnce(candidate.node).catch((error: Error) => {
    throw new Error(`the flip to ${candidate.name} exited 0 but a write through ${candidate.name} right after was refused (${error.message}):\n${result.stdout}${result.stderr}`);
  });
  const writeAfter = { txid, ms: performance.now() - exitedAt };
  if (!options.regionDown) await setNoFailover(options.from, true);
  return { ...result, writeAfter };
}
