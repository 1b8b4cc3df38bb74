/**
 * The cost report as text (terminal), markdown (CI summary, pull-request comment) or JSON (the
 * `--base` of a later run). Lines that share component, type, item, region and price are shown
 * once with their count; free lines are listed by type with the source that says they are free.
 * With a base report, the summary shows before, after and the change.
 */
import { cents, drShare, type CostLine, type CostReport, type Sum } from "../../domain/cost/report";
import { costOwners, type CostOwner } from "../../domain/cost/owners";

/** What a base report (an earlier `--format json`) must hold for a comparison. */
export interface CostSummary {
  stack: string;
  total: number;
  drShare: number;
  byOwner: Record<CostOwner, number>;
  byComponent: Sum[];
}

export const jsonFormat = "crazy-gary-cost/1";

export const usd = (value: number): string => `$${cents(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (value: number): string => (cents(value) === 0 ? "$0.00" : `${value > 0 ? "+" : "-"}${usd(Math.abs(value))}`);
/** The change between two figures as shown: the difference of the rounded figures, so that before + change = after on the page. */
const change = (after: number, before: number): string => signed(cents(after) - cents(before));
const percent = (part: number, whole: number): string => (whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(1)}%`);
const quantity = (q: number): string => (Number.isInteger(q) ? String(q) : q.toLocaleString("en-US", { maximumFractionDigits: 3 }));

interface GroupedLine {
  line: CostLine;
  count: number;
  quantity: number;
  monthly: number;
}

/** Lines that differ only by resource, summed: `84 x standard parameter` instead of 84 rows. */
export function groupLines(lines: readonly CostLine[]): GroupedLine[] {
  const groups = new Map<string, GroupedLine>();
  for (const line of lines) {
    const key = [line.component, line.resourceType, line.item, line.region, line.owner, line.priceId, line.unitPrice].join("\u0000");
    const group = groups.get(key) ?? { line, count: 0, quantity: 0, monthly: 0 };
    group.count += 1;
    group.quantity += line.quantity;
    group.monthly += line.monthly;
    groups.set(key, group);
  }
  return [...groups.values()];
}

const ownerLabel = (report: CostReport, owner: CostOwner, withState = true): string =>
  owner === "shared"
    ? "shared"
    : owner === "witness"
      ? `witness (${report.regions.witness ?? "no region"})`
      : `${owner} (${report.regions[owner]})${withState ? (owner === report.activeRole ? ", active" : ", standby") : ""}`;

/** The owners a report lists: the witness only when the stack has one. */
const listedOwners = (report: CostReport): CostOwner[] => costOwners.filter((o) => o !== "witness" || report.regions.witness);

export function summaryOf(report: CostReport): CostSummary {
  return { stack: report.stack, total: report.total, drShare: drShare(report), byOwner: report.byOwner, byComponent: report.byComponent };
}

function estimatesOf(report: CostReport): string[] {
  return [...new Set(report.lines.filter((l) => l.estimate && l.monthly > 0).map((l) => `${l.item}: ${l.estimate}`))].sort();
}

function coverage(report: CostReport): string[] {
  const unconfirmed = new Set(report.lines.filter((l) => !l.priceConfirmed && l.monthly > 0).map((l) => l.priceId));
  const reads = [...new Set(report.lines.map((l) => l.read))].sort();
  return [
    report.notPriced.length === 0
      ? "Not priced: none (every AWS resource type of the plan is priced or free with a source)."
      : `Not priced (AWS types with no price in domain/cost/pricers, NOT in the total): ${report.notPriced.map((n) => `${n.type} x${n.resources.length} (${n.resources.join(", ")})`).join("; ")}`,
    `Not on the AWS bill: ${report.notAws.map((n) => `${n.type} x${n.count}`).join(", ") || "nothing"}.`,
    `Prices: domain/prices/aws.json, read ${reads.join(", ")}; ${unconfirmed.size} of the prices behind a non-zero line could not be confirmed word for word (marked ?; the table says why): ${[...unconfirmed].sort().join(", ") || "none"}.`,
  ];
}

/**
 * The report as text. `columns`: the width it is read at; a priced line wider than that is
 * shown on two lines (what, then where, how much and the source), each column sized to its
 * content, so the table still reads as columns on a 120-column terminal (default: one line each).
 */
