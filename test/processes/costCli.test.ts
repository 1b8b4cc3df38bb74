/**
 * `npm run cost` as a user runs it: the report for prod and dr with a total and the standby's
 * share, the formats, a base report compared, unknown flags refused, and `--out` relative to the
 * folder npm was run in (INIT_CWD), not the package folder npm runs scripts in.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";
import { unwrapped } from "../support/cliRuns";

function npmCost(cwd: string, ...args: string[]) {
  const result = spawnSync("npm", ["--prefix", repositoryRoot, "run", "-s", "cost", "--", ...args], { cwd, encoding: "utf8", timeout: 600_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const cost = (...args: string[]) => npmCost(repositoryRoot, ...args);

describe("npm run cost", () => {
  it.each(["prod", "dr"])("prints %s's lines, a total, the standby's share and no unpriced type; exit 0", (stack) => {
    const result = cost("--stack", stack);
    expect(result.stderr).not.toMatch(/not priced:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Total +\$[\d,]+\.\d\d a month$/m);
    expect(result.stdout).toMatch(/^ {2}secondary \(us-[a-z]+-\d\), standby +\$[\d,]+\.\d\d {2}\(\d+\.\d%\)$/m);
    expect(result.stdout).toMatch(/^What DR itself costs \(standby region \+ witness\) +\$[\d,]+\.\d\d a month/m);
    expect(result.stdout).toContain("Not priced: none");
    // A priced line is wider than a pipe's 100 columns: what, then where, how much and the source (its end may wrap).
    expect(unwrapped(result.stdout)).toMatch(/^ {2}FailoverDns failover-dns: .*health check.*\n {6}us-east-1 +.* @ \$0\.\d+ +\$\d+\.\d\d {2}https:\/\/aws\.amazon\.com\/route53\/pricing\/$/m);
  });

  it("writes --out relative to the folder npm was run in, and a markdown report against that base shows before, after and the change", () => {
    const here = mkdtempSync(path.join(tmpdir(), "cost-cli-"));
    const base = npmCost(here, "--stack", "prod", "--format", "json", "--out", "base.json");
    expect(base.code).toBe(0);
    expect(base.stderr).toContain(`wrote ${path.join(here, "base.json")}`);
    expect(existsSync(path.join(repositoryRoot, "base.json"))).toBe(false);
    const saved = JSON.parse(readFileSync(path.join(here, "base.json"), "utf8"));
    expect(saved.format).toBe("crazy-gary-cost/1");

    const after = npmCost(here, "--stack", "prod", "--set", "cost.walGiBPerDay=4", "--format", "markdown", "--base", "base.json");
    expect(after.code).toBe(0);
    const row = after.stdout.split("\n").find((l) => l.startsWith("| total a month |"))!;
    const [, , before, now, change] = row.split("|").map((c) => c.trim());
    const dollars = (text: string) => Number(text.replace(/[^\d.-]/g, ""));
    expect(dollars(now) - dollars(before)).toBeCloseTo(dollars(change), 2);
    expect(dollars(change)).toBeGreaterThan(0);
    expect(after.stdout).toMatch(/^\| WalArchiveBucket wal-archive-primary \| \$[\d.,]+ \| \$[\d.,]+ \| \+\$[\d.,]+ \|$/m);
  });

  it.each([
    [["--stack", "prod", "--fromat", "json"], /--fromat: unknown flag; did you mean --format\?/],
    [["--stack", "prod", "--format", "csv"], /--format: "csv" is not allowed; use text, markdown, json/],
    [["prod"], /prod: unexpected argument; did you mean --stack prod\?/],
    [["--stack", "prod", "--set", "cost.instanceTypes.database=m6i.huge"], /cost\.instanceTypes\.database.*is not an instance type the price table prices/],
    [["--stack", "prod", "--set", "cost.walGiBPerDay=0"], /cost\.walGiBPerDay: 0 is not more than 0; use a positive number of GiB/],
  ])("refuses %j with exit 2, naming the flag or key and what is allowed", (args, message) => {
    const result = cost(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  it("refuses a --base that is not a cost report, naming the file", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "cost-cli-")), "plan.json");
    writeFileSync(file, JSON.stringify({ stack: "prod", resources: [] }));
    const result = cost("--stack", "prod", "--base", file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--base: ${file} is not a cost report`);
  });
});
