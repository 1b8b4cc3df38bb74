/**
 * Text that fits the reader's terminal: its width, and colour only where colour is wanted.
 * A report is built as lines of styled segments; {@link fitLines} wraps or cuts them on the
 * visible text, so a cut never falls inside an escape sequence, and {@link paint} adds the
 * colour last.
 */

/** How wide and whether in colour the output is to be written. */
export interface Terminal {
  /** Columns no printed line may exceed. */
  columns: number;
  color: boolean;
}

/** The width when nothing says otherwise (output to a file or a pipe). */
export const defaultColumns = 100;

/** The narrowest width a report is laid out for; a smaller COLUMNS is taken as this. */
export const minimumColumns = 40;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The terminal of `stream` (stdout): `COLUMNS` when it holds a whole number (the convention
 * Python's `shutil.get_terminal_size` and most CLIs follow: the environment first, so a caller
 * can ask for a width), else the TTY's own width, else {@link defaultColumns}.
 *
 * Colour: `FORCE_COLOR` present turns it on whatever the stream, unless it is `0` or `false`
 * (https://force-color.org: "when present and not an empty string ... should force the addition
 * of ANSI color"; Node reads `''` as colour on and ignores NO_COLOR when FORCE_COLOR is set,
 * https://nodejs.org/api/cli.html#force_color1-2-3); else `NO_COLOR` present and not empty turns
 * it off (https://no-color.org); else colour exactly when the stream is a TTY and TERM is not `dumb`.
 */
export function terminalOf(stream: { isTTY?: boolean; columns?: number }, env: Env = process.env): Terminal {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? "") ? Number(env.COLUMNS) : undefined;
  const columns = Math.max(minimumColumns, fromEnv ?? (stream.isTTY && stream.columns ? stream.columns : defaultColumns));
  return { columns, color: colorWanted(stream, env) };
}

function colorWanted(stream: { isTTY?: boolean }, env: Env): boolean {
  if (env.FORCE_COLOR !== undefined) return !["0", "false"].includes(env.FORCE_COLOR.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export type Style = "add" | "remove" | "update" | "replace" | "danger" | "dim" | "bold";

/** SGR codes (ECMA-48): set, then reset only what was set. */
const sgr: Record<Style, [number, number]> = {
  add: [32, 39],
  remove: [31, 39],
  update: [33, 39],
  replace: [35, 39],
  danger: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export interface Segment {
  text: string;
  style?: Style;
}

/** A line to print: segments, and the indent a wrapped continuation takes. */
export interface Line {
  segments: Segment[];
  /** Spaces before each continuation line when the line wraps; default: the line's own indent + 4. */
  hangingIndent?: number;
}

export const line = (...segments: (Segment | string)[]): Line => ({ segments: segments.map((s) => (typeof s === "string" ? { text: s } : s)) });

export const plainText = (l: Line): string => l.segments.map((s) => s.text).join("");

/** The marker that starts a wrapped line's continuation. */
export const wrapMarker = "… ";

/** Continuations a line may take before the rest is cut (a value that long belongs in `--json`). */
export const maxContinuations = 8;

/** The visible characters of `segments` from `start` to `end` (code points), styles kept. */
function slice(segments: readonly Segment[], start: number, end: number): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const segment of segments) {
    const chars = [...segment.text];
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, chars.length);
    if (to > from) out.push({ text: chars.slice(from, to).join(""), ...(segment.style ? { style: segment.style } : {}) });
    at += chars.length;
  }
  return out;
}

/** Characters a word without spaces (a URN, a path, a list) may break after, when no space is near. */
const softBreaks = new Set(["/", ":", "$", ",", "&", "?"]);

/**
 * Where a chunk from `at` of at most `room` characters ends: after the last space in its second
 * half, else after the last of {@link softBreaks} there (a URN breaks at `::` or `$`), else at `room`.
 */
function breakAt(chars: readonly string[], at: number, room: number): number {
  const end = at + room;
  if (end >= chars.length) return chars.length;
  for (let i = end; i > at + Math.floor(room / 2); i--) if (chars[i - 1] === " ") return i;
  for (let i = end; i > at + Math.floor(room / 2); i--) if (softBreaks.has(chars[i - 1])) return i;
  return end;
}

/**
 * Lines no wider than `columns`: a longer line wraps (after a space where one is near the end,
 * else mid-word), each continuation indented and started with {@link wrapMarker}; past
 * {@link maxContinuations} the rest is cut with a marker saying how much was left out.
 */
export function fitLines(lines: readonly Line[], columns: number): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const chars = [...plainText(l)];
    if (chars.length <= columns) {
      out.push(l);
      continue;
    }
    // A continuation keeps at least 50 columns (or half a narrow terminal) for its text.
    const indent = Math.min(l.hangingIndent ?? (plainText(l).match(/^ */)![0].length + 4), Math.max(Math.floor(columns / 2), columns - 50));
    const room = columns - indent - wrapMarker.length;
    let at = breakAt(chars, 0, columns);
    out.push({ segments: slice(l.segments, 0, at) });
    for (let n = 0; at < chars.length; n++) {
      const lead: Segment = { text: `${" ".repeat(indent)}${wrapMarker}`, style: "dim" };
      if (n === maxContinuations - 1 && chars.length - at > room) {
        const note = ` … ${chars.length - at} more chars (--format json)`;
        out.push({ segments: [lead, ...slice(l.segments, at, at + Math.max(0, room - note.length)), { text: note, style: "dim" }] });
        break;
      }
      const end = breakAt(chars, at, room);
      out.push({ segments: [lead, ...slice(l.segments, at, end)] });
      at = end;
    }
  }
  return out;
}

