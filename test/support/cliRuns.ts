/**
 * Running the command-line tools as `npm run` starts them (tools/cli/run.js: the prebuilt bundle
 * when fresh), with none of the test runner's own terminal settings: no COLUMNS, FORCE_COLOR or
 * NO_COLOR unless a test gives them, so the output is what a pipe gets (100 columns, no colour).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { repositoryRoot } from "../../tools/offline/stackFiles";
import { runCommand } from "../../tools/process/exec";

/** What a finished tool left behind. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a run: the test's own without terminal settings, plus `env`; without
 * INIT_CWD too (npm's, from wherever the tests were started), so a relative path is taken from
 * the repository root, where the tool runs.
 */
export function toolEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NO_COLOR: _no, COLUMNS: _columns, INIT_CWD: _initCwd, ...rest } = process.env;
  return { ...rest, ...env };
}

/** Runs `tools/cli/<script>.ts` with `args` from the repository root; `input` goes to its stdin. */
export function runTool(script: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): ToolRun {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "tools/cli/run.js"), `tools/cli/${script}.ts`, ...args], {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 600_000,
    env: toolEnv(options.env),
    input: options.input,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** {@link runTool} without blocking, so several tools can run side by side (tools/process/exec.ts runs it). */
export async function runToolAsync(script: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<ToolRun> {
  const { code, stdout, stderr } = await runCommand(process.execPath, [path.join(repositoryRoot, "tools/cli/run.js"), `tools/cli/${script}.ts`, ...args], {
    cwd: repositoryRoot,
    env: { FORCE_COLOR: undefined, NO_COLOR: undefined, COLUMNS: undefined, INIT_CWD: undefined, ...options.env },
    input: options.input,
    timeoutMs: 600_000,
  });
  return { code, stdout, stderr };
}

/** Text with its wrapped lines joined again (a continuation starts with spaces and `… `; tools/cli/terminal.ts keeps every character). */
export const unwrapped = (text: string): string => text.replace(/\n +… /g, "");
