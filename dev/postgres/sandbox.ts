/** A temp folder owned by `postgres` holding any number of {@link PgNode}s: primaries and standbys made in it. */
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChecked } from "../../tools/process/exec";
import { LOOPBACK, PgNode } from "./pgNode";
import { freeLoopbackPort } from "./ports";
import { makeOwnedDir, PG_BIN, postgresUser, requireServerTools, writeOwnedFile } from "./serverTools";
import type { PgSettings } from "./settings";

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
