/**
 * The program's warnings as a reader wants them: each said once. The same message from two
 * plans (a diff plans twice), or the same sentence about several keys (`alerts.P2: ...`,
 * `alerts.P3: ...`), becomes one line with the count; `--verbose` prints every one as it came.
 */
import { line, render, terminalOf, type Line, type Terminal } from "./terminal";

export interface GroupedWarning {
  /** The keys the sentence is about (`alerts.P2`), empty when the message names none. */
  keys: string[];
  /** The message, without its leading key. */
  text: string;
  /** How many warnings were folded into this one. */
  count: number;
}

/** `key: sentence`, where key is a config path (`alerts.P2`, `databases.primary.pgHost`). */
const keyed = /^([\w.[\]-]+): (.+)$/s;

/** Groups `warnings` (in order of first appearance) by their sentence. */
export function groupWarnings(warnings: readonly string[]): GroupedWarning[] {
  const groups = new Map<string, GroupedWarning>();
  for (const warning of warnings) {
    const match = keyed.exec(warning);
    const [key, text] = match ? [match[1], match[2]] : [undefined, warning];
    const group = groups.get(text) ?? { keys: [], text, count: 0 };
    if (key !== undefined && !group.keys.includes(key)) group.keys.push(key);
    group.count += 1;
    groups.set(text, group);
  }
  return [...groups.values()];
}

/** The warnings as printed to stderr: grouped with counts, or every one with `verbose`. */
export function renderWarnings(warnings: readonly string[], terminal: Terminal, verbose: boolean): string {
  if (warnings.length === 0) return "";
  const lines: Line[] = verbose
    ? warnings.map((w) => ({ ...line({ text: "warning: ", style: "update" }, w), hangingIndent: 4 }))
    : groupWarnings(warnings).map((g) => ({
        ...line(
          { text: "warning: ", style: "update" },
          `${g.keys.length > 0 ? `${g.keys.join(", ")}: ` : ""}${g.text}`,
          ...(g.count > 1 ? [{ text: ` (${g.count} warnings in one; --verbose prints each)`, style: "dim" as const }] : []),
        ),
        hangingIndent: 4,
      }));
  return `${render(lines, terminal)}\n`;
}

/**
 * Runs a tool's body with the program's warnings held back: the body plans with
 * `printWarnings: false` and hands each plan's warnings to `keep`. They are printed on stderr
 * once the body is done, also when it failed: grouped, or each one with `verbose`.
 */
export async function withHeldWarnings<T>(verbose: boolean, body: (keep: (warnings: readonly string[]) => void) => Promise<T>): Promise<T> {
  const held: string[] = [];
  try {
    return await body((warnings) => held.push(...warnings));
  } finally {
    process.stderr.write(renderWarnings(held, terminalOf(process.stderr), verbose));
  }
}
