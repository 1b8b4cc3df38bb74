/** The cost report as text on a terminal (tools/cost/render.ts renderText with its columns): a priced line too wide takes two lines. */
import { describe, expect, it } from "vitest";
import { renderText } from "../tools/cost/render";
import { sharedCostReport } from "./support/costReports";

/** The rows of the "Lines (...)" section. */
const pricedRows = (text: string) => text.split("\n\n").find((part) => part.startsWith("Lines ("))!.split("\n").slice(1);

describe("cost text at a terminal's width", () => {
  it("shows each priced line on two lines at 120 columns: what, then region, quantity, price, monthly and source in columns", async () => {
    const report = await sharedCostReport("prod");
    const wide = pricedRows(renderText(report));
    const narrow = pricedRows(renderText(report, undefined, 120));
    expect(wide.some((row) => row.length > 120)).toBe(true);
    expect(narrow).toHaveLength(2 * wide.length);
    const [what, figures] = [narrow.filter((_, i) => i % 2 === 0), narrow.filter((_, i) => i % 2 === 1)];
    expect(what.every((row) => /^ {2}\S.*: \S/.test(row))).toBe(true);
    expect(figures.every((row) => row.length <= 120 && /^ {6}\S+ +\S.* {2}@ \$[\d.]+\?? +\$[\d,]+\.\d\d {2}https:\/\/aws\.amazon\.com\//.test(row))).toBe(true);
    // Every column starts where the one above it starts.
    expect(new Set(figures.map((row) => row.indexOf("@ $"))).size).toBe(1);
    expect(new Set(figures.map((row) => row.indexOf("https://"))).size).toBe(1);
  });

  it("keeps one line each where they fit", async () => {
    const report = await sharedCostReport("prod");
    expect(pricedRows(renderText(report, undefined, 400))).toEqual(pricedRows(renderText(report)));
  });
});
