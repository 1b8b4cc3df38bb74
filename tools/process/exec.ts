/**
 * Running processes for the real-PostgreSQL tests: as the current user or as `postgres`
 * (through `runuser`, since the server binaries refuse to run as root).
 */
import { spawn } from "node:child_process";

/** What a finished process left behind. */
export interface CommandResult {
  /** Exit code; `null` when the process was ended by a signal. */
  code: number | null;
  /** Signal that ended the process, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock run time, in milliseconds. */
  durationMs: number;
}

/** How to run one command. */
export interface RunOptions {
  /**
   * Run as the `postgres` OS user through `runuser -u postgres --`.
   * @default false
   */
  asPostgres?: boolean;
  /**
   * Extra environment variables, merged over this process's environment. Secrets go here,
   * never into `args`: `runuser` keeps the environment, so they reach the child unseen by `ps`.
   * @default {}
   */
  env?: Record<string, string | undefined>;
  /** Text written to the child's stdin, which is then closed. @default "" */
  input?: string;
  /** Working directory; give one `postgres` can enter when `asPostgres` is set. @default process.cwd() */
  cwd?: string;
  /**
   * Kill the child (SIGKILL) after this many milliseconds.
   * @default 120000
   */
  timeoutMs?: number;
}

/** Environment variables that would silently redirect libpq clients; removed from every child. */
const LIBPQ_OVERRIDES = ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGOPTIONS"];

/** The child's environment: ours without libpq overrides, then the caller's additions. */
export function childEnvironment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of LIBPQ_OVERRIDES) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs a command to completion and returns its exit status and output; never throws for a non-zero exit. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, argv] = options.asPostgres ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: childEnvironment(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - started });
    });
    child.stdin.on("error", () => undefined); // the child may exit before reading its input
    child.stdin.end(options.input ?? "");
  });
}

/** Like {@link runCommand}, but throws (with the command line and its stderr) unless the exit code is 0. */
export async function runChecked(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${result.code ?? result.signal}:\n${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}
