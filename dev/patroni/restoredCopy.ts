/**
 * A restore of the stanza into a scratch data directory on a member's host, started there as a
 * separate server (Unix socket only, archiving off so it writes nothing into the repositories):
 * how a test checks what a repository can bring back.
 */
import { join } from "node:path";
import { PG_BIN, type PgNode } from "../postgres/cluster";
import { waitFor } from "../postgres/pgbackrest";
import { runCommand } from "../../tools/process/exec";
import type { PatroniLab } from "./lab";
import type { PatroniMember } from "./member";

/** What to restore. */
export interface RestoreRequest {
  /** Node name of the copy in the sandbox. */
  name: string;
  /** The repository to restore from (1: primary region's, 2: secondary's). */
  repo: number;
  /** A backup label (`--set`); the latest backup when not given. */
  set?: string;
}

/**
 * Restores with the member's rendered pgBackRest config (`--type=default`: replay all WAL the
 * repository holds, along the latest timeline), starts the copy inside the member's region and
 * waits until recovery has ended. The caller stops it with `node.stop()` (the sandbox also does).
 */
export async function restoreCopy(lab: PatroniLab, member: PatroniMember, request: RestoreRequest): Promise<PgNode> {
  const node = await lab.sandbox.prepareNode(request.name);
  const spool = await lab.sandbox.makeDir(`${request.name}/spool`);
  const lock = await lab.sandbox.makeDir(`${request.name}/lock`);
  await lab.checked(member.pgbackrest([
    `--repo=${request.repo}`, `--pg1-path=${node.dataDir}`, `--spool-path=${spool}`,
    // A spool and a lock folder of its own, written into the copy's restore_command too: the
    // live server beside it runs async archive-push with the host's, and pgBackRest 2.45's async
    // archive-get takes the same archive lock (an archive-get then waited out archive-timeout,
    // 60 s, per segment here; pgbackrest/pgbackrest#2423).
    `--lock-path=${lock}`, "--archive-mode=off", "--type=default",
    ...(request.set ? [`--set=${request.set}`] : []), "restore",
  ]), `pgbackrest restore --repo=${request.repo}`);
  const options = `-c port=${node.port} -c listen_addresses='' -c unix_socket_directories='${node.socketDir}' -c archive_mode=off -c hba_file='${join(node.dataDir, "pg_hba.conf")}'`;
  const [command, args] = lab.network.wrap(member.role, join(PG_BIN, "pg_ctl"), ["-D", node.dataDir, "-l", node.logFile, "-o", options, "-w", "-t", "600", "start"], true);
  const started = await runCommand(command, args, { env: member.env, timeoutMs: 620_000 });
  if (started.code !== 0) throw new Error(`pg_ctl start of ${request.name}: ${started.stderr}\n${await node.logTail()}`);
  await waitFor(`${request.name} to end recovery`, 300_000, async () => {
    if (!(await node.isRunning())) throw new Error(`${request.name} stopped:\n${await node.logTail()}`);
    return (await node.psql("SELECT pg_is_in_recovery()")).stdout.trim() === "f";
  }, 500);
  return node;
}
