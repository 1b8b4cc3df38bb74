/**
 * `npm run config:diff -- --stack dr [--base prod] [--dir <folder>] [--out FILE]`: per key, both
 * stacks' effective values (secrets as `[secret]`), marked shared, overridden (with the reason)
 * or environment-only. The base defaults to the stack's `sync.source`. The older positional
 * form `config:diff -- prod dr` (base, then stack) still works and prints a hint.
 * Exit 0: no drift; 1: a key that must be shared differs without an override; 2: usage or
 * configuration error (unknown stack, bad config).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StackConfigError } from "../../infra/parseConfig";
import { EnvironmentSyncError } from "../../infra/environmentSync/syncedSettings";
import { didYouMean } from "../../domain/nearest";
import { listStacks, StackFileError } from "../offline/stackFiles";
import { fromInvocationFolder, parseFlags, positionalHint, runCli, UsageError, writeOutput, type ParsedFlags } from "./args";
import { configDiffCommand } from "./commands";
import { compareStacks, loadStackView, renderConfigDiff } from "./configDiffReport";
import { terminalOf } from "./terminal";

/** Base and stack from `--base`/`--stack`, or from two positional names (with a hint to stderr). */
function stacksToCompare(flags: ParsedFlags, syncSourceOf: (stack: string) => string | undefined): { base: string; stack: string; hint?: string } {
  const [stackFlag, baseFlag] = [flags.values.stack?.[0], flags.values.base?.[0]];
  if (flags.positional.length === 1 && !stackFlag) throw new UsageError(positionalHint(flags.positional[0], "stack", "config:diff", process.env));
  if (flags.positional.length > 0) {
    if (stackFlag || baseFlag || flags.positional.length !== 2) {
      throw new UsageError(`config:diff: unexpected argument(s) ${flags.positional.join(" ")}; name the stacks with flags, e.g. npm run -s config:diff -- --stack dr --base prod`);
    }
    const [base, stack] = flags.positional;
    return { base, stack, hint: `hint: positional stacks still work; the documented form is npm run -s config:diff -- --stack ${stack} --base ${base}` };
  }
  if (!stackFlag) throw new UsageError("--stack: required; e.g. npm run -s config:diff -- --stack dr (compares it with the stack it follows) or --stack dr --base prod");
  const base = baseFlag ?? syncSourceOf(stackFlag);
  if (!base) throw new UsageError(`--base: required for ${stackFlag}, which follows no stack (no sync.source); e.g. npm run -s config:diff -- --stack ${stackFlag} --base dr`);
  return { base, stack: stackFlag };
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), configDiffCommand);
    const dirGiven = flags.values.dir?.[0];
    const dir = dirGiven === undefined ? undefined : fromInvocationFolder(dirGiven);
    if (dir !== undefined && !fs.existsSync(path.join(dir, "Pulumi.yaml"))) throw new UsageError(`--dir ${JSON.stringify(dirGiven)}: no Pulumi.yaml in ${dir}; give the folder that holds the project's stack files`);
    const known = listStacks(dir);
    const requireKnown = (stack: string) => {
      if (!known.includes(stack)) throw new UsageError(`config:diff: unknown stack ${JSON.stringify(stack)} (no Pulumi.${stack}.yaml);${didYouMean(stack, known)} stacks found: ${known.join(", ") || "none"}`);
      return stack;
    };
    const { base, stack, hint } = stacksToCompare(flags, (s) => loadStackView(requireKnown(s), { dir }).config.sync?.source.split("/").pop());
    if (hint) process.stderr.write(`${hint}\n`);
    if (base === stack) throw new UsageError(`config:diff: both stacks are ${JSON.stringify(stack)}; give two different stacks, e.g. --stack dr --base prod`);
    const diff = compareStacks(loadStackView(requireKnown(base), { dir }), loadStackView(requireKnown(stack), { dir }));
    const out = flags.values.out?.[0];
    // Fitted to the terminal (COLUMNS, the TTY, else 100) and coloured only there; a file gets 100 columns, no colour.
    const terminal = out === undefined ? terminalOf(process.stdout) : { ...terminalOf({}), color: false };
    writeOutput(`${renderConfigDiff(diff, terminal)}\n`, out);
    return diff.drift.length > 0 ? 1 : 0;
  },
  (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof EnvironmentSyncError,
  configDiffCommand,
);