export function renderText(report: CostReport, base?: CostSummary, columns = Infinity): string {
  const groups = groupLines(report.lines);
  const paid = groups.filter((g) => g.monthly > 0 || g.line.estimate).sort((a, b) => b.monthly - a.monthly);
  const freeByType = groupFree(groups);
  const pad = (text: string, width: number) => text.padEnd(width);
  const money = (v: number) => usd(v).padStart(11);
  const out: string[] = [
    `Monthly cost of stack ${report.stack}, USD at list price (active: ${ownerLabel(report, report.activeRole, false)}; standby: ${ownerLabel(report, report.passiveRole, false)})`,
    "",
    "By component:",
    ...report.byComponent.map((s) => `  ${pad(s.name, 44)}${money(s.monthly)}`),
    "",
    "By resource type:",
    ...report.byType.map((s) => `  ${pad(s.name, 72)}${money(s.monthly)}`),
    "",
    "Lines (count x quantity at the unit price = monthly; * an estimate, ? a price not confirmed word for word):",
    ...pricedLines(paid, columns),
    "",
    "At no charge (by type, with the source that says so):",
    ...freeByType.map((f) => `  ${pad(`${f.type} x${f.count}`, 72)} ${f.source}`),
    "",
    ...coverage(report),
    "",
    "Estimates (from cost.* in the stack config and the plan's own retention):",
    ...estimatesOf(report).map((e) => `  - ${e}`),
    "",
    `Total${" ".repeat(41)}${money(report.total)} a month`,
    ...listedOwners(report).map((o) => `  ${pad(ownerLabel(report, o), 44)}${money(report.byOwner[o])}  (${percent(report.byOwner[o], report.total)})`),
    `What DR itself costs (standby region + witness) ${money(drShare(report))} a month (${percent(drShare(report), report.total)} of the total)`,
  ];
  if (base) out.push(`Against the base: total ${usd(base.total)} -> ${usd(report.total)} (${change(report.total, base.total)}); DR share ${usd(base.drShare)} -> ${usd(drShare(report))} (${change(drShare(report), base.drShare)})`);
  return `${out.join("\n")}\n`;
}

/** The priced lines: one line each where that fits `columns`, else two (what; then where, how much, the source). */
function pricedLines(paid: readonly GroupedLine[], columns: number): string[] {
  const cells = paid.map((g) => ({
    component: g.line.component,
    item: `${g.count > 1 ? `${g.count} x ` : ""}${g.line.item}`,
    region: g.line.region,
    quantity: `${quantity(g.quantity)} ${g.line.unit}${g.line.estimate ? "*" : ""}`,
    price: `@ $${g.line.unitPrice}${g.line.priceConfirmed ? "" : "?"}`,
    monthly: usd(g.monthly),
    source: g.line.source,
  }));
  const oneLine = cells.map((c) => `  ${c.component.padEnd(30)} ${c.item.padEnd(70)} ${c.region.padEnd(10)} ${c.quantity.padEnd(30)} ${c.price.padEnd(11)}${c.monthly.padStart(11)}  ${c.source}`);
  if (oneLine.every((l) => l.length <= columns)) return oneLine;
  const width = (key: "region" | "quantity" | "price" | "monthly") => Math.max(...cells.map((c) => c[key].length));
  return cells.flatMap((c) => [
    `  ${c.component}: ${c.item}`,
    `      ${c.region.padEnd(width("region"))}  ${c.quantity.padEnd(width("quantity"))}  ${c.price.padEnd(width("price"))}  ${c.monthly.padStart(width("monthly"))}  ${c.source}`,
  ]);
}

function groupFree(groups: readonly GroupedLine[]): { type: string; count: number; source: string }[] {
  const free = new Map<string, { type: string; count: number; source: string }>();
  for (const g of groups.filter((g) => g.monthly === 0 && !g.line.estimate)) {
    const entry = free.get(g.line.resourceType) ?? { type: g.line.resourceType, count: 0, source: g.line.source };
    entry.count += g.count;
    free.set(g.line.resourceType, entry);
  }
  return [...free.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** Components whose cost changed against the base (and new or gone ones), largest change first. */
export function componentChanges(report: CostReport, base: CostSummary): { name: string; before: number; after: number }[] {
  const names = new Set([...report.byComponent.map((c) => c.name), ...base.byComponent.map((c) => c.name)]);
  const of = (sums: readonly Sum[], name: string) => sums.find((s) => s.name === name)?.monthly ?? 0;
  return [...names]
    .map((name) => ({ name, before: of(base.byComponent, name), after: of(report.byComponent, name) }))
    .filter((c) => cents(c.after) !== cents(c.before))
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before));
}