/** The lines as text, with colour codes when `color`. */
export function paint(lines: readonly Line[], color: boolean): string {
  return lines
    .map((l) => l.segments.map((s) => (color && s.style ? `\u001b[${sgr[s.style][0]}m${s.text}\u001b[${sgr[s.style][1]}m` : s.text)).join(""))
    .join("\n");
}

/** Lays out and paints: {@link fitLines} then {@link paint}. */
export const render = (lines: readonly Line[], terminal: Terminal): string => paint(fitLines(lines, terminal.columns), terminal.color);

/**
 * The terminal a report is laid out for: stdout's ({@link terminalOf}); or, when it goes to a
 * file (`--out FILE`) or is no text for a terminal (markdown), the width a pipe gets (COLUMNS,
 * else {@link defaultColumns}) and no colour.
 */
export function reportTerminal(toFile: boolean, stream: { isTTY?: boolean; columns?: number } = process.stdout, env: Env = process.env): Terminal {
  return toFile ? { ...terminalOf({}, env), color: false } : terminalOf(stream, env);
}

/** How {@link fitText} lays out a report written as plain lines. */
export interface TextLayout {
  /** The indent of a wrapped line's continuation; undefined: the line's own indent + 4. */
  hangingIndent?: (line: string) => number | undefined;
  /** Marks at the start of a line (a verdict) and their style, first match wins; coloured only where the terminal wants colour. */
  marks?: readonly (readonly [RegExp, Style])[];
}

/** Plain text as {@link Line}s: each line's leading mark styled, its hanging indent from `layout`. */
export function textLines(text: string, layout: TextLayout = {}): Line[] {
  return text.split("\n").map((raw) => {
    const mark = layout.marks?.map(([pattern, style]) => ({ match: pattern.exec(raw), style })).find(({ match }) => match?.index === 0 && match[0].length > 0);
    const segments: Segment[] = mark ? [{ text: mark.match![0], style: mark.style }, { text: raw.slice(mark.match![0].length) }] : [{ text: raw }];
    const hangingIndent = layout.hangingIndent?.(raw);
    return { segments, ...(hangingIndent !== undefined ? { hangingIndent } : {}) };
  });
}

/** A plain-text report fitted to `terminal` ({@link fitLines}) and painted: the layout every text report shares. */
export const fitText = (text: string, terminal: Terminal, layout: TextLayout = {}): string => render(textLines(text, layout), terminal);
