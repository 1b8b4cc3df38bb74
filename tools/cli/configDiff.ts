/**
 * `npm run config:diff -- <stackA> <stackB> [--dir <folder>]`: per key, both stacks'
 * effective values (secrets as `[secret]`), marked shared, overridden (with the reason) or
 * environment-only. Exit 0: no drift; 1: a key that must be shared differs without an
 * override; 2: usage or configuration error (unknown stack, bad config).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StackConfigError } from "../../infra/parseConfig";
import { EnvironmentSyncError } from "../../infra/environment";
import { listStacks, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";
import { compareStacks, loadStackView, renderConfigDiff } from "./configDiffReport";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), { values: ["dir"] });
  if (flags.positional.length !== 2) {
    throw new UsageError(`config:diff: needs two stack names, got ${flags.positional.length} (${flags.positional.join(" ") || "none"}); e.g. npm run config:diff -- prod dr`);
  }
  const [a, b] = flags.positional;
  if (a === b) throw new UsageError(`config:diff: both stacks are ${JSON.stringify(a)}; give two different stacks, e.g. prod dr`);
  const dir = flags.values.dir?.[0];
  if (dir !== undefined && !fs.existsSync(path.join(dir, "Pulumi.yaml"))) throw new UsageError(`--dir ${JSON.stringify(dir)}: no Pulumi.yaml there; give the folder that holds the project's stack files`);
  const known = listStacks(dir);
  for (const stack of [a, b]) {
    if (!known.includes(stack)) throw new UsageError(`config:diff: unknown stack ${JSON.stringify(stack)} (no Pulumi.${stack}.yaml); stacks found: ${known.join(", ") || "none"}`);
  }
  const diff = compareStacks(loadStackView(a, { dir }), loadStackView(b, { dir }));
  process.stdout.write(`${renderConfigDiff(diff)}\n`);
  return diff.drift.length > 0 ? 1 : 0;
}, (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof EnvironmentSyncError);
