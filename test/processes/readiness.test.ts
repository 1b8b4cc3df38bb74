/**
 * `npm run readiness` as a user runs it: the full table for prod and dr, the exit codes (0 all
 * right, 1 an objective not met and named, 2 bad input), Markdown for the pull-request preview
 * within GitHub's comment limit, and old and new margins against a base report.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { unwrapped } from "../support/cliRuns";
import { backups, recoveryObjectives } from "../../domain/runbook";
import { drillIds, drills, monthlyRestoreTestText } from "../../domain/testingSchedule";
import { repositoryRoot } from "../../tools/offline";

function readiness(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "tools/cli/run.js"), path.join(repositoryRoot, "tools/cli/readiness.ts"), ...args], {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 600_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every objective of the runbook, in its own words, as the report must show it. */
const objectives = [
  ...Object.values(recoveryObjectives).map((o) => `${o.component} RTO ${o.rtoMinutes} min`),
  ...Object.values(recoveryObjectives).filter((o) => o.rpoMinutes !== null).map((o) => `${o.component} RPO ${o.rpoMinutes} min`),
  `Full backups daily at ${backups.full.timeUtc} UTC`,
  `Incremental backups every ${backups.incremental.intervalHours} h`,
  `Full backups retained ${backups.full.retentionDays} days`,
  `Incremental backups retained ${backups.incremental.retentionDays} days`,
  `Transaction logs retained ${backups.transactionLogs.retentionHours} hours`,
  `Point-in-time recovery for ${backups.pointInTimeRecovery.windowHours} hours`,
  `Logs retained ${backups.logs.retentionDays} days`,
  monthlyRestoreTestText,
  ...drillIds.map((id) => drills[id].text),
];

const tempFile = (name: string, content: unknown) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "readiness-")), name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
};

const figure = (seconds: number) => ({ seconds, measuredBy: "fixture", where: "fixture", when: "2026-12-01T20:00:00Z", machine: "fixture", detail: "fixture" });

