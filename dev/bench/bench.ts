/**
 * `npm run bench [-- --runs N] [--skip-tests] [--node PATH]`: what starting the CLIs costs on this
 * machine. Prints figures with the load average each was taken at; asserts nothing.
 *
 * Per stack (prod, dr), `npm run -s plan -- --stack NAME` timed as a user runs it (npm's own start
 * included, measured apart), in kinds interleaved round by round so that each sees the same load:
 * - bundle: its bundle in dist/ fresh (tools/cli/build.js), the cost of every run but the first
 *   after a change; on Node 22.1+ with the module compile cache of earlier runs (tools/cli/run.js);
 * - no compile cache (Node 22.1+ only): the same with NODE_DISABLE_COMPILE_CACHE=1;
 * - rebuilt: the bundle removed first, so the run builds it (the first plan after an edit);
 * - sources: CRAZY_GARY_NO_BUNDLE=1, the TypeScript sources one module at a time through ts-node.
 * Then `npm ci`'s prepare step (every CLI's bundle built), the lines of start-up code (goal: at
 * most 250), and unless --skip-tests the parts of the test command. `--node PATH` runs npm and the
 * plans with another Node (a binary or its folder) to compare Node 20, 22 and 24.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { benchCommand } from "../../tools/cli/commands";
import { repositoryRoot } from "../../tools/offline/stackFiles";

/** The start-up code: what makes a CLI start from its bundle (goal of issue #24: at most 250 lines). */
const startupFiles = ["tools/cli/run.js", "tools/cli/build.js", "tools/cli/notBundled.js"];

/** Environment of every timed command; PATH starts with `--node`'s folder when given. */
let benchEnv: Record<string, string | undefined> = { ...process.env, CI: "true" };

/**
 * CPU seconds (user + system) of this process's finished children, from /proc/self/stat
 * (`cutime` + `cstime`, fields 16 and 17, in clock ticks of 1/100 s on Linux: proc(5)); a child's
 * own children count once it has waited for them. Less sensitive to load than wall time;
 * `undefined` where /proc is not there.
 */
function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    // After the name: state is field 3, so field n is at index n - 3.
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
  } catch {
    return undefined;
  }
}

