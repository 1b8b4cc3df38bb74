/**
 * `npm run pr-comment` as preview.yml runs it: report files in, one comment body out, whole when
 * short, cut under GitHub's 65,536 characters with the artifact link when long; mistakes exit 2.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

const dir = mkdtempSync(path.join(os.tmpdir(), "pr-comment-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
};
const prComment = (...args: string[]) => spawnSync("npm", ["run", "-s", "pr-comment", "--", ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: 120_000 });
const url = "https://github.com/crazy-gary/dr/actions/runs/1/artifacts/2";

describe("npm run -s pr-comment", () => {
  const policy = file("policy.md", "**No mandatory violation** (stack prod)\n");

  it("prints short reports whole, the diff as a code block, under the marker", () => {
    const diff = file("diff.txt", "(no changes)\n\n0 to update, 0 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0\n");
    const result = prComment("--marker", "crazy-gary-preview:prod", "--heading", "Preview: prod", "--section", `Offline diff=${diff}`, "--section", `Policy report=${policy}`, "--artifact-url", url);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      "<!-- crazy-gary-preview:prod -->\n## Preview: prod\n\n### Offline diff\n\n```\n(no changes)\n\n0 to update, 0 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0\n```\n\n### Policy report\n\n**No mandatory violation** (stack prod)\n",
    );
  });

  it("cuts a long diff under 65,536 characters into --out, keeping the policy report whole and linking the artifact", () => {
    const lines = Array.from({ length: 4_000 }, (_, i) => `~  aws:ssm/parameter:Parameter setting-${i} update [diff: ~insecureValue]`);
    const diff = file("long.txt", `${lines.join("\n")}\n`);
    const out = path.join(dir, "comment.md");
    const result = prComment("--section", `Offline diff=${diff}`, "--section", `Policy report=${policy}`, "--artifact-url", url, "--out", out);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    const body = readFileSync(out, "utf8");
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/… \d+ more lines left out here: the full text is in the artifact\n/);
    expect(body).toContain(`[the full reports (artifact)](${url})`);
    expect(body).toContain("**No mandatory violation** (stack prod)\n");
  });

  it.each([
    [[], '--section: required, at least one; e.g. --section "Policy report=reports/policy-prod.md"'],
    [["--section", "reports/policy.md"], '--section "reports/policy.md": expected TITLE=FILE'],
    [["--section", "Policy=/nonexistent/policy.md"], '--section "Policy=/nonexistent/policy.md": no such file; give a report file that exists'],
    [["--section", `Policy=${policy}`, "--max-chars", "70000"], '--max-chars: "70000" is not allowed; use a whole number from 1000 to 65536'],
    [["--section", `Policy=${policy}`, "--artifact-url", "ftp://x"], '--artifact-url: "ftp://x" is not an https URL'],
    [["--sektion", "x=y"], "--sektion: unknown flag; did you mean --section?"],
  ])("%j exits 2 naming the flag", (args, message) => {
    const result = prComment(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });
});
