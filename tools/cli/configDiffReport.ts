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
import { defaultColumns, line, render, type Line, type Style, type Terminal } from "./terminal";
import { shownValue, valueChangeLines } from "./valueChangeLines";
import { sameValue, valueChanges } from "./valueChanges";

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
    if (!sameValue(a.configured[key], b.configured[key])) {
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

/** The widest the key column grows; a longer key gets a line of its own, its row below it. */
const maxKeyColumn = 44;

/** What a value cell says when the values do not fit their columns and follow on lines of their own. */
const below = "(below)";

const cellText = (row: DiffRow, i: 0 | 1) => (row.status === "environment-only" || row.values[0] !== undefined || row.values[1] !== undefined ? showValue(row.values[i]) : "");

/**
 * The lines under a row whose values are too wide for their columns: a value both stacks share
 * once; two objects (or JSON strings) as the keys that differ, old → new; else each stack's value.
 */
function valueLines(diff: ConfigDiff, row: DiffRow, columns: number): Line[] {
  const [a, b] = diff.stacks;
  // Up to three lines of compact JSON; a longer object as its size and hash (the stack files have it whole).
  const shown = (value: unknown) => (typeof value === "string" ? value : shownValue(value, columns * 3, "the stack files have it"));
  if (sameValue(row.values[0], row.values[1])) return [{ ...line(`    ${a}, ${b}: `, shown(row.values[0])), hangingIndent: 8 }];
  const changes = valueChanges(row.values[0], row.values[1], "");
  const structured = changes.length > 0 && changes.every((c) => c.path !== "");
  if (structured) return [line(`    ${a} → ${b}:`), ...changes.flatMap((c) => valueChangeLines(c, 6, columns))];
  return ([0, 1] as const).map((i) => ({ ...line(`    ${diff.stacks[i]}: `, shown(row.values[i])), hangingIndent: 8 }));
}

/**
 * The report as printed, fitted to `terminal`: one line per key (key, both values, status), the
 * key column as wide as the longest key (up to {@link maxKeyColumn}), the values sharing what is
 * left; values too wide for their columns follow on lines of their own (shared once, objects as
 * the keys that differ), then the note, then a count per status.
 */
export function renderConfigDiff(diff: ConfigDiff, terminal: Terminal = { columns: defaultColumns, color: false }): string {
  const status = (r: DiffRow) => (r.status === "drift" ? "DRIFT" : r.status);
  const keyWidth = Math.min(maxKeyColumn, Math.max(3, ...diff.rows.map((r) => r.key.length)));
  const statusWidth = Math.max("status".length, ...diff.rows.map((r) => status(r).length));
  const valueWidth = Math.max(below.length, Math.floor((terminal.columns - keyWidth - statusWidth - 6) / 2));
  const row = (cells: string[], style?: Style) => {
    const text = cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd([keyWidth, valueWidth, valueWidth][i]))).join("  ");
    return line(style ? { text, style } : text);
  };
  const lines: Line[] = [row(["key", diff.stacks[0], diff.stacks[1], "status"], "bold")];
  for (const r of diff.rows) {
    const cells = [cellText(r, 0), cellText(r, 1)];
    const fits = cells.every((c) => c.length <= valueWidth);
    if (r.key.length > keyWidth) lines.push(line(r.key));
    lines.push(row([r.key.length > keyWidth ? "" : r.key, ...(fits ? cells : [below, below]), status(r)], r.status === "drift" ? "danger" : undefined));
    if (!fits) lines.push(...valueLines(diff, r, terminal.columns));
    if (r.note) lines.push({ ...line(`    ${r.note}`), hangingIndent: 6 });
  }
  const count = (s: RowStatus) => diff.rows.filter((r) => r.status === s).length;
  lines.push(
    line(""),
    line(`${diff.rows.length} keys: ${count("shared")} shared, ${count("overridden")} overridden, ${count("environment-only")} environment-only, ${count("drift")} drifted`),
  );
  if (diff.drift.length > 0) lines.push({ ...line({ text: `drift in keys that must be shared: ${diff.drift.join(", ")}`, style: "danger" }), hangingIndent: 4 });
  return render(lines, terminal);
}
