/**
 * `npm run policy`: the same policy objects over the offline plan or a saved plan file; exit 1
 * on a mandatory violation naming the resource URN, 2 on usage errors.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planStack, toPlanJson } from "../../tools/offline/plan";
import { byName, compliantPlan } from "../policies/fixtures";
// A URN is wider than the 100 columns of a pipe: it wraps, and joined again it is whole.
import { unwrapped } from "../support/cliRuns";

const root = join(__dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPolicy(args: string[]) {
  const result = spawnSync(process.execPath, ["tools/cli/run.js", "tools/cli/policy.ts", ...args], { cwd: root, encoding: "utf8", timeout: 600_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writePlan(name: string, plan: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

describe("npm run policy -- --plan FILE", () => {
  it("exits 0 on the compliant plan and lists every policy as passed", () => {
    const { code, stdout } = runPolicy(["--plan", writePlan("compliant.json", { stack: "fixture", resources: compliantPlan(), outputs: {} })]);
    expect(code).toBe(0);
    expect(stdout).toContain("30 policies, 0 violations (0 mandatory)");
    expect(stdout).toContain("✓ passed (30)");
  });

  it("exits 1 on a plan whose lifecycle days were lowered, naming the policy and the URN; markdown is cut to --max-chars", () => {
    const plan = compliantPlan();
    const lifecycle = byName(plan, "wal-secondary-lifecycle");
    (lifecycle.inputs.rules as { expiration?: { days: number } }[]).forEach((r) => r.expiration && (r.expiration.days = 3));
    // The rollback rows' alarms lose their actions (the replica-lag alarms keep theirs: their policy is not this test's subject).
    for (const alarm of plan.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && !r.name.includes("replica-lag"))) alarm.inputs.alarmActions = [];
    const file = writePlan("lowered.json", { stack: "fixture", resources: plan, outputs: {} });

    const text = runPolicy(["--plan", file]);
    expect(text.code).toBe(1);
    expect(text.stdout.split("\n").every((line) => [...line].length <= 100)).toBe(true);
    expect(unwrapped(text.stdout)).toMatch(/✗ retention-lifecycle-covers-engine \(mandatory\): 2 violation\(s\)\n {4}urn:pulumi:test::crazy-gary-dr::aws:s3\/bucketLifecycleConfiguration:BucketLifecycleConfiguration::wal-secondary-lifecycle\n {6}lifecycle rule "wal-orphans"/);
    expect(text.stdout.indexOf("✗")).toBeLessThan(text.stdout.indexOf("✓ passed"));

    const markdown = runPolicy(["--plan", file, "--format", "markdown", "--max-chars", "1500"]);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout.length).toBeLessThanOrEqual(1501);
    expect(markdown.stdout).toMatch(/^### Policy report: stack fixture\n\n30 policies, 16 violations \(16 mandatory\)\n\n#### ✗ `retention-lifecycle-covers-engine`/);
    expect(markdown.stdout).toMatch(/more line\(s\) cut to stay under 1500 characters; the full report is in the job's artifact\.\n$/);
  });

  it.each([
    [[], "--stack/--plan: give exactly one"],
    [["--plan", "/nonexistent/plan.json"], '--plan "/nonexistent/plan.json": no such file; use --stack <name>'],
    [["--plan", "/tmp"], '--plan "/tmp": is a folder, not a file; use --stack <name>'],
    [["--plan", "package.json"], "--plan: package.json is not a plan file"],
    [["--stack", "prod", "--format", "html"], '--format: "html" is not allowed; use text, json, markdown, e.g. --format markdown'],
    [["--stack", "prod", "--frobnicate"], "--frobnicate: unknown flag"],
  ])("exits 2 on %j", (args, message) => {
    const { code, stderr } = runPolicy(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe("npm run policy over the real stacks", () => {
  it("exits 0 for --stack prod", () => {
    const { code, stdout } = runPolicy(["--stack", "prod"]);
    expect(stdout).toContain("0 violations");
    expect(code).toBe(0);
  });

  it("exits 1 on a saved prod plan with a WAL lifecycle rule lowered, naming its URN", async () => {
    const plan = toPlanJson(await planStack("prod"));
    const lifecycle = plan.resources.find((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect(lifecycle).toBeDefined();
    const rules = lifecycle!.inputs.rules as { expiration?: { days?: number } }[];
    const expiring = rules.filter((r) => r.expiration?.days !== undefined);
    expect(expiring.length).toBeGreaterThan(0);
    for (const rule of expiring) rule.expiration!.days = 1;

    const { code, stdout } = runPolicy(["--plan", writePlan("prod-lowered.json", plan)]);
    expect(code).toBe(1);
    expect(stdout).toContain("✗ retention-lifecycle-covers-engine (mandatory)");
    expect(unwrapped(stdout)).toContain(lifecycle!.urn);
  });
});

describe("npm run policy --format json", () => {
  it("prints every outcome with its violations as JSON, titled with the --set overrides", () => {
    const result = spawnSync("npm", ["run", "-s", "policy", "--", "--stack", "prod", "--set", "activeRegion=secondary", "--format", "json"], { cwd: root, encoding: "utf8", timeout: 600_000 });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { title: string; set: string[]; outcomes: { policy: string; violations: unknown[] }[] };
    expect(report.title).toBe("stack prod with activeRegion=secondary");
    expect(report.set).toEqual(["activeRegion=secondary"]);
    expect(report.outcomes.length).toBeGreaterThan(20);
    expect(report.outcomes.every((o) => o.violations.length === 0)).toBe(true);
  });
});
