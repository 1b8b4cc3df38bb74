/**
 * Application clients and the fence as the tests see them: a client that tries to write by
 * one means or another, a writer that commits numbered rows and records each acknowledged
 * one, and the state of fence.sh's block in a node's pg_hba.conf.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LOOPBACK, type PgNode } from "./pgNode";
import { PG_BIN } from "./serverTools";
import { runCommand, type CommandResult } from "../../tools/process/exec";

/** An application role's login. */
export interface ClientLogin {
  user: string;
  password: string;
}

/** How a client reaches the server: TCP on loopback (password), or the node's Unix socket. */
export type ClientPath = "tcp" | "socket";

/** Runs `sql` as an application client (a new connection), never throwing for a failure. */
export function clientSql(node: PgNode, login: ClientLogin, sql: string, path: ClientPath = "tcp"): Promise<CommandResult> {
  return runCommand(
    join(PG_BIN, "psql"),
    ["--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set", "ON_ERROR_STOP=1", "--host", path === "tcp" ? LOOPBACK : node.socketDir,
      "--port", String(node.port), "--username", login.user, "--dbname", "postgres", "--file", "-"],
    { input: sql, env: { PGPASSWORD: login.password, PGCONNECT_TIMEOUT: "10" }, timeoutMs: 60_000 },
  );
}

/** The first line of fence.sh's block (components/databaseHost/files/bin/lib.sh). */
export const FENCE_BEGIN = "# BEGIN crazy-gary fence";

/** Tells whether the node's pg_hba.conf carries fence.sh's block. */
export async function isFenced(node: PgNode): Promise<boolean> {
  return (await readFile(join(node.dataDir, "pg_hba.conf"), "utf8")).split("\n").includes(FENCE_BEGIN);
}

/** How many fence blocks the node's pg_hba.conf holds. */
export async function fenceBlocks(node: PgNode): Promise<number> {
  return (await readFile(join(node.dataDir, "pg_hba.conf"), "utf8")).split("\n").filter((line) => line === FENCE_BEGIN).length;
}

/** A writer's outcome: the ids whose commit the server acknowledged, in order. */
export interface WriterResult {
  acked: number[];
  /** psql's last error (why the writer stopped). */
  stderr: string;
}

/**
 * Starts a client that commits `INSERT INTO <table> (writer, id) VALUES (<name>, n)` for
 * n = 1, 2, ... one autocommit statement at a time over TCP, until its connection is ended.
 * psql prints an id (RETURNING) only once the server has answered the statement, that is
 * after the commit: the printed ids are exactly the acknowledged commits.
 * `synchronousCommit: "off"` acknowledges before the commit record is flushed.
 */
export function startWriter(
  node: PgNode,
  login: ClientLogin,
  options: { name: string; table: string; synchronousCommit?: "on" | "off" },
): Promise<WriterResult> {
  const psql = [join(PG_BIN, "psql"), "--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set", "ON_ERROR_STOP=1",
    "--host", LOOPBACK, "--port", String(node.port), "--username", login.user, "--dbname", "postgres"].join(" ");
  const generator = [
    `echo "SET synchronous_commit = ${options.synchronousCommit ?? "on"};"`,
    "i=0",
    "while :; do",
    "  i=$((i + 1))",
    `  echo "INSERT INTO ${options.table} (writer, id) VALUES ('${options.name}', $i) RETURNING id;"`,
    "done",
  ].join("\n");
  return runCommand("bash", ["-c", `{ ${generator}\n} | ${psql}`], {
    env: { PGPASSWORD: login.password },
    timeoutMs: 600_000,
  }).then((result) => ({
    acked: result.stdout.split("\n").filter((line) => /^\d+$/.test(line)).map(Number),
    stderr: result.stderr,
  }));
}
