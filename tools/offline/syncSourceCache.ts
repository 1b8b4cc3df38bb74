/**
 * The synced outputs of a source stack (`sync.source`, prod for dr), kept between offline plans.
 * Planning dr offline stands in prod's outputs by evaluating prod's whole program first (./plan.ts),
 * which was most of the time of `npm run plan -- --stack dr`. The outputs dr reads
 * ({@link syncedOutputNames}) depend only on the program's code and prod's loaded config: the
 * environment and schema address are computed from the config, the schema version and secret ARN
 * are the mock engine's, made from names and regions (./mocks.ts). So they are kept under a key
 * made of exactly those, and read back while the key is the same:
 * - the code: the sha256 of the prebuilt bundle the tool runs from (tools/cli/run.js sets it, and
 *   runs a bundle only while every source that went into it is unchanged: tools/cli/bundles.js).
 *   A tool loaded from its TypeScript sources (tests, CRAZY_GARY_NO_BUNDLE=1) has no such
 *   fingerprint and always evaluates;
 * - the source stack's loaded config (`Pulumi.yaml` + its stack file, as the engine gets them),
 *   its secret keys, and the run id the evaluation gives the program (`CRAZY_GARY_RUN_ID`, the
 *   program's one environment variable, or its offline default: ./evaluate.ts `offlineRunId`).
 * Kept under node_modules/.cache/crazy-gary-cli/sync-source/, one file per source stack, tool
 * and key, the newest few per stack and tool.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { syncedOutputNames } from "../../infra/syncSource";
import { offlineRunId } from "./evaluate";
import type { LoadedStackConfig } from "./stackFiles";
import { repositoryRoot } from "./stackFiles";

/** The global tools/cli/run.js sets before it runs a bundle. */
const bundleKey = Symbol.for("crazy-gary-dr.cli-bundle");

export type SyncedOutputs = Partial<Record<(typeof syncedOutputNames)[number], unknown>>;

const cacheDir = path.join(repositoryRoot, "node_modules", ".cache", "crazy-gary-cli", "sync-source");

/** The bundle this process runs from (its tool's name and sha256), or undefined when it runs from sources. */
export interface RunningBundle {
  tool: string;
  sha256: string;
}

function runningBundle(): RunningBundle | undefined {
  const bundle = (globalThis as Record<symbol, Partial<RunningBundle> | undefined>)[bundleKey];
  return typeof bundle?.tool === "string" && typeof bundle.sha256 === "string" ? { tool: bundle.tool, sha256: bundle.sha256 } : undefined;
}

/** Where a source stack's synced outputs are kept and under which key; undefined when the code has no fingerprint. */
export interface SyncedOutputsSlot {
  /** Named by the source stack, the tool (each tool is its own bundle) and the key: two plans with different keys never share a file. */
  file: string;
  key: string;
}

/** Files kept per source stack and tool, newest first; older ones are removed when one is written. */
const KEPT_PER_STACK_AND_TOOL = 4;

/** The slot of a source stack's synced outputs for the running bundle. */
export function syncedOutputsSlot(stack: string, loaded: Pick<LoadedStackConfig, "engineConfig" | "engineSecretKeys">, bundle = runningBundle()): SyncedOutputsSlot | undefined {
  if (bundle === undefined) return undefined;
  const config = Object.entries(loaded.engineConfig).sort(([a], [b]) => a.localeCompare(b));
  // The run id the evaluation will use, not the raw variable: an evaluation earlier in the process sets it.
  const identity = { bundleSha256: bundle.sha256, stack, config, secretKeys: [...loaded.engineSecretKeys].sort(), runId: offlineRunId() };
  const key = createHash("sha256").update(JSON.stringify(identity)).digest("hex");
  return { file: path.join(cacheDir, `${stack}.${bundle.tool}.${key.slice(0, 16)}.json`), key };
}

/** Removes the older files of `kept`'s source stack and tool, keeping the newest {@link KEPT_PER_STACK_AND_TOOL}. */
function pruneOlder(kept: string): void {
  const dir = path.dirname(kept);
  const prefix = path.basename(kept).replace(/[0-9a-f]{16}\.json$/, "");
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /^[0-9a-f]{16}\.json$/.test(f.slice(prefix.length)))
    .map((f) => ({ file: path.join(dir, f), mtimeMs: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of files.slice(KEPT_PER_STACK_AND_TOOL)) rmSync(old.file, { force: true });
}

const debug = (message: string) => {
  if (process.env.CRAZY_GARY_BUNDLE_DEBUG) process.stderr.write(`[sync-source] ${message}\n`);
};

/**
 * The synced outputs of `stack`: read back from `slot` when kept there under its key, else
 * computed by `evaluate` (and kept when there is a slot). A file that cannot be read or written
 * only costs the evaluation.
 */
export async function cachedSyncedOutputs(stack: string, slot: SyncedOutputsSlot | undefined, evaluate: () => Promise<Record<string, unknown>>): Promise<SyncedOutputs> {
  if (slot !== undefined) {
    try {
      const kept = JSON.parse(readFileSync(slot.file, "utf8")) as { key?: string; outputs?: SyncedOutputs };
      if (kept.key === slot.key && kept.outputs) {
        debug(`${stack}: outputs kept for this bundle and config`);
        return kept.outputs;
      }
    } catch {
      // not kept yet, or unreadable: evaluate
    }
  }
  const all = await evaluate();
  const outputs: SyncedOutputs = Object.fromEntries(syncedOutputNames.filter((name) => name in all).map((name) => [name, all[name]]));
  if (slot !== undefined) {
    try {
      const { writeWhole } = require("../cli/bundles.js") as { writeWhole(file: string, data: string): void };
      writeWhole(slot.file, `${JSON.stringify({ key: slot.key, outputs })}\n`);
      pruneOlder(slot.file);
      debug(`${stack}: outputs evaluated and kept`);
    } catch (err) {
      debug(`${stack}: outputs not kept (${(err as Error).message})`);
    }
  }
  return outputs;
}