describe("npm run readiness", () => {
  it.each(["prod", "dr"])("prints every runbook objective for %s and exits 0", (stack) => {
    const result = readiness("--stack", stack);
    expect(result.stderr).not.toContain("not met:");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Readiness: stack ${stack} \\(`));
    for (const objective of objectives) expect(result.stdout, objective).toContain(objective);
    expect(result.stdout).not.toMatch(/^✗ not met/m);
  });

  it("--format json and markdown: margins from the evaluated plan, a PR comment well under 65,536 characters, old and new against --base", () => {
    const measurements = tempFile("m.json", { figures: { promotionSeconds: figure(5) }, drills: {} });
    const json = readiness("--stack", "prod", "--format", "json", "--measurements", measurements);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    const api = report.rows.find((r: { id: string }) => r.id === "rto-api");
    // prod's api records are aliases of load balancers: 10 s × 2 + 60 s, plus the 5 s switchover.
    expect(api).toMatchObject({ value: 85, limit: 600, margin: 515, verdict: "met", measured: [{ figure: "switchover", measurement: figure(5) }] });
    const base = tempFile("base.json", { ...report, rows: report.rows.map((r: { id: string; margin: number }) => (r.id === "rto-api" ? { ...r, margin: 550 } : r)) });
    const markdown = readiness("--stack", "prod", "--format", "markdown", "--measurements", measurements, "--base", base);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout.length).toBeLessThan(60_000);
    expect(markdown.stdout).toContain("#### 1 objective(s) worse than in the base report\n- **API Service (Flask) RTO 10 min: margin 550 s → 515 s, met → met**");
    expect(markdown.stdout).toContain("| ✓ met | API Service (Flask) RTO 10 min<br><sub>Recovery Time Objectives (RTO) & Recovery Point Objectives (RPO)</sub> |");
    expect(markdown.stdout).toContain("- switchover: fixture, fixture, 2026-12-01T20:00:00Z, fixture; fixture");
  });

  it("exits 1 naming the objective a looser-but-valid setting breaks: CNAME api records with the longest interval, threshold and TTL", () => {
    // Each value is allowed by the config schema, and the policy pack's DNS rule passes (30 s × 10
    // + 300 s = 600 s, the API RTO exactly); adding the measured switchover breaks the RTO.
    const measurements = tempFile("m.json", { figures: { promotionSeconds: figure(5) }, drills: {} });
    const result = readiness(
      "--stack", "prod", "--measurements", measurements,
      "--set", "endpoints.api={primary: {hostname: api-use1.up.railway.app}, secondary: {hostname: api-usw2.up.railway.app}}",
      "--set", "healthCheck.requestIntervalSeconds=30", "--set", "healthCheck.failureThreshold=10", "--set", "healthCheck.ttlSeconds=300",
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ not met      API Service (Flask) RTO 10 min");
    expect(result.stdout).toContain("budget:    DNS 30 s × 10 + 300 s cache + switchover 5 s (measured) = 605 s");
    expect(result.stdout).toContain("margin:    -5 s (limit 600 s)");
    expect(result.stderr).toContain("not met: API Service (Flask) RTO 10 min (rto-api); Authentication Service RTO 10 min (rto-auth)");
  });

  it.each([
    [["--stack", "prod", "--markdown"], "--markdown: no longer taken; give --format markdown instead (one flag for every tool), e.g. npm run -s readiness -- --stack prod --format markdown"],
    [["--stack", "prod", "--database-size", "40G"], '--database-size is "40G"; use a number with KB, MB, GB or TB (binary multiples), e.g. 1GB or 200MB'],
    [["--stack", "prod", "--format", "html"], '--format: "html" is not allowed; use text, json, markdown, e.g. --format markdown'],
    [[], "--stack: required; e.g. npm run readiness -- --stack prod"],
    [["--stack", "staging"], '--stack "staging": no Pulumi.staging.yaml; stacks found: dr, prod'],
    [["--stack", "prod", "--set", "healthCheck.ttlSeconds=900"], "crazy-gary-dr:healthCheck.ttlSeconds: "],
    [["--stack", "prod", "--base", "/no/such/file.json"], '--base "/no/such/file.json": no such file; give a file written by npm run readiness -- --format json'],
    // A file the user names must exist: a typo is not "nothing measured".
    [["--stack", "prod", "--measurements", "/no/such/measurements.json"], '--measurements "/no/such/measurements.json": no such file; give the measurements file'],
  ])("%j exits 2 with a clear message and no stack trace", (args, message) => {
    const result = readiness(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("--database-size: predicts that size's restore from the two measured sizes, and exits 1 naming the restore row once it no longer fits the RTO", () => {
    const size = (gib: number, seconds: number) => ({ databaseBytes: gib * 2 ** 30, seconds, walBytes: 2 ** 26, runsSeconds: [seconds], loadAverages: [9] });
    // 1 GiB in 10 s and 4 GiB in 25 s: 5 s fixed + size / 204.8 MiB/s, 179 GiB within 900 s.
    const measurements = tempFile("m.json", { figures: { promotionSeconds: figure(5), restoreSeconds: { ...figure(10), sizes: [size(1, 10), size(4, 25)] } }, drills: {} });
    const fits = readiness("--stack", "prod", "--measurements", measurements, "--database-size", "100GB");
    expect(fits.code).toBe(0);
    expect(unwrapped(fits.stdout)).toContain("budget:    restore of the declared 100.0 GiB: 5 s + 100.0 GiB / 205 MiB/s (predicted from measurements) = 505 s; largest database within the RTO 179.0 GiB (linear from 1.0 GiB in 10 s and 4.0 GiB in 25 s: 5 s fixed + size / 205 MiB/s)");
    const tooLarge = readiness("--stack", "prod", "--measurements", measurements, "--database-size", "200GB");
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stdout).toContain("✗ not met      Database (PostgreSQL) RTO 15 min (restore from backup)");
    expect(tooLarge.stderr).toContain("not met: Database (PostgreSQL) RTO 15 min (restore from backup) (rto-database-restore)");
  });

  it("exits 2 on a measurements file that is not one, naming the key", () => {
    const measurements = tempFile("m.json", { figures: { promotionSeconds: { seconds: "fast" } }, drills: {} });
    const result = readiness("--stack", "prod", "--measurements", measurements);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('figures.promotionSeconds.seconds: "fast" is not a number of seconds >= 0');
  });
});

describe("the pull-request preview", () => {
  const preview = parse(readFileSync(path.join(repositoryRoot, ".github/workflows/preview.yml"), "utf8"));
  const steps: { name?: string; if?: string; run?: string; env?: Record<string, string> }[] = preview.jobs.preview.steps;
  const step = steps.find((s) => s.run?.includes("npm run -s readiness"))!;

  it("posts the readiness report in its own step beside the policy report, even when the policy step failed", () => {
    expect(step.if).toBe("${{ !cancelled() }}");
    expect(step.env).toEqual({ BASE_READY: "${{ steps.base.outputs.ready }}" });
    expect(steps.indexOf(step)).toBeGreaterThan(steps.findIndex((s) => s.run?.includes("npm run -s policy")));
    expect(steps.indexOf(step)).toBeLessThan(steps.findIndex((s) => s.name === "Keep the full plan and policy report"));
  });

  it("compares with the base branch's --format json report, goes into the PR comment, and fails the check when an objective is not met", () => {
    expect(step.run).toContain('npm run -s readiness -- --stack "$STACK" --format json > "$GITHUB_WORKSPACE/reports/readiness-base-$STACK.json"');
    expect(step.run).toContain('base=(--base "reports/readiness-base-$STACK.json")');
    expect(step.run).toContain('npm run -s readiness -- --stack "$STACK" --format markdown "${base[@]}" > "reports/readiness-$STACK.md"');
    expect(step.run).toContain('echo "readiness=$status" >> "$GITHUB_OUTPUT"');
    expect(steps.find((s) => s.run?.includes("npm run -s pr-comment"))!.run).toContain('--section "DR readiness=reports/readiness-$STACK.md"');
    expect(steps.at(-1)!.env).toMatchObject({ READINESS: "${{ steps.readiness.outputs.readiness }}" });
  });
});
