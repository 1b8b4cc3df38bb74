/**
 * The pull-request comment's assembly (tools/prComment/assemble.ts): short reports whole; long ones
 * cut to whole lines under the limit, each with a marker, the short ones kept whole, and a link
 * to the full artifact.
 */
import { describe, expect, it } from "vitest";
import { assembleComment, githubCommentLimit, waterFill, type CommentSection } from "../tools/prComment/assemble";

const url = "https://github.com/crazy-gary/dr/actions/runs/42/artifacts/7";
const diffLines = (n: number) => Array.from({ length: n }, (_, i) => `~  aws:cloudwatch/metricAlarm:MetricAlarm alarms-${String(i).padStart(5, "0")} update [diff: ~threshold]`);
const policy: CommentSection = { title: "Policy report", kind: "markdown", body: "**0 mandatory violations** (stack prod)\n\n| policy | violations |\n| --- | --- |\n| wal-retention | 0 |\n" };
const readiness: CommentSection = {
  title: "DR readiness",
  kind: "markdown",
  body: ["| objective | margin |", "| --- | --- |", ...Array.from({ length: 12 }, (_, i) => `| objective ${i} | ${i} min |`), "<details><summary>how</summary>", "", "text", "</details>"].join("\n"),
};

describe("assembleComment", () => {
  it("keeps short reports whole, in order, under the hidden marker, with no cut note or link", () => {
    const diff: CommentSection = { title: "Offline diff against main", kind: "code", body: `${diffLines(3).join("\n")}\n\n0 to update` };
    const { body, cut } = assembleComment([diff, policy, readiness], { marker: "crazy-gary-preview:prod", heading: "Preview: prod", artifactUrl: url });
    expect(cut).toEqual({});
    expect(body.startsWith("<!-- crazy-gary-preview:prod -->\n## Preview: prod\n\n")).toBe(true);
    expect(body).toContain(`### Offline diff against main\n\n\`\`\`\n${diff.body}\n\`\`\`\n`);
    expect(body).toContain(policy.body);
    expect(body).toContain(readiness.body);
    expect(body.indexOf("### Policy report")).toBeLessThan(body.indexOf("### DR readiness"));
    expect(body).not.toContain(url);
    expect(body).not.toContain("left out");
  });

  it("cuts a 5,000-line diff to whole lines under GitHub's 65,536 characters, keeps the short reports whole and links the artifact", () => {
    const lines = diffLines(5_000);
    const diff: CommentSection = { title: "Offline diff against main", kind: "code", body: lines.join("\n") };
    expect(diff.body.length).toBeGreaterThan(githubCommentLimit * 6);
    const { body, cut } = assembleComment([diff, policy, readiness], { marker: "crazy-gary-preview:prod", heading: "Preview: prod", artifactUrl: url });
    expect(body.length).toBeLessThanOrEqual(githubCommentLimit);
    // Used the room: within one diff line of the limit, less the reserve for markers and notes.
    expect(body.length).toBeGreaterThan(githubCommentLimit - 1_000);
    expect(Object.keys(cut)).toEqual(["Offline diff against main"]);
    const kept = lines.length - cut["Offline diff against main"];
    expect(body).toContain(`${lines[kept - 1]}\n\`\`\`\n… ${cut["Offline diff against main"]} more lines left out here: the full text is in the artifact\n`);
    expect(body).not.toContain(lines[kept]);
    // Whole lines only: every diff line in the body is one of the plan's lines.
    const shown = body.split("\n").filter((l) => l.startsWith("~  "));
    expect(shown).toEqual(lines.slice(0, kept));
    expect(body).toContain(policy.body);
    expect(body).toContain(readiness.body);
    expect(body).toContain(`> Cut to stay under GitHub's comment limit (65,536 characters): ${cut["Offline diff against main"]} lines left out. Read [the full reports (artifact)](${url}).`);
  });

  it("shares the room between two long reports and closes a <details> block the cut left open", () => {
    const longMarkdown: CommentSection = {
      title: "DR readiness",
      kind: "markdown",
      body: ["<details><summary>every objective</summary>", "", ...Array.from({ length: 3_000 }, (_, i) => `| objective ${i} | ${i} min | met |`), "</details>"].join("\n"),
    };
    const diff: CommentSection = { title: "Offline diff against main", kind: "code", body: diffLines(3_000).join("\n") };
    const { body, cut } = assembleComment([diff, policy, longMarkdown], { marker: "m", heading: "Preview: dr", maxChars: 20_000 });
    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(Object.keys(cut).sort()).toEqual(["DR readiness", "Offline diff against main"]);
    const readinessPart = body.slice(body.indexOf("### DR readiness"));
    const diffPart = body.slice(body.indexOf("### Offline diff"), body.indexOf("### Policy report"));
    // Each long report got about half of what the short one left.
    expect(Math.abs(readinessPart.length - diffPart.length)).toBeLessThan(500);
    expect(readinessPart).toMatch(/\| met \|\n<\/details>\n\n… \d+ more lines left out here: the full text is in the artifact\n$/);
    expect(body).toContain("Read the run's artifacts (no link was given).");
  });

  it("keeps a markdown report's own opening heading instead of adding a second one", () => {
    const report: CommentSection = { title: "Policy report", kind: "markdown", body: "### Policy report: stack prod\n\n29 policies, 0 violations\n" };
    const { body } = assembleComment([report], { marker: "m", heading: "Preview: prod" });
    expect(body).toBe("<!-- m -->\n## Preview: prod\n\n### Policy report: stack prod\n\n29 policies, 0 violations\n");
  });

  it("refuses a limit too small for the headings", () => {
    expect(() => assembleComment([policy], { marker: "m", heading: "h", maxChars: 200 })).toThrow("maxChars: 200 is too small; give at least 1000");
  });
});

describe("waterFill", () => {
  it.each([
    [[100, 50_000, 200], 10_000, [100, 9_700, 200]],
    [[8_000, 8_000], 10_000, [5_000, 5_000]],
    [[10, 20], 100, [10, 20]],
    [[10, 20], -5, [0, 0]],
  ])("sizes %j in %i -> %j", (sizes, budget, shares) => {
    expect(waterFill(sizes, budget)).toEqual(shares);
  });
});
