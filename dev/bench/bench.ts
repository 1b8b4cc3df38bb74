/**
 * `npm run bench [-- --runs N] [-- --skip-tests]`: wall time of `npm run plan` per stack, cold and
 * warm, beside the same plan loaded from its TypeScript sources (the path before the bundles),
 * then of each part of the test command, on this machine. Prints figures with the load average
 * each was taken at; asserts nothing.
 *
 * Cold is the first plan after `npm ci` in a fresh clone: the bench forgets every cache and runs
 * `npm ci`'s `prepare` step (tools/cli/buildBundles.js: the bundles built, then each CLI run once,
 * which leaves its V8 code cache and dr's stand-in of prod's outputs), timed, then plans. Warm is
 * the next run. Unwarmed is a plan from a bundle with neither cache (the first plan after a
 * change to the sources, which run.js rebuilds the bundle for, also pays the rebuild). The four
 * kinds are interleaved so that each sees the same load.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { benchCommand } from "../../tools/cli/commands";
import { repositoryRoot } from "../../tools/offline/stackFiles";

const cacheDir = path.join(repositoryRoot, "node_modules", ".cache", "crazy-gary-cli");

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
  const result = spawnSync(command, args, { cwd: repositoryRoot, stdio: "ignore", env: { ...process.env, CI: "true", ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  return { seconds, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

const timeCommand = (command: string, args: string[], env: Record<string, string> = {}): number => runTimed(command, args, env).seconds;

/** Removes what a run leaves: the bundles' V8 code caches and dr's stand-in of prod's outputs. */
function forgetRunCaches(): void {
  const bundles = path.join(cacheDir, "bundles");
  for (const file of readdirSync(bundles)) if (file.endsWith(".v8cache")) rmSync(path.join(bundles, file), { force: true });
  rmSync(path.join(cacheDir, "sync-source"), { recursive: true, force: true });
}

/** Removes every cache (transpile cache of the sources path too): a fresh clone before `npm ci`'s prepare step. */
function forgetCaches(): void {
  for (const file of readdirSync(cacheDir)) if (file.endsWith(".js")) rmSync(path.join(cacheDir, file), { force: true });
  forgetRunCaches();
}

/** `npm ci`'s `prepare` step: the bundles built, then each CLI run once. */
const prepareStep = [path.join(repositoryRoot, "tools/cli/buildBundles.js")];

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

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), benchCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; bench takes flags only (npm run -s bench -- --help)`);
  const runs = Number(flags.values.runs?.[0] ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs ${flags.values.runs?.[0]}: not a whole number >= 1`);
  const skipTests = flags.switches.has("skip-tests");
  const stacks = ["prod", "dr"];
  process.stdout.write(
    `bench will run ${runs} round(s) of, per stack (${stacks.join(", ")}): ` +
      "npm ci's prepare step, then `npm run -s plan` cold, the same warm, unwarmed, and from the TypeScript sources (CRAZY_GARY_NO_BUNDLE=1, warm transpile cache); " +
      "then the prepare step once more, to leave the caches as npm ci leaves them" +
      `${skipTests ? "" : "; then typecheck, lint and the three vitest projects (several minutes; --skip-tests for the plans alone)"}\n` +
      "cold = the first plan after npm ci in a fresh clone (its prepare step builds the bundles and runs each CLI once); warm = the next run; " +
      "unwarmed = from a bundle without the V8 code cache and prod's kept outputs that a first run leaves\n",
  );
  process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
  const npmStart = { ...runTimed("npm", ["--version"]), load: load1() };
  const prepares: Sample[] = [];
  const samples = Object.fromEntries(stacks.map((stack) => [stack, { cold: [] as Sample[], warm: [] as Sample[], unwarmed: [] as Sample[], sources: [] as Sample[] }]));
  for (let round = 1; round <= runs; round++) {
    for (const stack of stacks) {
      const plan = ["run", "-s", "plan", "--", "--stack", stack];
      process.stderr.write(`  round ${round}/${runs}, plan --stack ${stack}:`);
      forgetCaches();
      const prepareLoad = load1();
      prepares.push({ ...runTimed(process.execPath, prepareStep), load: prepareLoad });
      process.stderr.write(` prepare ${prepares[prepares.length - 1]!.seconds.toFixed(1)} s,`);
      const measure = (kind: keyof (typeof samples)[string], env: Record<string, string> = {}) => {
        const load = load1();
        const { seconds, cpu } = runTimed("npm", plan, env);
        samples[stack][kind].push({ seconds, cpu, load });
        process.stderr.write(` ${kind} ${seconds.toFixed(2)} s (load ${load.toFixed(1)})`);
      };
      measure("cold");
      measure("warm");
      forgetRunCaches();
      measure("unwarmed");
      // Untimed first: the sources path with its transpile cache warm, as it ran before the bundles.
      if (round === 1) timeCommand("npm", plan, { CRAZY_GARY_NO_BUNDLE: "1" });
      measure("sources", { CRAZY_GARY_NO_BUNDLE: "1" });
      process.stderr.write("\n");
    }
  }
  // Leave the caches as npm ci leaves them.
  timeCommand(process.execPath, prepareStep);
  process.stdout.write(`prepare (bundles for plan, policy, config:diff, readiness, drill built, then each run once): ${summary(prepares)}, once per npm ci\n`);
  for (const stack of stacks) {
    const { cold, warm, unwarmed, sources } = samples[stack];
    process.stdout.write(
      `plan --stack ${stack}: cold ${summary(cold)}; warm ${summary(warm)} (target < 1.5 s cold: ${median(cold.map((s) => s.seconds)) < 1.5 ? "met" : "not met"})\n` +
        `plan --stack ${stack} unwarmed (no code cache, no kept outputs): ${summary(unwarmed)}\n` +
        `plan --stack ${stack} from the sources (before the bundles): ${summary(sources)}\n`,
    );
  }
  process.stdout.write(
    `each plan includes npm's own start: npm --version takes ${npmStart.seconds.toFixed(2)} s here${npmStart.cpu === undefined ? "" : `, CPU ${npmStart.cpu.toFixed(2)} s`} (load ${npmStart.load.toFixed(1)})\n`,
  );
  if (!skipTests) {
    const parts: [string, string, string[]][] = [
      ["typecheck", "npm", ["run", "-s", "typecheck"]],
      ["lint", "npm", ["run", "-s", "lint"]],
      ["vitest project unit (mock engine, in-process; target < 20 s)", "npx", ["vitest", "run", "--project", "unit"]],
      ["vitest project processes (CLIs, entry point and pack through ts-node, actionlint)", "npx", ["vitest", "run", "--project", "processes"]],
      ["vitest project postgres (real PostgreSQL 15 + pgBackRest)", "npx", ["vitest", "run", "--project", "postgres"]],
    ];
    let total = 0;
    for (const [label, command, args] of parts) {
      process.stderr.write(`  running ${command} ${args.join(" ")} ...\n`);
      const seconds = timeCommand(command, args);
      total += seconds;
      process.stdout.write(`${label}: ${seconds.toFixed(1)} s\n`);
    }
    process.stdout.write(`npm test (the five above): ${total.toFixed(1)} s (target < 60 s)\n`);
  }
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (figures are wall time: compare runs at a similar load)\n`);
  return 0;
}, () => false, benchCommand);