export function renderMarkdown(report: CostReport, base?: CostSummary): string {
  const groups = groupLines(report.lines)
    .filter((g) => g.monthly > 0 || g.line.estimate)
    .sort((a, b) => b.monthly - a.monthly);
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const head = base
    ? [
        "| | before | after | change |",
        "| --- | ---: | ---: | ---: |",
        `| total a month | ${usd(base.total)} | ${usd(report.total)} | ${change(report.total, base.total)} |`,
        `| what DR costs (standby + witness) | ${usd(base.drShare)} | ${usd(drShare(report))} | ${change(drShare(report), base.drShare)} |`,
        ...componentChanges(report, base).map((c) => `| ${cell(c.name)} | ${usd(c.before)} | ${usd(c.after)} | ${change(c.after, c.before)} |`),
      ]
    : ["| | a month |", "| --- | ---: |", `| total | ${usd(report.total)} |`, `| what DR costs (standby + witness) | ${usd(drShare(report))} (${percent(drShare(report), report.total)}) |`];
  return [
    `### Monthly cost: ${report.stack}`,
    "",
    `USD at list price, from the offline plan (active: ${ownerLabel(report, report.activeRole, false)}; standby: ${ownerLabel(report, report.passiveRole, false)}).${base ? "" : " No base report: no change shown."}`,
    "",
    ...head,
    "",
    "<details><summary>By component, by owner, and every line</summary>",
    "",
    "| component | a month |",
    "| --- | ---: |",
    ...report.byComponent.map((s) => `| ${cell(s.name)} | ${usd(s.monthly)} |`),
    "",
    "| owner | a month | share |",
    "| --- | ---: | ---: |",
    ...listedOwners(report).map((o) => `| ${ownerLabel(report, o)} | ${usd(report.byOwner[o])} | ${percent(report.byOwner[o], report.total)} |`),
    "",
    "| component | item | region | quantity | unit price | a month |",
    "| --- | --- | --- | ---: | ---: | ---: |",
    ...groups.map(
      (g) =>
        `| ${cell(g.line.component)} | ${cell(`${g.count > 1 ? `${g.count} x ` : ""}${g.line.item}`)} | ${g.line.region} | ${quantity(g.quantity)} ${g.line.unit}${g.line.estimate ? "*" : ""} | [$${g.line.unitPrice}](${g.line.source})${g.line.priceConfirmed ? "" : "?"} | ${usd(g.monthly)} |`,
    ),
    "",
    "\\* an estimate from `cost.*` (docs/guides/cost.md); ? a price not confirmed word for word (domain/prices/aws.json says why).",
    "",
    "</details>",
    "",
    ...coverage(report).map((c) => `${c}  `),
    "",
  ].join("\n");
}

export function renderJson(report: CostReport): string {
  return `${JSON.stringify({ format: jsonFormat, ...report, drShare: drShare(report) }, null, 2)}\n`;
}

export class CostBaseError extends Error {}

/** Reads a base report written by `--format json`; anything else is an error naming the file. */
export function parseBase(text: string, file: string): CostSummary {
  let parsed: Partial<CostSummary> & { format?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CostBaseError(`--base: ${file} cannot be read as JSON (${(err as Error).message}); give a file written by npm run cost -- --format json`);
  }
  const valid =
    parsed?.format === jsonFormat &&
    typeof parsed.total === "number" &&
    typeof parsed.drShare === "number" &&
    typeof parsed.stack === "string" &&
    Array.isArray(parsed.byComponent) &&
    parsed.byComponent.every((c) => typeof c?.name === "string" && typeof c?.monthly === "number");
  if (!valid) throw new CostBaseError(`--base: ${file} is not a cost report (expected format "${jsonFormat}" with total, drShare, byComponent); give a file written by npm run cost -- --format json`);
  return parsed as CostSummary;
}
