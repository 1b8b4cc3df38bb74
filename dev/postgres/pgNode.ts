/** One PostgreSQL data directory and its server (start, stop, crash, SQL through psql). */
import { appendFile, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { runCommand, type CommandResult, type RunOptions } from "../../tools/process/exec";
import { childPids, isAlive, signalProcess, waitUntilGone } from "./processes";
import { makeOwnedDir, PG_BIN } from "./serverTools";
import { renderSettings, sqlLiteral, type PgSettings } from "./settings";

/** The loopback address every node listens on. */
export const LOOPBACK = "127.0.0.1";

/** Settings every node starts with (the caller's settings come after and win). */
const BASE_SETTINGS: PgSettings = {
  // kill -9 of the server keeps the OS page cache, so crash tests stay truthful without fsync.
  fsync: "off",
  logging_collector: "off",
  log_line_prefix: "%m [%p] %q%u@%d ",
};

/** How {@link PgNode.sql} connects. */
export interface SqlOptions {
  /** Database user. @default "postgres" */
  user?: string;
  /** Database name. @default "postgres" */
  database?: string;
  /**
   * Password; when given, the connection goes over TCP to 127.0.0.1 (password auth) with
   * the password in `PGPASSWORD` (never on the command line).
   * @default undefined (Unix socket, trust)
   */
  password?: string;
  /** Connect over TCP to 127.0.0.1 even without a password. @default false */
  tcp?: boolean;
  /** Give up after this many milliseconds. @default 60000 */
  timeoutMs?: number;
}

/** One PostgreSQL data directory and its server, in a {@link PgSandbox}. */
export class PgNode {
  /** Address the server listens on (TCP). */
  readonly host = LOOPBACK;

  /** @internal Use {@link PgSandbox.initPrimary}, {@link PgSandbox.createStandby} or {@link PgSandbox.prepareNode}. */
  constructor(
    /** Node name, unique in its sandbox. */
    readonly name: string,
    /** TCP port on 127.0.0.1 (also the Unix socket's port number). */
    readonly port: number,
    /** The node's folder (owned by `postgres`); holds `data/`, `run/` and `server.log`. */
    readonly dir: string,
  ) {}

  /** The data directory (PGDATA). */
  get dataDir(): string {
    return join(this.dir, "data");
  }

  /** Folder of the server's Unix socket (`unix_socket_directories`); usable as a libpq host. */
  get socketDir(): string {
    return join(this.dir, "run");
  }

  /** The server's log file (pg_ctl -l). */
  get logFile(): string {
    return join(this.dir, "server.log");
  }

  /**
   * Appends settings to the data directory's postgresql.conf, after this node's own port,
   * socket and listen settings (later lines win). Takes effect at the next start (or reload).
   */
  async configure(settings: PgSettings = {}): Promise<void> {
    const own: PgSettings = {
      port: this.port,
      listen_addresses: LOOPBACK,
      unix_socket_directories: this.socketDir,
      ...BASE_SETTINGS,
    };
    await appendFile(
      join(this.dataDir, "postgresql.conf"),
      `\n# --- test harness: node ${this.name} ---\n${renderSettings(own)}${renderSettings(settings)}`,
    );
  }

  /** Starts the server and waits until it accepts connections (a standby: until consistent). */
  async start(): Promise<void> {
    await makeOwnedDir(this.socketDir);
    const result = await this.pgCtl(["start", "-w", "-t", "120", "-l", this.logFile]);
    if (result.code !== 0) {
      throw new Error(`node ${this.name}: pg_ctl start failed (exit ${result.code}):\n${result.stderr}${await this.logTail(30)}`);
    }
  }

  /** Pid of the running postmaster, or undefined when the server is not running. */
  async postmasterPid(): Promise<number | undefined> {
    try {
      const pid = Number((await readFile(join(this.dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Tells whether the postmaster is running. */
  async isRunning(): Promise<boolean> {
    return (await this.postmasterPid()) !== undefined;
  }

  /**
   * Fast shutdown by pid (SIGINT: sessions are ended, a shutdown checkpoint is written);
   * waits until the postmaster is gone. After `timeoutMs` it is killed (SIGKILL).
   * Does nothing when the server is not running.
   */
  async stop(timeoutMs = 60_000): Promise<void> {
    const pid = await this.postmasterPid();
    if (pid === undefined) return;
    signalProcess(pid, "SIGINT");
    if (!(await waitUntilGone([pid], timeoutMs))) await this.crash();
  }

  /**
   * Simulates a host crash: SIGKILL to the postmaster and all its child processes, no
   * shutdown checkpoint. The next {@link start} runs crash recovery.
   */
  async crash(): Promise<void> {
    const pid = await this.postmasterPid();
    if (pid === undefined) return;
    const victims = [pid, ...childPids(pid)];
    for (const victim of victims) signalProcess(victim, "SIGKILL");
    if (!(await waitUntilGone(victims, 30_000))) {
      throw new Error(`node ${this.name}: processes ${victims.join(", ")} still alive 30 s after SIGKILL`);
    }
    // Nobody may reap the dead postmaster (it then stays a zombie whose pid still answers
    // kill(pid, 0) and blocks a restart), so remove its lock files as a rebooted host would.
    await rm(join(this.dataDir, "postmaster.pid"), { force: true });
    await rm(join(this.socketDir, `.s.PGSQL.${this.port}.lock`), { force: true });
    await rm(join(this.socketDir, `.s.PGSQL.${this.port}`), { force: true });
  }

  /** Stops (fast) and starts the server. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Promotes a standby with `pg_ctl promote` and waits until it accepts writes. */
  async promote(): Promise<void> {
    const result = await this.pgCtl(["promote", "-w", "-t", "120"]);
    if (result.code !== 0) throw new Error(`node ${this.name}: pg_ctl promote failed:\n${result.stderr}`);
  }

  /** Reloads the configuration (SIGHUP through `pg_reload_conf()`). */
  async reload(): Promise<void> {
    await this.sql("SELECT pg_reload_conf()");
  }

  /**
   * Runs SQL through `psql` (ON_ERROR_STOP, no psqlrc) and returns the rows of every
   * statement that returns rows, each row as its column values as text (NULL reads as "").
   * Throws with psql's error on failure. Several statements may be given; they run in
   * autocommit unless the text holds BEGIN/COMMIT. Values must not contain newlines
   * (rows are split on them).
   */
  async sql(query: string, options: SqlOptions = {}): Promise<string[][]> {
    const result = await this.psql(query, options);
    if (result.code !== 0) {
      throw new Error(`node ${this.name}: psql failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    return parseUnalignedRows(result.stdout);
  }

  /** Like {@link sql} but returns psql's whole result (exit code, stdout, stderr) and never throws. */
  psql(query: string, options: SqlOptions = {}): Promise<CommandResult> {
    const viaTcp = options.password !== undefined || options.tcp === true;
    const args = [
      "--no-psqlrc", "--quiet", "--no-align", "--tuples-only",
      "--field-separator", FIELD_SEPARATOR,
      "--set", "ON_ERROR_STOP=1",
      "--host", viaTcp ? LOOPBACK : this.socketDir,
      "--port", String(this.port),
      "--username", options.user ?? "postgres",
      "--dbname", options.database ?? "postgres",
      "--file", "-",
    ];
    return runCommand(join(PG_BIN, "psql"), args, {
      ...this.postgresRun(),
      input: query,
      env: { PGPASSWORD: options.password, PGCONNECT_TIMEOUT: "10" },
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** The first column of the first row of a query, or undefined when it returns no rows. */
  async sqlValue(query: string, options: SqlOptions = {}): Promise<string | undefined> {
    return (await this.sql(query, options))[0]?.[0];
  }

  /** Tells whether the server is in recovery (a standby, or restoring). */
  async isInRecovery(): Promise<boolean> {
    return (await this.sqlValue("SELECT pg_is_in_recovery()")) === "t";
  }

  /** Creates a database owned by `owner` (default `postgres`). */
  async createDatabase(database: string, owner = "postgres"): Promise<void> {
    await this.sql(`CREATE DATABASE "${database.replace(/"/g, '""')}" OWNER "${owner.replace(/"/g, '""')}"`);
  }

  /**
   * Waits until this standby has replayed everything `upstream` has written so far
   * (its current WAL insert position). Throws after `timeoutMs`.
   */
  async waitForReplay(upstream: PgNode, timeoutMs = 300_000): Promise<void> {
    const target = await upstream.sqlValue("SELECT pg_current_wal_insert_lsn()");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = await this.sqlValue(
        `SELECT coalesce(pg_last_wal_replay_lsn() >= ${sqlLiteral(target ?? "0/0")}::pg_lsn, false)`,
      );
      if (done === "t") return;
      if (Date.now() > deadline) {
        throw new Error(`node ${this.name}: not replayed up to ${target} of ${upstream.name} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The last `lines` lines of the server log (for failure messages). */
  async logTail(lines = 50): Promise<string> {
    try {
      return (await readFile(this.logFile, "utf8")).split("\n").slice(-lines - 1).join("\n");
    } catch {
      return "(no server log)";
    }
  }

  /** Run options for a command as `postgres` in this node's folder. */
  postgresRun(): Pick<RunOptions, "asPostgres" | "cwd"> {
    return { asPostgres: true, cwd: this.dir };
  }

  private pgCtl(args: readonly string[]): Promise<CommandResult> {
    return runCommand(join(PG_BIN, "pg_ctl"), ["-D", this.dataDir, ...args], { ...this.postgresRun(), timeoutMs: 180_000 });
  }
}

const FIELD_SEPARATOR = "\x1f";

/** Splits psql's unaligned, tuples-only output (fields split by U+001F, rows by newlines) into rows. */
export function parseUnalignedRows(stdout: string): string[][] {
  const text = stdout.replace(/\n$/, "");
  if (text === "") return [];
  return text.split("\n").map((record) => record.split(FIELD_SEPARATOR));
}
