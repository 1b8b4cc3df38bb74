/**
 * The readiness report for people (text for a terminal, Markdown for the pull-request preview)
 * and for machines (`--format json`, which a later run reads back with `--base` to show what a change
 * worsened).
 */
import type { DrillRecord, Measurement, ReadinessRow, Verdict, Worsened } from "../../domain/readiness";
import { verdicts } from "../../domain/readiness";
import type { TextLayout } from "../cli/terminal";

export interface ReadinessReport {
  stack: string;
  /** The `--set` overrides the stack was judged under; absent without any. */
  set?: string[];
  /** When the report was made, ISO 8601 UTC (drills are dated against it). */
  generatedAt: string;
  rows: ReadinessRow[];
  /** Rows worse than in the `--base` report; absent without one. */
  worsened?: Worsened[];
}

const symbol: Record<Verdict, string> = { met: "✓", "at risk": "!", "not met": "✗", "not measured": "?" };
const unitText: Record<ReadinessRow["unit"], string> = { s: "s", h: "h", d: "d", months: "month(s)" };

export const amount = (value: number | null, unit: ReadinessRow["unit"]) => (value === null ? "-" : `${Number(value.toFixed(1))} ${unitText[unit]}`);

export function marginText(row: Pick<ReadinessRow, "margin" | "limit" | "unit" | "direction">): string {
  if (row.margin === null) return "-";
  const bound = row.direction === "atMost" ? "limit" : "at least";
  return `${amount(row.margin, row.unit)} (${bound} ${amount(row.limit, row.unit)})`;
}

export function summaryLine(rows: readonly ReadinessRow[]): string {
  return verdicts.map((v) => `${rows.filter((r) => r.verdict === v).length} ${v}`).join(", ");
}

function provenance(m: Measurement | DrillRecord): string {
  return "seconds" in m ? `${m.measuredBy}, ${m.where}, ${m.when}, ${m.machine}; ${m.detail}` : `${m.outcome} on stack ${m.stack}, ${m.when}, ${m.where}`;
}

/** Each measured figure once, with where and when it was measured. */
function measuredFigures(rows: readonly ReadinessRow[]): [string, string][] {
  const seen = new Map<string, string>();
  for (const row of rows) for (const m of row.measured) seen.set(m.figure === "last drill" ? `${row.objective}: last drill` : m.figure, provenance(m.measurement));
  return [...seen.entries()];
}

function worsenedLines(worsened: readonly Worsened[], md: boolean): string[] {
  if (worsened.length === 0) return [md ? "No margin worse than in the base report." : "no margin worse than in the base report", ""];
  const lines = [md ? `#### ${worsened.length} objective(s) worse than in the base report` : `${worsened.length} objective(s) worse than in the base report:`];
  for (const w of worsened) {
    const text = `${w.objective}: margin ${amount(w.old.margin, w.unit)} → ${amount(w.new.margin, w.unit)}, ${w.old.verdict} → ${w.new.verdict}`;
    lines.push(md ? `- **${text}**` : `    ${text}`);
  }
  return [...lines, ""];
}

/** A detail line (`    budget:    ...`) wraps under its text, not under its label. */
export const readinessLayout: TextLayout = {
  hangingIndent: (line) => /^ {4}[a-z]+: +/.exec(line)?.[0].length,
  marks: [
    [/^✓ met/, "add"],
    [/^! at risk/, "update"],
    [/^✗ not met/, "danger"],
    [/^\? not measured/, "dim"],
  ],
};

/** `label`: how the header names the stack and its `--set` overrides (default: `stack NAME`). Plain lines, fitted by the caller ({@link readinessLayout}). */
export function renderText(report: ReadinessReport, label = `stack ${report.stack}`): string {
  const lines = [`Readiness: ${label} (${report.generatedAt})`, summaryLine(report.rows), ""];
  if (report.worsened) lines.push(...worsenedLines(report.worsened, false));
  for (const row of report.rows) {
    lines.push(`${symbol[row.verdict]} ${row.verdict.padEnd(12)} ${row.objective}`);
    lines.push(`    mechanism: ${row.mechanism}`, `    budget:    ${row.budget}`, `    margin:    ${marginText(row)}`, `    runbook:   ${row.section}`);
  }
  const figures = measuredFigures(report.rows);
  if (figures.length > 0) lines.push("", "measured:", ...figures.map(([figure, where]) => `    ${figure}: ${where}`));
  return lines.join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(report: ReadinessReport, label = `stack ${report.stack}`): string {
  const lines = [`### DR readiness: ${label}`, "", `${summaryLine(report.rows)} (${report.generatedAt})`, ""];
  if (report.worsened) lines.push(...worsenedLines(report.worsened, true));
  lines.push("| | Objective | Mechanism | Budget | Margin |", "| --- | --- | --- | --- | --- |");
  for (const row of report.rows) {
    lines.push(`| ${symbol[row.verdict]} ${row.verdict} | ${cell(row.objective)}<br><sub>${cell(row.section)}</sub> | ${cell(row.mechanism)} | ${cell(row.budget)} | ${cell(marginText(row))} |`);
  }
  const figures = measuredFigures(report.rows);
  if (figures.length > 0) lines.push("", "Measured figures:", ...figures.map(([figure, where]) => `- ${figure}: ${cell(where)}`));
  return lines.join("\n");
}
