/**
 * One Patroni member of the harness: Patroni 3.0.2 run as `postgres` in its region's
 * namespace, managing a PostgreSQL 15 whose data directory and Unix socket live in the test's
 * sandbox. The test reaches the server through that socket (a path, shared by every network
 * namespace), so it can sample a region that is cut off, and reaches Patroni's REST API with
 * curl from inside a region.
 */
import { readFile } from "node:fs/promises";
import { Daemon } from "./daemon";
import type { RegionNetwork, RegionRole } from "./network";
import { PG_BIN, PgNode, writeOwnedFile } from "../postgres/cluster";
import type { DrHost } from "../postgres/pgbackrest";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { isAlive } from "../postgres/processes";

/** PostgreSQL's and the REST API's ports inside each namespace. */
export const POSTGRES_PORT = 5432;
export const REST_API_PORT = 8008;

/** A REST API answer. */
export interface RestAnswer {
  /** HTTP status; 0 when no answer came (refused, timed out, unreachable). */
  status: number;
  body: string;
}

export class PatroniMember {
  private daemon: Daemon | undefined;

  constructor(
    private readonly network: RegionNetwork,
    /** The region role this member runs in. */
    readonly role: RegionRole,
    /** Member name: the region code. */
    readonly name: string,
    /** The PostgreSQL server Patroni manages (port {@link POSTGRES_PORT}, socket in the sandbox). */
    readonly node: PgNode,
    /** The pgBackRest config and scripts the stack installs on this host. */
    readonly host: DrHost,
    /** patroni.yml. */
    readonly configFile: string,
    private readonly logFile: string,
    /** Environment of Patroni and everything it runs (archive_command, restore_command). */
    readonly env: Record<string, string>,
    /** Basic auth of the REST API's unsafe endpoints, `user:password`. */
    private readonly restAuth: string,
  ) {}

  get address(): string {
    return this.network.address(this.role);
  }

  get restUrl(): string {
    return `https://${this.address}:${REST_API_PORT}`;
  }

  /** Starts Patroni (it starts, bootstraps or joins PostgreSQL by itself). */
  start(): void {
    if (this.daemon?.running) throw new Error(`patroni ${this.name} already runs (pid ${this.daemon.pid})`);
    this.daemon = Daemon.start(`patroni ${this.name}`, this.network.wrap(this.role, "patroni", [this.configFile], true), {
      logFile: this.logFile,
      env: this.env,
    });
  }

  /** Patroni's pid (the process itself: `ip netns exec` and `setpriv` exec), for a stand-in that signals it; undefined when it never started. */
  get patroniPid(): number | undefined {
    return this.daemon?.pid;
  }

  get patroniRunning(): boolean {
    return this.daemon?.running ?? false;
  }

  /** Patroni's whole log (every run of this member: the file is appended to), e.g. to find what it ran. */
  readLog(): Promise<string> {
    return this.daemon ? readFile(this.daemon.logFile, "utf8") : Promise.resolve("");
  }

  /** Patroni's log tail, for failure messages. */
  logTail(lines = 40): Promise<string> {
    return this.daemon?.logTail(lines) ?? Promise.resolve("(patroni never started)");
  }

  /** Stops Patroni as systemd would (SIGTERM: Patroni stops PostgreSQL, then exits), then makes sure the postmaster is gone. */
  async stop(): Promise<void> {
    await this.daemon?.stop("SIGTERM", 60_000);
    await this.node.stop(30_000);
  }

  /** The host loses power: Patroni and every PostgreSQL process get SIGKILL. */
  async crash(): Promise<void> {
    await this.daemon?.stop("SIGKILL");
    await this.node.crash();
  }

  /** Sends SIGHUP to Patroni: it rereads patroni.yml. */
  reloadConfig(): void {
    if (this.daemon?.running && isAlive(this.daemon.pid)) process.kill(this.daemon.pid, "SIGHUP");
  }