/** Wall time of a command, and the CPU time it and its children used. */
function runTimed(command: string, args: string[], env: Record<string, string> = {}): { seconds: number; cpu?: number } {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: repositoryRoot, stdio: "ignore", env: { ...benchEnv, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  return { seconds, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

const timeCommand = (command: string, args: string[], env: Record<string, string> = {}): number => runTimed(command, args, env).seconds;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load1 = () => os.loadavg()[0];

interface Sample {
  seconds: number;
  /** CPU seconds of the run (npm and the plan), where /proc gives them. */
  cpu?: number;
  /** One-minute load average when the run started. */
  load: number;
}

const summary = (samples: Sample[]) => {
  const seconds = samples.map((s) => s.seconds);
  const loads = samples.map((s) => s.load);
  const cpu = samples.flatMap((s) => (s.cpu === undefined ? [] : [s.cpu]));
  return (
    `median ${median(seconds).toFixed(2)} s, max ${Math.max(...seconds).toFixed(2)} s over ${samples.length}` +
    `${cpu.length ? `, CPU median ${median(cpu).toFixed(2)} s` : ""} (load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})`
  );
};

const kinds = ["bundle", "no compile cache", "rebuilt", "sources"] as const;
type Kind = (typeof kinds)[number];

/** The version of the Node that the timed commands run. */
const nodeVersion = (): string => spawnSync("node", ["--version"], { env: benchEnv, encoding: "utf8" }).stdout.trim();

/** True for Node 22.1 and later, which have `module.enableCompileCache`. */
const hasCompileCache = (version: string): boolean => {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 1);
};

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), benchCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; bench takes flags only (npm run -s bench -- --help)`);
  const runs = Number(flags.values.runs?.[0] ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.values.runs?.[0]}: not a whole number >= 1`);
  const node = flags.values.node?.[0];
  if (node !== undefined) {
    const folder = path.basename(node) === "node" ? path.dirname(path.resolve(node)) : path.resolve(node);
    benchEnv = { ...benchEnv, PATH: `${folder}${path.delimiter}${process.env.PATH}` };
  }
  const version = nodeVersion();
  if (!version) throw new UsageError(`--node ${node}: no node there; give a node binary or the folder holding it`);
  const skipTests = flags.switches.has("skip-tests");
  const stacks = ["prod", "dr"];
  const measured: readonly Kind[] = kinds.filter((k) => k !== "no compile cache" || hasCompileCache(version));
  process.stdout.write(
    `bench will run ${runs} round(s) of \`npm run -s plan -- --stack NAME\` for ${stacks.join(" and ")}, each of: ${measured.join(", ")}; then npm ci's prepare step (node tools/cli/build.js)` +
      `${skipTests ? "" : "; then typecheck, lint and the three vitest projects (several minutes; --skip-tests for the plans alone)"}\n` +
      "bundle = dist/'s fresh bundle (every run but the first after a change); no compile cache = the same with NODE_DISABLE_COMPILE_CACHE=1; " +
      "rebuilt = its bundle removed first, so the run builds it (the first run after an edit); sources = CRAZY_GARY_NO_BUNDLE=1 (ts-node, one module at a time)\n",
  );
  process.stdout.write(
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; plans on Node ${version}` +
      `${hasCompileCache(version) ? " (module compile cache on)" : " (no module compile cache before Node 22.1)"}; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}` +
      " (other work on the machine slows every figure: compare runs at a similar load, and the CPU seconds)\n",
  );
  const npmStart = { ...runTimed("npm", ["--version"]), load: load1() };
  const samples = Object.fromEntries(stacks.map((stack) => [stack, Object.fromEntries(measured.map((k) => [k, [] as Sample[]]))]));
  for (let round = 1; round <= runs; round++) {
    for (const stack of stacks) {
      const plan = ["run", "-s", "plan", "--", "--stack", stack];
      process.stderr.write(`  round ${round}/${runs}, plan --stack ${stack}:`);
      // Untimed: the bundle fresh, and Node's compile cache filled, before the first timed run.
      runTimed("npm", plan);
      for (const kind of measured) {
        if (kind === "rebuilt") rmSync(path.join(repositoryRoot, "dist", "tools", "cli", "plan.js"), { force: true });
        const env: Record<string, string> = kind === "sources" ? { CRAZY_GARY_NO_BUNDLE: "1" } : kind === "no compile cache" ? { NODE_DISABLE_COMPILE_CACHE: "1" } : {};
        const load = load1();
        const { seconds, cpu } = runTimed("npm", plan, env);
        samples[stack][kind].push({ seconds, cpu, load });
        process.stderr.write(` ${kind} ${seconds.toFixed(2)} s (load ${load.toFixed(1)})`);
      }
      process.stderr.write("\n");
    }
  }
  for (const stack of stacks) {
    for (const kind of measured) process.stdout.write(`plan --stack ${stack}, ${kind}: ${summary(samples[stack][kind])}\n`);
  }
  const prodMedian = median(samples.prod.bundle.map((s) => s.seconds));
  process.stdout.write(`goal: npm run plan -- --stack prod at most 1.5 s: ${prodMedian <= 1.5 ? "met" : "not met"} (median ${prodMedian.toFixed(2)} s from the bundle, at the load shown)\n`);
  process.stdout.write(
    `each plan includes npm's own start: npm --version takes ${npmStart.seconds.toFixed(2)} s here${npmStart.cpu === undefined ? "" : `, CPU ${npmStart.cpu.toFixed(2)} s`} (load ${npmStart.load.toFixed(1)})\n`,
  );
  const prepare = { ...runTimed("node", [path.join(repositoryRoot, "tools/cli/build.js")]), load: load1() };
  process.stdout.write(`npm ci's prepare step (every CLI's bundle built): ${summary([prepare])}\n`);
  const lines = startupFiles.map((file) => readFileSync(path.join(repositoryRoot, file), "utf8").split("\n").length - 1);
  const startupLines = lines.reduce((a, b) => a + b, 0);
  process.stdout.write(`start-up code: ${startupLines} lines (${startupFiles.map((f, i) => `${f} ${lines[i]}`).join(", ")}); goal at most 250: ${startupLines <= 250 ? "met" : "not met"}\n`);
  if (!skipTests) {
    const parts: [string, string, string[]][] = [
      ["typecheck", "npm", ["run", "-s", "typecheck"]],
      ["lint", "npm", ["run", "-s", "lint"]],
      ["vitest project unit (mock engine, in-process; target < 20 s)", "npx", ["vitest", "run", "--project", "unit"]],
      ["vitest project processes (the CLIs from their bundles and sources, entry point and pack through ts-node, actionlint)", "npx", ["vitest", "run", "--project", "processes"]],
      ["vitest project postgres (real PostgreSQL 15 + pgBackRest)", "npx", ["vitest", "run", "--project", "postgres"]],
    ];
    let total = 0;
    for (const [label, command, args] of parts) {
      process.stderr.write(`  running ${command} ${args.join(" ")} ...\n`);
      const seconds = timeCommand(command, args);
      total += seconds;
      process.stdout.write(`${label}: ${seconds.toFixed(1)} s\n`);
    }
    process.stdout.write(`npm test (the five above, one after the other): ${total.toFixed(1)} s (goal: at most 10 min)\n`);
  }
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
  return 0;
}, () => false, benchCommand);
