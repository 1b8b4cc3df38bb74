/**
 * drills.yml, the runbook's testing schedule as scheduled drills: its crons are the ones
 * computed from domain/testingSchedule.ts and run as often as the runbook says; a scheduled run
 * drills dr; prod only by hand with the typed confirmation (through `npm run drill -- target`,
 * run here as the workflow runs it); the run reports readiness, runs the restore bench and
 * records the drill. (Shellcheck and actionlint run over it in workflows.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cronFor, drillIds, drills, monthsBetweenCronRuns, prodConfirmation } from "../../domain/testingSchedule";

const root = join(__dirname, "../..");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const workflow = parse(readFileSync(join(root, ".github/workflows/drills.yml"), "utf8")) as {
  on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: Record<string, { options?: string[]; default?: string; type: string }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: { drill: { steps: Step[]; container: string; environment: string } };
};
const steps = workflow.jobs.drill.steps;
const stepRunning = (text: string) => steps.find((s) => s.run?.includes(text));

function drill(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "tools/cli/run.js"), join(root, "tools/cli/drill.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 600_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("drills.yml", () => {
  const crons = workflow.on.schedule.map((s) => s.cron);

  it("schedules exactly the crons computed from the runbook's testing schedule", () => {
    expect(crons).toEqual(drillIds.map((id) => cronFor(drills[id])));
  });

  it.each(drillIds)("runs %s as often as the runbook says (months between runs read from the cron)", (id) => {
    const cron = crons.find((c) => c === cronFor(drills[id]))!;
    expect(monthsBetweenCronRuns(cron)).toBe(drills[id].everyMonths);
  });

  it("can be started by hand for any drill, on dr by default, one drill at a time", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(inputs.drill.options).toEqual([...drillIds]);
    expect(inputs.stack).toMatchObject({ options: ["dr", "prod"], default: "dr" });
    expect(inputs.confirm).toMatchObject({ type: "string", default: "" });
    expect(workflow.concurrency).toEqual({ group: "drills", "cancel-in-progress": false });
  });

  it.each(drillIds)("maps the %s cron to its drill on dr, as the target step runs it", (id) => {
    const result = drill("target", "--schedule", cronFor(drills[id]));
    expect(result).toMatchObject({ code: 0, stdout: `drill=${id}\nstack=dr\n` });
  });

  it("refuses prod without the typed confirmation and drills it with", () => {
    const refused = drill("target", "--drill", "semi-annual-failover-test", "--stack", "prod", "--confirm", "yes");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--confirm: "yes" does not confirm a drill against prod; type "${prodConfirmation}"`);
    expect(refused.stdout).toBe("");
    expect(drill("target", "--drill", "semi-annual-failover-test", "--stack", "prod", "--confirm", prodConfirmation).stdout).toBe("drill=semi-annual-failover-test\nstack=prod\n");
  });

  it("takes the schedule and the inputs only through env, and writes the target to the step outputs", () => {
    const target = steps.find((s) => s.id === "target")!;
    expect(target.env).toEqual({ SCHEDULE: "${{ github.event.schedule }}", DRILL: "${{ inputs.drill }}", STACK: "${{ inputs.stack }}", CONFIRM: "${{ inputs.confirm }}" });
    expect(target.run).toContain('npm run -s drill -- target --schedule "$SCHEDULE" >> "$GITHUB_OUTPUT"');
    expect(target.run).toContain('npm run -s drill -- target --drill "$DRILL" --stack "$STACK" --confirm "$CONFIRM" >> "$GITHUB_OUTPUT"');
  });

  it("reports readiness for the target stack, runs the restore bench on real PostgreSQL, then records the drill even when a step failed", () => {
    expect(workflow.jobs.drill.container).toBe("node:20-bookworm");
    expect(stepRunning("apt-get install")?.run).toContain("postgresql-15 pgbackrest");
    const order = ["npm run -s drill -- target", "npm run -s readiness -- --stack \"$STACK\" --format json", "npm run -s bench:recovery", "npm run -s drill -- run", "npm run -s drill -- record"].map((t) => steps.indexOf(stepRunning(t)!));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    const readiness = stepRunning("npm run -s readiness")!;
    expect(readiness.env).toEqual({ STACK: "${{ steps.target.outputs.stack }}" });
    expect(readiness.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const record = stepRunning("npm run -s drill -- record")!;
    expect(record.if).toBe("always() && steps.target.outcome == 'success'");
    expect(record.run).toContain('if [ "$READINESS" = "0" ] && [ "$RESTORE" = "success" ] && [ "$FLIP" = "success" ]; then outcome=passed; fi');
    expect(record.run).toContain('report=(--report "reports/drill-$DRILL.json")');
    expect(record.env).toMatchObject({ FLIP: "${{ steps.flip.outcome }}" });
  });

  it("flips the target stack to its secondary and back with the drill runner, after OIDC credentials, even when the bench failed", () => {
    const flip = steps.find((s) => s.id === "flip")!;
    expect(flip.if).toBe("always() && steps.target.outcome == 'success'");
    expect(flip.env).toMatchObject({ DRILL: "${{ steps.target.outputs.drill }}", STACK: "${{ steps.target.outputs.stack }}", CONFIRM: "${{ inputs.confirm }}" });
    // The runner re-checks the confirmation itself: prod is refused there too.
    expect(flip.run).toContain('npm run -s drill -- run --drill "$DRILL" --stack "$STACK" --confirm "$CONFIRM" --org "$PULUMI_ORG" --where "$RUN_URL" --report-dir reports');
    expect(flip.run).toContain('cat "reports/drill-$DRILL.md" >> "$GITHUB_STEP_SUMMARY"');
    const before = (action: string) => steps.findIndex((s) => s.uses?.startsWith(`${action}@`));
    for (const uses of ["aws-actions/configure-aws-credentials", "pulumi/auth-actions", "pulumi/actions"]) {
      expect(before(uses)).toBeGreaterThan(steps.indexOf(stepRunning("npm run -s drill -- target")!));
      expect(before(uses)).toBeLessThan(steps.indexOf(flip));
    }
    expect(stepRunning("apt-get install")?.run).toContain("dnsutils openssh-client awscli");
    expect(workflow.jobs.drill.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'dr' }}");
  });

  it("refuses prod in the runner too: exit 2 before it calls any program", () => {
    const refused = drill("run", "--drill", "semi-annual-failover-test", "--stack", "prod", "--confirm", "");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--confirm: "" does not confirm a drill against prod; type "${prodConfirmation}"`);
  });

  it("keeps the report and proposes the recorded measurements as a pull request", () => {
    const artifact = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(artifact).toMatchObject({ if: "always()", with: { path: "reports/\ndocs/measurements.json\n" } });
    const proposal = steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))!;
    expect(proposal.with).toMatchObject({ "add-paths": "docs/measurements.json", branch: "drills/${{ steps.target.outputs.drill }}" });
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "write", "pull-requests": "write" });
  });
});

describe("drill-age.yml", () => {
  const age = parse(readFileSync(join(root, ".github/workflows/drill-age.yml"), "utf8")) as {
    on: { schedule: { cron: string }[] };
    jobs: { publish: { strategy: { matrix: { stack: string[] } }; steps: Step[]; environment: string } };
  };

  it("publishes the drill age every day for both stacks, with OIDC credentials", () => {
    expect(age.on.schedule).toEqual([{ cron: "30 5 * * *" }]);
    expect(age.jobs.publish.strategy.matrix.stack).toEqual(["prod", "dr"]);
    expect(age.jobs.publish.environment).toBe("${{ matrix.stack }}-metrics");
    expect(age.jobs.publish.steps.map((s) => s.uses?.split("@")[0] ?? s.run?.trim().split("\n").pop())).toEqual([
      "actions/checkout", "actions/setup-node", "npm ci", "aws-actions/configure-aws-credentials", 'npm run -s drill -- age --stack "$STACK" | tee -a "$GITHUB_STEP_SUMMARY"',
    ]);
  });

  it("npm run drill -- age puts DrDrillAgeDays in each of the stack's regions, from the measurements file", () => {
    const dir = mkdtempSync(join(tmpdir(), "drill-age-"));
    try {
      writeFileSync(join(dir, "aws"), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${dir}/calls"\necho --- >> "${dir}/calls"\n`, { mode: 0o755 });
      const when = new Date(Date.now() - 10 * 86_400_000).toISOString();
      writeFileSync(join(dir, "measurements.json"), JSON.stringify({ figures: {}, drills: { "quarterly-dr-simulation": { when, outcome: "passed", stack: "dr", where: "https://ci.example/run/1" } } }));
      const result = spawnSync(process.execPath, [join(root, "tools/cli/run.js"), join(root, "tools/cli/drill.ts"), "age", "--stack", "dr", "--measurements", join(dir, "measurements.json")], {
        cwd: root, encoding: "utf8", timeout: 600_000, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("DrDrillAgeDays=10 published for dr\n");
      const calls = readFileSync(join(dir, "calls"), "utf8").split("---\n").filter((c) => c !== "").map((c) => c.trim().split("\n"));
      expect(calls.map((c) => c.slice(0, 6))).toEqual(["us-east-2", "us-west-1"].map((region) => ["cloudwatch", "put-metric-data", "--region", region, "--namespace", "CrazyGary/Drills"]));
      expect(JSON.parse(calls[1][7])).toEqual([{ MetricName: "DrDrillAgeDays", Dimensions: [{ Name: "Environment", Value: "dr" }, { Name: "Region", Value: "us-west-1" }], Value: 10, Unit: "None" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
