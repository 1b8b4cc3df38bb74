/**
 * A long-running server of the Patroni harness (etcd, Patroni, s3rver) started in a region's
 * namespace, its output appended to a log file, and stopped by its own pid, never by name.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { childEnvironment } from "../../tools/process/exec";
import { isAlive, signalProcess, waitUntilGone } from "../postgres/processes";

export class Daemon {
  private constructor(
    /** What the server is, for messages. */
    readonly label: string,
    private readonly child: ChildProcess,
    /** Where its stdout and stderr go. */
    readonly logFile: string,
  ) {}

  /** Spawns `[command, args]` (already wrapped for its namespace and user) with `env` over ours. */
  static start(label: string, [command, args]: [string, string[]], options: { logFile: string; env?: Record<string, string | undefined> }): Daemon {
    const fd = openSync(options.logFile, "a");
    try {
      const child = spawn(command, args, { stdio: ["ignore", fd, fd], env: childEnvironment(options.env) });
      child.on("error", () => undefined);
      return new Daemon(label, child, options.logFile);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && isAlive(this.pid);
  }

  /** Sends `signal` (SIGTERM unless given), waits until the process is gone, SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<void> {
    if (!this.running) return;
    signalProcess(this.pid, signal);
    if (await waitUntilGone([this.pid], timeoutMs)) return;
    signalProcess(this.pid, "SIGKILL");
    if (!(await waitUntilGone([this.pid], 10_000))) throw new Error(`${this.label} (pid ${this.pid}) still runs after SIGKILL`);
  }

  /** The last `lines` lines of its log, for failure messages. */
  async logTail(lines = 40): Promise<string> {
    const text = await readFile(this.logFile, "utf8").catch(() => "(no log)");
    return text.split("\n").slice(-lines - 1).join("\n");
  }
}
