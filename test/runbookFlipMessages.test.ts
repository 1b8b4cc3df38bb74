/**
 * docs/runbooks/failover-database.md quotes the flip's messages ("What the flip prints") so the
 * on-call can look up the one in the `pulumi up` log. Every quoted message must still be one the
 * flip prints: each literal piece of a quote (between `...`, region codes, numbers and the
 * action's name, which the flip fills in) stands in the flip's own sources.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const sources = ["domain/patroniFlip.ts", "components/patroniFlip/run.ts"].map(read).join("\n");

/** The backticked messages of the runbook's table of the flip's messages. */
function quotedMessages(): string[] {
  const runbook = read("docs/runbooks/failover-database.md");
  const start = runbook.indexOf("What the flip prints");
  const end = runbook.indexOf("\n## ", start);
  const rows = runbook.slice(start, end).split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/**
 * What the flip fills in: elided text, member names, a lag ("N bytes"), numbers, the action's
 * name, PostgreSQL's state; and the "REFUSED: " run.ts puts before a refusal.
 */
const FILLED_IN = /\.\.\.|\bus-[a-z]+-\d\b|\bN bytes\b|\b\d+\b|\bswitchover\b|\brunning\b|^REFUSED: /;

describe("the flip's messages quoted in failover-database.md", () => {
  const quotes = quotedMessages();

  it("quotes the flip's messages (the table is there)", () => {
    expect(quotes.length).toBeGreaterThanOrEqual(9);
  });

  it.each(quotes)("%s is printed by the flip (every literal piece is in its sources)", (quote) => {
    if (quote.startsWith("REFUSED: ")) expect(sources).toContain("`REFUSED: ${decision.message}`");
    const pieces = quote.split(new RegExp(FILLED_IN.source, "g")).map((piece) => piece.trim()).filter((piece) => /[a-z]/i.test(piece));
    expect(pieces.filter((piece) => !sources.includes(piece))).toEqual([]);
  });
});
