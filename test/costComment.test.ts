/**
 * The pull-request comment carries each stack's cost before and after: the cost section (the
 * markdown `npm run cost -- --format markdown --base FILE` writes) fits beside a long diff, the
 * policy and the readiness reports under GitHub's 65,536 characters, and stays whole.
 */
import { describe, expect, it } from "vitest";
import { parseBase, renderJson, renderMarkdown } from "../tools/cost/render";
import { assembleComment, githubCommentLimit, type CommentSection } from "../tools/prComment/assemble";
import { sharedCostReport } from "./support/costReports";

const reportOf = sharedCostReport;

const diff: CommentSection = {
  title: "Offline diff against the base branch",
  kind: "code",
  body: Array.from({ length: 5_000 }, (_, i) => `~  aws:cloudwatch/metricAlarm:MetricAlarm alarms-${String(i).padStart(5, "0")} update [diff: ~threshold]`).join("\n"),
};
const policy: CommentSection = { title: "Policy report", kind: "markdown", body: "**0 mandatory violations** (stack prod)\n" };
const readiness: CommentSection = { title: "DR readiness", kind: "markdown", body: ["| objective | margin |", "| --- | --- |", ...Array.from({ length: 20 }, (_, i) => `| objective ${i} | ${i} min |`)].join("\n") };

describe("the cost section of the pull-request comment", () => {
  it("shows before, after and the change, and stays whole beside a 5,000-line diff under 65,536 characters", async () => {
    const base = parseBase(renderJson(await reportOf("prod")), "base.json");
    const markdown = renderMarkdown(await reportOf("prod", ["retention.fullDays=60"]), base);
    expect(markdown).toMatch(/^\| total a month \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$[\d,.]+ \|$/m);
    expect(markdown).toMatch(/^\| WalArchiveBucket wal-archive-secondary \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$[\d,.]+ \|$/m);
    const cost: CommentSection = { title: "Monthly cost", kind: "markdown", body: markdown };

    const { body, cut } = assembleComment([diff, policy, readiness, cost], { marker: "crazy-gary-preview:prod", heading: "Preview: prod", artifactUrl: "https://github.com/o/r/actions/runs/1/artifacts/2" });
    expect(body.length).toBeLessThanOrEqual(githubCommentLimit);
    expect(Object.keys(cut)).toEqual(["Offline diff against the base branch"]);
    expect(body).toContain(markdown.replace(/\n+$/, ""));
  });

  it("without a base, says so and shows the totals", async () => {
    const markdown = renderMarkdown(await reportOf("dr"));
    expect(markdown).toContain("No base report: no change shown.");
    expect(markdown).toMatch(/^\| total \| \$[\d,.]+ \|$/m);
    expect(markdown).toMatch(/^\| what DR costs \(standby \+ witness\) \| \$[\d,.]+ \(\d+\.\d%\) \|$/m);
  });

  it("folds the share of each owner (a role, the witness, shared: the glossary's word, never a site)", async () => {
    const markdown = renderMarkdown(await reportOf("dr"));
    expect(markdown).toContain("<details><summary>By component, by owner, and every line</summary>");
    expect(markdown).toMatch(/^\| owner \| a month \| share \|$/m);
    const rows = markdown.match(/^\| (primary|secondary|witness|shared)\b[^|]*\| \$[\d,.]+ \| \d+\.\d% \|$/gm) ?? [];
    expect(rows.map((row) => row.split(" |")[0].slice(2))).toEqual(["primary (us-east-2), active", "secondary (us-west-1), standby", "witness (us-west-2)", "shared"]);
    expect(markdown).not.toMatch(/\bsites?\b/);
    const json = JSON.parse(renderJson(await reportOf("dr")));
    expect([Object.keys(json.byOwner), json.activeRole, json.passiveRole, json.lines[0].owner]).toEqual([["primary", "secondary", "witness", "shared"], "primary", "secondary", expect.any(String)]);
  });
});
