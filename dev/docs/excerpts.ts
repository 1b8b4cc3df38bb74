/**
 * Excerpts of real output in hand-written docs: a marker names the command, `npm run docs` runs it
 * from the repository root and writes what it printed below the marker, up to the end marker:
 *
 *     <!-- npm run docs runs: npm run -s plan -- --stack prod | tail -3 -->
 *     ```
 *     $ npm run -s plan -- --stack prod | tail -3
 *     ...what it printed...
 *     ```
 *     <!-- end of generated excerpt -->
 *
 * The command is a bash line (pipes to head, tail, grep or sed pick the lines worth showing;
 * `2>&1` keeps stderr). test/processes/docsExcerpts.test.ts runs every command again and fails
 * when a committed excerpt differs, so a count or a line in the docs cannot drift from the tool.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const excerptEnd = "<!-- end of generated excerpt -->";
const startPattern = /<!-- npm run docs runs: (.+?) -->\n/g;

/** One excerpt in a file: its command and where its generated text sits. */
export interface Excerpt {
  command: string;
  /** Offset just after the start marker's line. */
  from: number;
  /** Offset of the end marker. */
  to: number;
}

/** The excerpts of a markdown text, in order; a start marker without its end is an error naming the command. */
export function findExcerpts(text: string, file = "the file"): Excerpt[] {
  return [...text.matchAll(startPattern)].map((match) => {
    const from = match.index! + match[0].length;
    const to = text.indexOf(excerptEnd, from);
    const next = text.slice(from).search(/<!-- npm run docs runs: /);
    if (to < 0 || (next >= 0 && from + next < to)) throw new Error(`${file}: the excerpt of \`${match[1]}\` has no ${excerptEnd} after it; put the end marker back`);
    return { command: match[1], from, to };
  });
}

/** A code fence longer than any backtick run in the output. */
const fenceFor = (text: string) => "`".repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((run) => run.length + 1)));

/** The generated text of one excerpt: the command as typed, then what it printed, fenced. */
export function renderExcerpt(command: string, output: string): string {
  const body = `$ ${command}\n${output.replace(/\n+$/, "")}`;
  const fence = fenceFor(body);
  return `${fence}\n${body}\n${fence}\n`;
}

/** The text with every excerpt's generated part replaced by the command's output (`outputs` by command). */
export function spliceExcerpts(text: string, outputs: ReadonlyMap<string, string>, file?: string): string {
  let result = "";
  let at = 0;
  for (const excerpt of findExcerpts(text, file)) {
    const output = outputs.get(excerpt.command);
    if (output === undefined) throw new Error(`no output for \`${excerpt.command}\``);
    result += text.slice(at, excerpt.from) + renderExcerpt(excerpt.command, output);
    at = excerpt.to;
  }
  return result + text.slice(at);
}

/** What a command prints, run as a user would from the repository root (bash; npm's own banner off with -s). */
export function runExcerptCommand(command: string, root: string): string {
  const result = spawnSync("bash", ["-c", command], { cwd: root, encoding: "utf8", timeout: 600_000, env: { ...process.env, NO_COLOR: "1", COLUMNS: "100" } });
  if (result.error) throw new Error(`\`${command}\`: ${result.error.message}`);
  return result.stdout;
}

/** README.md and every markdown file under docs/, as paths relative to `root`. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.posix.join("docs", f.split(path.sep).join("/")))
    .sort();
  return ["README.md", ...docs];
}

/** Every file with excerpts, regenerated: path -> content (files without excerpts are left out). */
export function renderExcerptDocs(root: string, run: (command: string) => string = (c) => runExcerptCommand(c, root)): Record<string, string> {
  const outputs = new Map<string, string>();
  const rendered: Record<string, string> = {};
  for (const file of markdownFiles(root)) {
    const text = readFileSync(path.join(root, file), "utf8");
    const excerpts = findExcerpts(text, file);
    if (excerpts.length === 0) continue;
    for (const { command } of excerpts) if (!outputs.has(command)) outputs.set(command, run(command));
    rendered[file] = spliceExcerpts(text, outputs, file);
  }
  return rendered;
}
