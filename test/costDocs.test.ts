/**
 * docs/reference/cost.md is `npm run cost` for each stack as it prints today (npm run docs
 * writes it); a committed file that differs is stale.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { costReferenceFile, renderCostReference } from "../dev/docs/costReference";
import { repositoryRoot } from "../tools/offline";

describe(costReferenceFile, () => {
  it("is what npm run docs renders now", async () => {
    const rendered = await renderCostReference();
    if (readFileSync(path.join(repositoryRoot, costReferenceFile), "utf8") !== rendered) throw new Error(`${costReferenceFile} is stale; run npm run docs`);
    expect(rendered).toMatch(/^## prod$/m);
    expect(rendered).toMatch(/^## dr$/m);
    // The guide's excerpt of prod's report is real output: every line of it is in the reference.
    const guide = readFileSync(path.join(repositoryRoot, "docs/guides/cost.md"), "utf8");
    const excerpt = /The end of prod's:\n\n```\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(excerpt).toBeDefined();
    const prod = rendered.slice(rendered.indexOf("## prod"), rendered.indexOf("## dr"));
    for (const line of excerpt!.split("\n")) expect(prod.split("\n"), `docs/guides/cost.md shows a line npm run cost no longer prints; copy the end of prod's report from ${costReferenceFile}`).toContain(line);
  });
});
