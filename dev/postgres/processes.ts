/** Process facts read from /proc (Linux), for stopping and crashing servers by pid. */
import { readFileSync, readdirSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

/** State letter and parent pid of `pid`, or undefined when it does not exist. */
function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ppid ..."; comm may hold spaces and parentheses, so split after the last ")".
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Tells whether `pid` is a running process (a zombie counts as gone: it can never run again). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

/** Pids of the live direct children of `pid`. */
export function childPids(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => readStat(candidate)?.ppid === pid && isAlive(candidate));
}

/** Sends `signal` to `pid`; ignores a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Waits until none of `pids` is alive; returns false when `timeoutMs` passes first. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Pids of running processes whose command line mentions `path` (e.g. a leftover scratch server). */
export async function processesMentioning(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (commandLine.split("\0").some((arg) => arg.includes(path))) pids.push(Number(entry));
  }
  return pids;
}