  /** Rewrites patroni.yml (e.g. lifting `nofailover`) and reloads Patroni. */
  async rewriteConfig(edit: (yaml: string) => string): Promise<void> {
    await writeOwnedFile(this.configFile, edit(await readFile(this.configFile, "utf8")));
    this.reloadConfig();
  }

  /**
   * Calls this member's REST API from inside `from` (a region that can reach it; default its
   * own). Unsafe methods carry the basic auth (`user:password`; default the lab's).
   */
  async rest(path: string, options: { method?: string; body?: unknown; from?: RegionRole; timeoutSeconds?: number; auth?: string } = {}): Promise<RestAnswer> {
    const method = options.method ?? "GET";
    const args = ["-sk", "--max-time", String(options.timeoutSeconds ?? 5), "-X", method, "-w", "\n%{http_code}", `${this.restUrl}${path}`];
    if (method !== "GET") args.push("-u", options.auth ?? this.restAuth);
    if (options.body !== undefined) args.push("-H", "Content-Type: application/json", "--data", JSON.stringify(options.body));
    const [command, argv] = this.network.wrap(options.from ?? this.role, "curl", args);
    const result = await runCommand(command, argv, { timeoutMs: ((options.timeoutSeconds ?? 5) + 10) * 1000 });
    const lines = result.stdout.split("\n");
    const status = Number(lines.pop());
    return { status: Number.isFinite(status) ? status : 0, body: lines.join("\n") };
  }

  /** `patronictl` with this member's config, from inside its region. */
  patronictl(args: readonly string[]): Promise<CommandResult> {
    const [command, argv] = this.network.wrap(this.role, "patronictl", ["-c", this.configFile, ...args], true);
    return runCommand(command, argv, { env: { HOME: "/var/lib/postgresql" }, timeoutMs: 120_000 });
  }

  /** pgBackRest with the host's rendered config, as `postgres` inside its region. */
  pgbackrest(args: readonly string[], timeoutMs = 300_000): Promise<CommandResult> {
    const [command, argv] = this.network.wrap(this.role, "pgbackrest", [`--config=${this.host.configFile}`, "--stanza=crazy-gary", ...args], true);
    return runCommand(command, argv, { env: { ...this.env, PGPASSFILE: this.host.passwordFile }, timeoutMs });
  }

  /** How many backups each repository (repo1, repo2) holds, read with `pgbackrest info` from this member's host. */
  async backupCounts(): Promise<number[]> {
    const counts: number[] = [];
    for (const repo of [1, 2]) {
      const result = await this.pgbackrest([`--repo=${repo}`, "--output=json", "info"]);
      if (result.code !== 0) throw new Error(`pgbackrest info --repo=${repo} on ${this.name} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      counts.push((JSON.parse(result.stdout) as { backup: unknown[] }[])[0]!.backup.length);
    }
    return counts;
  }

  /** Runs an installed host script (bin/<script>) as its systemd unit would, as `postgres` inside its region. */
  runScript(script: string, args: readonly string[] = [], timeoutMs = 600_000): Promise<CommandResult> {
    const [command, argv] = this.network.wrap(this.role, "bash", [`${this.host.params.paths!.binDir}/${script}`, ...args], true);
    return runCommand(command, argv, {
      timeoutMs,
      env: {
        ...this.env,
        CRAZY_GARY_DR_ENV: this.host.envFile,
        PATH: `${this.host.aws.binDir}:${PG_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      },
    });
  }
}

/**
 * The member rows of `patronictl list`'s table (Patroni 3.0.2 prints Member, Host, Role, State,
 * TL, Lag in MB and, when any member has tags, Tags: patroni/ctl.py `output_members`), by column name.
 */
export function patronictlRows(table: string): Record<string, string>[] {
  const lines = table.split("\n").filter((line) => line.startsWith("|"));
  const cells = (line: string) => line.split("|").slice(1, -1).map((cell) => cell.trim());
  const [header, ...rows] = lines;
  if (!header) return [];
  const names = cells(header);
  return rows.map((row) => Object.fromEntries(cells(row).map((cell, i) => [names[i], cell])));
}
