/**
 * A harness for real PostgreSQL 15 servers in tests: a {@link PgSandbox} owns a temp folder
 * (owned by `postgres`) and every {@link PgNode} (one data directory + one server) made in it.
 * Everything runs as the `postgres` OS user through `runuser`; servers listen on free
 * loopback ports and on a Unix socket in the node's folder. Generic: no promotion, backup
 * or schema logic lives here.
 *
 * @example
 * const sandbox = await PgSandbox.create("promotion");
 * afterAll(() => sandbox.destroy());
 * const primary = await sandbox.initPrimary({ name: "east", settings: { wal_keep_size: "64MB" } });
 * const standby = await sandbox.createStandby(primary, { name: "west", slot: "west" });
 * await primary.sql("CREATE TABLE t (id int)");
 * await standby.waitForReplay(primary);
 * const rows = await standby.sql("SELECT count(*) FROM t"); // [["0"]]
 */
import { existsSync } from "node:fs";
import { appendFile, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChecked, runCommand, type CommandResult, type RunOptions } from "../../tools/process/exec";
import { freeLoopbackPort } from "./ports";
import { childPids, isAlive, signalProcess, waitUntilGone } from "./processes";

/** Folder of the PostgreSQL 15 server binaries (Debian layout). */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** The loopback address every node listens on. */
export const LOOPBACK = "127.0.0.1";

/** A postgresql.conf value: strings are quoted, numbers written bare, booleans as on/off. */
export type PgSettingValue = string | number | boolean;

/** postgresql.conf settings by name, e.g. `{ archive_mode: "on", archive_timeout: 60 }`. */
export type PgSettings = Readonly<Record<string, PgSettingValue>>;

/** Settings every node starts with (the caller's settings come after and win). */
const BASE_SETTINGS: PgSettings = {
  // kill -9 of the server keeps the OS page cache, so crash tests stay truthful without fsync.
  fsync: "off",
  logging_collector: "off",
  log_line_prefix: "%m [%p] %q%u@%d ",
};

/** Renders settings as postgresql.conf lines; throws on a name that is not a setting name. */
export function renderSettings(settings: PgSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
        throw new Error(`settings: key "${name}" is not a postgresql.conf setting name (letters, digits, "_", ".")`);
      }
      const rendered =
        typeof value === "boolean" ? (value ? "on" : "off")
        : typeof value === "number" ? String(value)
        : `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
      return `${name} = ${rendered}\n`;
    })
    .join("");
}

/** Quotes a string as an SQL literal ('it''s'). */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Uid and gid of the `postgres` OS user, read once. */
let postgresIds: Promise<{ uid: number; gid: number }> | undefined;
/** Fails with what to install when this machine cannot run the real-PostgreSQL tests. */
function requireServerTools(): void {
  const missing = [join(PG_BIN, "initdb"), "/usr/bin/pgbackrest", "/usr/sbin/runuser"].filter((tool) => !existsSync(tool));
  const uid = process.getuid?.();
  if (missing.length > 0 || uid !== 0) {
    throw new Error(
      `the real-PostgreSQL tests run as root with PostgreSQL 15 and pgBackRest installed (missing: ${missing.join(", ") || "none"}; ` +
        `running as uid ${uid}): run \`apt-get install -y postgresql-15 pgbackrest\` and the tests as root, as .ci/run does`,
    );
  }
}

