/**
 * Value changes (./valueChanges.ts) as terminal lines: `path: old → new` on one line when it
 * fits, else the old and new value on lines of their own; a multi-line string as its unified
 * line diff; a secret as `[secret]` and whether it changed; a whole object or array as compact
 * JSON when short, else its key count and a short hash.
 */
import { createHash } from "node:crypto";
import { line, type Line, type Segment } from "./terminal";
import type { ValueChange } from "./valueChanges";

/** Longest compact JSON shown as is for an object or array set or unset whole. */
const maxInlineJson = 80;

/**
 * One value as printed: strings quoted (escapes visible), `(unset)`, an object or array as
 * compact JSON up to `maxInline` characters, else its size and a short hash (`whereWhole` says
 * where the whole value is).
 */
export function shownValue(value: unknown, maxInline = maxInlineJson, whereWhole = "--json has it"): string {
  if (value === undefined) return "(unset)";
  const json = JSON.stringify(value);
  if (value === null || typeof value !== "object" || json.length <= maxInline) return json;
  const size = Array.isArray(value) ? `${value.length} items` : `${Object.keys(value).length} keys`;
  return `${Array.isArray(value) ? "[…]" : "{…}"} ${size}, sha256 ${createHash("sha256").update(json).digest("hex").slice(0, 12)} (${whereWhole})`;
}

const oldStyle = "remove" as const;
const newStyle = "add" as const;

function secretNote(changed: boolean | null): string {
  if (changed === null) return "[secret] (a saved plan cannot tell whether it changed)";
  return changed ? "[secret] (changed; value not shown)" : "[secret] (unchanged)";
}

/** The lines of one change, indented by `indent` spaces, for a terminal `columns` wide. */
export function valueChangeLines(change: ValueChange, indent: number, columns: number): Line[] {
  const pad = " ".repeat(indent);
  const name: Segment = { text: `${change.path}:` };
  if (change.kind === "secret") return [line(pad, name, " ", { text: secretNote(change.changed), style: "update" })];
  if (change.kind === "lines") {
    const removed = change.hunks.flatMap((h) => h.lines).filter((l) => l.startsWith("-")).length;
    const added = change.hunks.flatMap((h) => h.lines).filter((l) => l.startsWith("+")).length;
    const total = change.after.replace(/\n$/, "").split("\n").length;
    const lines = [line(pad, name, { text: ` ${removed} lines out, ${added} in, of ${total} (unified diff)`, style: "dim" })];
    for (const hunk of change.hunks) {
      lines.push(line(pad, "  ", { text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, style: "dim" }));
      for (const text of hunk.lines) {
        const style = text.startsWith("-") ? oldStyle : text.startsWith("+") ? newStyle : undefined;
        lines.push({ ...line(pad, "  ", style ? { text, style } : text), hangingIndent: indent + 2 });
      }
    }
    return lines;
  }
  const [before, after] = [shownValue(change.before), shownValue(change.after)];
  const oneLine = line(pad, name, " ", { text: before, style: oldStyle }, " → ", { text: after, style: newStyle });
  if (pad.length + name.text.length + before.length + after.length + 4 <= columns) return [oneLine];
  return [
    line(pad, name),
    { ...line(pad, "  - ", { text: before, style: oldStyle }), hangingIndent: indent + 2 },
    { ...line(pad, "  + ", { text: after, style: newStyle }), hangingIndent: indent + 2 },
  ];
}
