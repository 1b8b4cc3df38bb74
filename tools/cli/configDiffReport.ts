/**
 * The drift report behind `npm run config:diff -- prod dr`: for two stacks, every key's
 * effective value in each, marked shared, overridden (with the reason) or environment-only,
 * and the keys that must be shared but are configured differently without an override.
 * Reads the stack files only (no cloud): a stack that follows another (`sync.source`) takes
 * that stack's synced settings as `pulumi up` would, from its environment output.
 */
import { type StackConfig } from "../../infra/config";
import { parseStackConfig } from "../../infra/parseConfig";
import type { EffectiveSetting } from "../../domain/secretSettings";
import { applySync, effectiveSettings, environmentOutput, syncedSettings } from "../../infra/environmentSync/syncedSettings";
import { listStacks, loadStackConfig, StackFileError, type LoadOptions } from "../offline/stackFiles";

/** One stack as the report sees it. */
export interface StackView {
  stack: string;
  /** Synced values as this stack's own config says (project config, its stack file, its overrides). */
  configured: Record<string, unknown>;
  /** Every key's effective value and origin, as `pulumi up` would deploy them; secrets as `[secret]`. */
  effective: Record<string, EffectiveSetting>;
}

/** Synced values as a stack's own files say: its config, then its overrides on top (checked against the source elsewhere). */
function configuredValues(config: StackConfig): Record<string, unknown> {
  const overrides = Object.entries(config.sync?.overrides ?? {}).map(([key, override]) => [key, override.value]);
  return { ...syncedSettings(config), ...Object.fromEntries(overrides) };
}

/** Resolves a stack from its files: parsed config, then, if it follows a stack, that stack's synced values. */
export function loadStackView(stack: string, options: Pick<LoadOptions, "dir"> = {}, seen: readonly string[] = []): StackView & { config: StackConfig } {
  const config = parseStackConfig(loadStackConfig(stack, options));
  if (!config.sync) return { stack, config, configured: configuredValues(config), effective: effectiveSettings(config, undefined) };
  const sourceStack = config.sync.source.split("/").pop()!;
  if ([...seen, stack].includes(sourceStack)) throw new StackFileError(`${stack}: sync.source forms a cycle: ${[...seen, stack, sourceStack].join(" -> ")}`);
  const known = listStacks(options.dir);
  if (!known.includes(sourceStack)) {
    throw new StackFileError(`${stack}: sync.source ${JSON.stringify(config.sync.source)} names stack ${sourceStack}, which has no Pulumi.${sourceStack}.yaml; stacks found: ${known.join(", ")}`);
  }
  const source = loadStackView(sourceStack, options, [...seen, stack]);
  const synced = applySync(config, environmentOutput(source.config));
  return { stack, config: synced, configured: configuredValues(config), effective: effectiveSettings(synced, undefined) };
}

export type RowStatus = "shared" | "overridden" | "environment-only" | "drift";

export interface DiffRow {
  key: string;
  /** Effective values, by stack; `undefined` where the stack lacks the key. */
  values: [unknown, unknown];
  status: RowStatus;
  /** For `overridden`: the reason(s), by stack. For `drift`: what each stack configures. */
  note: string;
}

export interface ConfigDiff {
  stacks: [string, string];
  rows: DiffRow[];
  /** Keys that must be shared but are configured differently without an override. */
  drift: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
export const showValue = (value: unknown): string => (value === undefined ? "(unset)" : typeof value === "string" ? value : JSON.stringify(value));

/** Compares two stacks key by key. Pure: give it the views of `loadStackView`. */
export function compareStacks(a: StackView, b: StackView): ConfigDiff {
  const keys = [...new Set([...Object.keys(a.effective), ...Object.keys(b.effective)])];
  const rows = keys.map((key): DiffRow => {
    const [ea, eb] = [a.effective[key], b.effective[key]];
    const values: [unknown, unknown] = [ea?.value, eb?.value];
    if (ea?.origin === "environment-only" || eb?.origin === "environment-only") return { key, values, status: "environment-only", note: "" };
    const reasons = ([[a.stack, ea], [b.stack, eb]] as const).flatMap(([stack, s]) => (s?.origin === "overridden" ? [`overridden in ${stack}: ${s.reason}`] : []));
    if (reasons.length > 0) return { key, values, status: "overridden", note: reasons.join("; ") };
    if (!same(a.configured[key], b.configured[key])) {
      return {
        key,
        values,
        status: "drift",
        note: `must be shared: ${a.stack} configures ${showValue(a.configured[key])}, ${b.stack} configures ${showValue(b.configured[key])}, and neither overrides it; set it once in Pulumi.yaml, or add sync.overrides.${key} with a reason`,
      };
    }
    return { key, values, status: "shared", note: "" };
  });
  const order: Record<RowStatus, number> = { drift: 0, overridden: 1, shared: 2, "environment-only": 3 };
  rows.sort((x, y) => order[x.status] - order[y.status] || x.key.localeCompare(y.key));
  return { stacks: [a.stack, b.stack], rows, drift: rows.filter((r) => r.status === "drift").map((r) => r.key) };
}

/** The report as printed: one line per key, then a count per status. */
export function renderConfigDiff(diff: ConfigDiff): string {
  const header = ["key", diff.stacks[0], diff.stacks[1], "status"];
  const cells = diff.rows.map((r) => [r.key, showValue(r.values[0]), showValue(r.values[1]), r.status === "drift" ? "DRIFT" : r.status]);
  const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 3)}...` : text);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((text, i) => clip(text, widths[i]).padEnd(widths[i])).join("  ").trimEnd();
  const lines = [line(header)];
  diff.rows.forEach((row, i) => {
    lines.push(line(cells[i]));
    if (row.note) lines.push(`    ${row.note}`);
  });
  const count = (status: RowStatus) => diff.rows.filter((r) => r.status === status).length;
  lines.push(
    "",
    `${diff.rows.length} keys: ${count("shared")} shared, ${count("overridden")} overridden, ${count("environment-only")} environment-only, ${count("drift")} drifted`,
  );
  if (diff.drift.length > 0) lines.push(`drift in keys that must be shared: ${diff.drift.join(", ")}`);
  return lines.join("\n");
}