function postgresUser(): Promise<{ uid: number; gid: number }> {
  postgresIds ??= (async () => {
    const [uid, gid] = await Promise.all([runChecked("id", ["-u", "postgres"]), runChecked("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  })();
  return postgresIds;
}

/** Creates a folder (and its parents under it) owned by `postgres`, mode 0700. */
async function makeOwnedDir(path: string): Promise<void> {
  const { uid, gid } = await postgresUser();
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chown(path, uid, gid);
}

/** Writes a file owned by `postgres` (mode 0600 unless given). */
export async function writeOwnedFile(path: string, content: string, mode = 0o600): Promise<void> {
  const { uid, gid } = await postgresUser();
  await writeFile(path, content, { mode });
  await chown(path, uid, gid);
}

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

/** Options for {@link PgSandbox.initPrimary}. */
export interface PrimaryOptions {
  /** Node name: its folder name and the prefix in messages. Unique in the sandbox. */
  name: string;
  /** Extra postgresql.conf settings (e.g. `archive_mode`, `archive_command`). @default {} */
  settings?: PgSettings;
  /**
   * Make TCP connections (other than replication) use scram-sha-256 password auth, with this
   * password for the `postgres` superuser. Unix-socket connections stay `trust`, and
   * replication from loopback stays `trust` so standbys need no stored password.
   * @default undefined (trust on loopback)
   */
  superuserPassword?: string;
  /** Extra `initdb` arguments, e.g. `["--data-checksums"]`. @default [] */
  initdbArgs?: readonly string[];
  /** Start the server after initdb. @default true */
  start?: boolean;
}

/** Options for {@link PgSandbox.createStandby}. */
export interface StandbyOptions {
  /** Node name: its folder name and the prefix in messages. Unique in the sandbox. */
  name: string;
  /** Extra postgresql.conf settings for the standby. @default {} */
  settings?: PgSettings;
  /**
   * Physical replication slot on the upstream used by the standby; created by pg_basebackup
   * (`-C -S`) and written to `primary_slot_name`.
   * @default undefined (no slot)
   */
  slot?: string;
  /** Start the standby after the base backup. @default true */
  start?: boolean;
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

/**
 * A temp folder owned by `postgres` holding any number of {@link PgNode}s.
 * {@link destroy} stops every server it started (by pid) and removes the folder;
 * call it from `afterAll`. Set `PG_HARNESS_KEEP=1` to keep the folder for debugging.
 */
export class PgSandbox {
  private readonly nodes: PgNode[] = [];

  private constructor(
    /** The sandbox folder, e.g. /tmp/pg-promotion-Ab12Cd. */
    readonly root: string,
  ) {}

  /** Creates the sandbox folder; `label` goes into its name. */
  static async create(label = "test"): Promise<PgSandbox> {
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(label)) {
      throw new Error(`PgSandbox.create: label "${label}" must be 1-20 letters, digits, "_" or "-"`);
    }
    requireServerTools();
    // Short paths: a Unix socket path must stay under 108 bytes.
    const root = await mkdtemp(join(tmpdir(), `pg-${label}-`));
    const { uid, gid } = await postgresUser();
    await chown(root, uid, gid);
    return new PgSandbox(root);
  }

  /** Creates a folder under the sandbox owned by `postgres` (e.g. a pgBackRest repository) and returns its path. */
  async makeDir(relative: string): Promise<string> {
    if (relative.split("/").includes("..")) throw new Error(`makeDir: "${relative}" must stay inside the sandbox`);
    const path = join(this.root, relative);
    await makeOwnedDir(path);
    return path;
  }

  /**
   * Allocates a node (name, free port, folder) without creating its data directory: for a
   * data directory made by other tools (pgBackRest restore, pg_basebackup). Fill
   * `node.dataDir`, then call `node.configure(settings)` and `node.start()`.
   */
  async prepareNode(name: string): Promise<PgNode> {
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(name)) {
      throw new Error(`node name "${name}" must be 1-20 letters, digits, "_" or "-"`);
    }
    if (this.nodes.some((node) => node.name === name)) throw new Error(`node name "${name}" is already used in ${this.root}`);
    const node = new PgNode(name, await freeLoopbackPort(), join(this.root, name));
    await makeOwnedDir(node.dir);
    await makeOwnedDir(node.socketDir);
    this.nodes.push(node);
    return node;
  }

  /** Runs initdb (superuser `postgres`, UTF8, C locale), writes pg_hba.conf and, by default, starts the server. */
  async initPrimary(options: PrimaryOptions): Promise<PgNode> {
    const node = await this.prepareNode(options.name);
    const args = ["-D", node.dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", ...(options.initdbArgs ?? [])];
    const passwordFile = join(node.dir, "initdb.pw");
    if (options.superuserPassword !== undefined) {
      await writeOwnedFile(passwordFile, `${options.superuserPassword}\n`);
      args.push(`--pwfile=${passwordFile}`);
    }
    try {
      await runChecked(join(PG_BIN, "initdb"), args, node.postgresRun());
    } finally {
      await rm(passwordFile, { force: true });
    }
    await writeOwnedFile(join(node.dataDir, "pg_hba.conf"), hbaRules(options.superuserPassword !== undefined));
    await node.configure(options.settings);
    if (options.start ?? true) await node.start();
    return node;
  }

  /**
   * Makes a streaming standby of `upstream` with `pg_basebackup -R` over loopback
   * (`primary_conninfo` written to postgresql.auto.conf), and by default starts it.
   */
  async createStandby(upstream: PgNode, options: StandbyOptions): Promise<PgNode> {
    const node = await this.prepareNode(options.name);
    const args = [
      "-h", LOOPBACK, "-p", String(upstream.port), "-U", "postgres",
      "-D", node.dataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync",
      ...(options.slot !== undefined ? ["-C", "-S", options.slot] : []),
    ];
    await runChecked(join(PG_BIN, "pg_basebackup"), args, node.postgresRun());
    await node.configure(options.settings);
    if (options.start ?? true) await node.start();
    return node;
  }

  /** Every node made in this sandbox, in creation order. */
  get allNodes(): readonly PgNode[] {
    return this.nodes;
  }

  /**
   * Stops every running server of this sandbox by pid (fast, then SIGKILL after 20 s) and
   * removes the folder (kept when `PG_HARNESS_KEEP=1`). Safe to call twice.
   */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop(20_000)));
    if (process.env.PG_HARNESS_KEEP === "1") return;
    await rm(this.root, { recursive: true, force: true });
  }
}

/** pg_hba.conf: trust on the Unix socket and for loopback replication; trust or scram for loopback TCP. */
function hbaRules(passwordAuth: boolean): string {
  const tcpMethod = passwordAuth ? "scram-sha-256" : "trust";
  return [
    "# written by the test harness",
    "local all all trust",
    "local replication all trust",
    `host replication all ${LOOPBACK}/32 trust`,
    `host all all ${LOOPBACK}/32 ${tcpMethod}`,
    "",
  ].join("\n");
}
