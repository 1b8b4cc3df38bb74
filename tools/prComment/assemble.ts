/**
 * A pull-request comment assembled from report sections (the offline diff, the policy report,
 * the readiness report) so that it never exceeds GitHub's limit on a comment body, 65,536
 * characters (the REST API answers "Body is too long (maximum is 65536 characters)":
 * machine-learning-apps/pr-comment#2, peter-evans/create-or-update-comment#112). Pure: no I/O.
 *
 * When everything fits, every section is whole. Otherwise each section keeps its first whole
 * lines: a section shorter than its fair share keeps all of it and the room it leaves goes to the
 * longer ones ("water-filling"), so a short policy report is never cut to make room for a long
 * diff. A cut section ends with a marker saying how many lines were left out, and the comment
 * opens with a note linking the full artifact.
 */
import { codeFence } from "../cli/fencedReport";

/** One report in the comment. */
export interface CommentSection {
  /** Shown as the section's heading, unless a markdown body opens with a heading of its own. */
  title: string;
  /** The report's text. */
  body: string;
  /** `markdown` is included as it is; `code` goes into a fenced block (plain-text reports). */
  kind: "markdown" | "code";
}

export interface CommentOptions {
  /**
   * Identifies the comment for later updates: written as a hidden HTML comment on the first line,
   * `<!-- MARKER -->`; the workflow edits the comment whose body starts with it.
   * @example "crazy-gary-preview:prod"
   */
  marker: string;
  /** The comment's heading (a `##` line). */
  heading: string;
  /**
   * Upper bound of the body's length in UTF-16 code units (JavaScript's `length`, never fewer than
   * the characters GitHub counts).
   * @default 65536 (GitHub's limit)
   */
  maxChars?: number;
  /** Where the full reports are (actions/upload-artifact's `artifact-url`); linked when anything is cut. */
  artifactUrl?: string;
}

export interface AssembledComment {
  body: string;
  /** Lines left out per section title (only the cut ones). */
  cut: Record<string, number>;
}

/** GitHub's limit on an issue or pull-request comment body. */
export const githubCommentLimit = 65_536;
/** Below this the headings and notes alone could not fit. */
export const minimumCommentChars = 1_000;

const cutMarker = (left: number) => `… ${left} more line${left === 1 ? "" : "s"} left out here: the full text is in the artifact`;

/** Closes what a cut markdown left open: a code fence or a `<details>` block. */
function closeOpenBlocks(lines: readonly string[]): string[] {
  const closing: string[] = [];
  const fences = lines.filter((l) => /^\s*```/.test(l)).length;
  if (fences % 2 === 1) closing.push("```");
  const opened = lines.filter((l) => /<details>/i.test(l)).length - lines.filter((l) => /<\/details>/i.test(l)).length;
  for (let i = 0; i < opened; i++) closing.push("</details>");
  return closing;
}

/** A section as it appears: heading, then the body (fenced for `code`), then the cut marker if any. */
function renderSection(section: CommentSection, keptLines: readonly string[], left: number): string {
  const marker = left > 0 ? [cutMarker(left)] : [];
  if (section.kind === "code") {
    const f = codeFence(section.body);
    return [`### ${section.title}`, "", f, ...keptLines, f, ...marker, ""].join("\n");
  }
  const closing = left > 0 ? closeOpenBlocks(keptLines) : [];
  // A markdown report that opens with its own heading keeps it instead of a second one.
  const heading = /^#{1,6} /.test(section.body) ? [] : [`### ${section.title}`, ""];
  return [...heading, ...keptLines, ...closing, ...(marker.length > 0 ? ["", ...marker] : []), ""].join("\n");
}

const linesOf = (body: string) => body.replace(/\n+$/, "").split("\n");

/** The first lines of `lines` whose rendered length stays within `room`. */
function firstLinesWithin(lines: readonly string[], room: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  return kept;
}

/** Shares `budget` among sections of the given sizes: the smaller ones whole, the rest split evenly. */
export function waterFill(sizes: readonly number[], budget: number): number[] {
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  const shares = new Array<number>(sizes.length).fill(0);
  let remaining = Math.max(0, budget);
  order.forEach(({ size, index }, position) => {
    const share = Math.min(size, Math.floor(remaining / (order.length - position)));
    shares[index] = share;
    remaining -= share;
  });
  return shares;
}

function header(options: CommentOptions, note: string | undefined): string {
  return [`<!-- ${options.marker} -->`, `## ${options.heading}`, "", ...(note ? [note, ""] : []), ""].join("\n");
}

function cutNote(artifactUrl: string | undefined, maxChars: number, leftOut: number): string {
  const where = artifactUrl ? `[the full reports (artifact)](${artifactUrl})` : "the run's artifacts (no link was given)";
  return `> Cut to stay under GitHub's comment limit (${maxChars.toLocaleString("en-US")} characters): ${leftOut} lines left out. Read ${where}.`;
}

/** The most a cut markdown section can need to close what it left open: a fence and every `<details>`. */
const closingReserve = (lines: readonly string[]) => "```\n".length + lines.filter((l) => /<details>/i.test(l)).length * "</details>\n".length;

/** The comment body: every section whole when it fits in `maxChars`, else each cut to whole lines. */
export function assembleComment(sections: readonly CommentSection[], options: CommentOptions): AssembledComment {
  const maxChars = options.maxChars ?? githubCommentLimit;
  if (!Number.isInteger(maxChars) || maxChars < minimumCommentChars) throw new RangeError(`maxChars: ${maxChars} is too small; give at least ${minimumCommentChars}`);
  const lines = sections.map((s) => linesOf(s.body));
  const whole = header(options, undefined) + sections.map((s, i) => renderSection(s, lines[i], 0)).join("\n");
  if (whole.length <= maxChars) return { body: whole, cut: {} };

  // What every section costs besides its kept lines, with the longest cut marker it could carry.
  const overheads = sections.map((s, i) => renderSection(s, [], lines[i].length).length + "\n\n".length + (s.kind === "markdown" ? closingReserve(lines[i]) : 0));
  const totalLines = lines.reduce((n, l) => n + l.length, 0);
  const fixed = header(options, cutNote(options.artifactUrl, maxChars, totalLines)).length + overheads.reduce((a, b) => a + b, 0);
  const sizes = lines.map((l) => l.reduce((n, line) => n + line.length + 1, 0));
  const shares = waterFill(sizes, maxChars - fixed);
  const kept = lines.map((l, i) => firstLinesWithin(l, shares[i]));
  const cut: Record<string, number> = {};
  sections.forEach((s, i) => {
    if (kept[i].length < lines[i].length) cut[s.title] = lines[i].length - kept[i].length;
  });
  const leftOut = Object.values(cut).reduce((a, b) => a + b, 0);
  const body = header(options, cutNote(options.artifactUrl, maxChars, leftOut)) + sections.map((s, i) => renderSection(s, kept[i], lines[i].length - kept[i].length)).join("\n");
  // The reserve above is an upper bound; this holds by construction.
  if (body.length > maxChars) throw new Error(`assembleComment: ${body.length} characters exceed ${maxChars} (a bug in the reserve)`);
  return { body, cut };
}
