/**
 * Renders policy outcomes for people: violations first, grouped by policy, each with the
 * resource URN and the message; then the policies that passed. Markdown for a CI job summary,
 * cut to a length limit (GitHub refuses summaries and comments past 65,536 characters).
 */
import type { PolicyOutcome } from "./engine";

export interface ReportOptions {
  format: "text" | "markdown";
  /** Longest report, in characters; a longer one is cut at a violation boundary with a note. */
  maxChars?: number;
  /** Shown in the heading (e.g. the stack). */
  title: string;
}

function counts(outcomes: readonly PolicyOutcome[]) {
  const violations = outcomes.flatMap((o) => o.violations);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  return { policies: outcomes.length, violations: violations.length, mandatory };
}

export function summaryLine(outcomes: readonly PolicyOutcome[]): string {
  const c = counts(outcomes);
  return `${c.policies} policies, ${c.violations} violation${c.violations === 1 ? "" : "s"} (${c.mandatory} mandatory)`;
}

/** Each line of the report, in order, marking where a violation ends (a safe place to cut). */
function reportLines(outcomes: readonly PolicyOutcome[], options: ReportOptions): string[] {
  const md = options.format === "markdown";
  const failing = outcomes.filter((o) => o.violations.length > 0);
  const passing = outcomes.filter((o) => o.violations.length === 0);
  const lines: string[] = [md ? `### Policy report: ${options.title}` : `Policy report: ${options.title}`, "", summaryLine(outcomes), ""];
  for (const outcome of failing) {
    lines.push(md ? `#### ✗ \`${outcome.policy}\` (${outcome.enforcementLevel}): ${outcome.violations.length} violation(s)` : `✗ ${outcome.policy} (${outcome.enforcementLevel}): ${outcome.violations.length} violation(s)`);
    for (const v of outcome.violations) {
      lines.push(md ? `- \`${v.urn ?? "(stack)"}\`<br>${v.message}` : `    ${v.urn ?? "(stack)"}\n      ${v.message}`);
    }
    lines.push("");
  }
  lines.push(md ? `#### ✓ Passed (${passing.length})` : `✓ passed (${passing.length}):`);
  for (const outcome of passing) lines.push(md ? `- \`${outcome.policy}\`: ${outcome.description}` : `    ${outcome.policy}`);
  return lines;
}

export function renderReport(outcomes: readonly PolicyOutcome[], options: ReportOptions): string {
  const lines = reportLines(outcomes, options);
  const full = lines.join("\n");
  if (options.maxChars === undefined || full.length <= options.maxChars) return full;
  const note = (omitted: number) => `\n\n… ${omitted} more line(s) cut to stay under ${options.maxChars} characters; the full report is in the job's artifact.`;
  const kept: string[] = [];
  let length = 0;
  const budget = options.maxChars - note(lines.length).length;
  for (const line of lines) {
    if (length + line.length + 1 > budget) break;
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n") + note(lines.length - kept.length);
}
