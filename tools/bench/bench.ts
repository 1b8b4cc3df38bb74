/**
 * `npm run bench [-- --runs N] [-- --skip-tests]`: wall time of the offline plan (a cold process
 * each run) and of each part of the test command, on this machine. Prints figures; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { parseFlags, runCli, UsageError } from "../cli/args";
import { repositoryRoot } from "../offline/stackFiles";

function timeCommand(command: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: repositoryRoot, stdio: "ignore", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { values: ["runs"], switches: ["skip-tests"] });
  const runs = Number(flags.values.runs?.[0] ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.values.runs?.[0]}: not a whole number >= 1`);
  process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  for (const stack of ["prod", "dr"]) {
    const times = Array.from({ length: runs }, () => timeCommand("npm", ["run", "-s", "plan", "--", "--stack", stack]));
    process.stdout.write(`plan --stack ${stack}: median ${median(times).toFixed(2)} s, max ${Math.max(...times).toFixed(2)} s over ${runs} cold runs (target < 3 s)\n`);
  }
  if (!flags.switches.has("skip-tests")) {
    const parts: [string, string, string[]][] = [
      ["typecheck", "npm", ["run", "-s", "typecheck"]],
      ["lint", "npm", ["run", "-s", "lint"]],
      ["vitest project unit (mock engine, in-process; target < 20 s)", "npx", ["vitest", "run", "--project", "unit"]],
      ["vitest project processes (CLIs, entry point and pack through ts-node, actionlint)", "npx", ["vitest", "run", "--project", "processes"]],
      ["vitest project postgres (real PostgreSQL 15 + pgBackRest)", "npx", ["vitest", "run", "--project", "postgres"]],
    ];
    let total = 0;
    for (const [label, command, args] of parts) {
      const seconds = timeCommand(command, args);
      total += seconds;
      process.stdout.write(`${label}: ${seconds.toFixed(1)} s\n`);
    }
    process.stdout.write(`npm test (the five above): ${total.toFixed(1)} s (target < 60 s)\n`);
  }
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (figures are wall time: compare runs at a similar load)\n`);
  return 0;
}, () => false);
