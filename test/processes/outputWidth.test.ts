/**
 * Every tool's text output on a 120-column terminal (COLUMNS=120), as a new user on call sees
 * it: no line of stdout or stderr wider than 120 characters, and colour escapes only when
 * FORCE_COLOR asks for them (the runs are pipes, so without it there is none; tools/cli/terminal.ts).
 * The 3 a.m. flip preview is among them. pr-comment is left out: its output is markdown for
 * GitHub, which wraps it (as is every --format markdown report and drill run's report).
 * The tools run side by side, a few at a time, to keep the file short.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compliantPlan } from "../policies/fixtures";
import { runToolAsync, type ToolRun } from "../support/cliRuns";

const dir = mkdtempSync(join(tmpdir(), "output-width-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A saved plan whose alarms lost their actions: mandatory violations, each naming a URN wider than 120 columns. */
function violatingPlan(): string {
  const plan = compliantPlan();
  for (const alarm of plan.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")) alarm.inputs.alarmActions = [];
  const file = join(dir, "violating.json");
  writeFileSync(file, JSON.stringify({ stack: "fixture", resources: plan, outputs: {} }));
  return file;
}

const patroniCluster = (leader: string) =>
  JSON.stringify({ members: ["us-east-1", "us-west-2"].map((name) => ({ name, role: name === leader ? "leader" : "replica", state: name === leader ? "running" : "streaming" })) });

interface Case {
  name: string;
  script: string;
  args: string[];
  input?: string;
  /** The exit code the run is expected to end with. */
  code: number;
  /** Also run with FORCE_COLOR=1: the text is then coloured, its visible width the same. */
  colours?: boolean;
}

const cases = (): Case[] => [
  { name: "plan: the table", script: "plan", args: ["--stack", "prod"], code: 0 },
  { name: "plan --diff: the 3 a.m. flip preview", script: "plan", args: ["--stack", "prod", "--set", "activeRegion=secondary", "--diff"], code: 0 },
  { name: "plan --help", script: "plan", args: ["--help"], code: 0 },
  { name: "policy: mandatory violations with long URNs", script: "policy", args: ["--plan", violatingPlan()], code: 1, colours: true },
  { name: "readiness: an objective not met", script: "readiness", args: ["--stack", "prod", "--database-size", "400GB"], code: 1, colours: true },
  {
    name: "simulate: a flip with us-east-1 down",
    script: "simulate",
    args: ["--stack", "prod", "--set", "activeRegion=secondary", "--set", "regionDown=primary", "--down", "us-east-1", "--continue-on-error"],
    code: 0,
  },
  { name: "cost", script: "cost", args: ["--stack", "prod"], code: 0 },
  { name: "config:diff", script: "configDiff", args: ["--stack", "dr"], code: 0, colours: true },
  { name: "deploy:guard: a refusal", script: "deployGuard", args: ["--stack", "prod", "--cluster", "-"], input: patroniCluster("us-west-2"), code: 1 },
  { name: "flip:state --describe", script: "flipState", args: ["--stack", "prod", "--target", "secondary", "--describe"], code: 0 },
  { name: "flip:state: not done", script: "flipState", args: ["--stack", "prod", "--target", "secondary", "--cluster", "-"], input: patroniCluster("us-east-1"), code: 1 },
  { name: "drill --help", script: "drill", args: ["--help"], code: 0 },
  { name: "drill target", script: "drill", args: ["target", "--schedule", "0 6 15 3 *"], code: 0 },
];

/** Runs `jobs` at most `parallel` at a time, results in order. */
async function inTurns<T>(jobs: readonly (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const at = next++;
      results[at] = await jobs[at]();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

// eslint-disable-next-line no-control-regex
const escape = /\u001b\[/;
// eslint-disable-next-line no-control-regex
const visible = (text: string) => text.replace(/\u001b\[\d+m/g, "");
const widest = (text: string) => Math.max(0, ...text.split("\n").map((l) => [...l].length));

describe("every tool's text output at COLUMNS=120", () => {
  const all = cases();
  const plain = new Map<string, ToolRun>();
  const coloured = new Map<string, ToolRun>();

  beforeAll(async () => {
    const run = (c: Case, env: Record<string, string>) => () => runToolAsync(c.script, c.args, { env: { COLUMNS: "120", ...env }, input: c.input });
    const jobs = [...all.map((c) => run(c, {})), ...all.filter((c) => c.colours).map((c) => run(c, { FORCE_COLOR: "1" }))];
    const results = await inTurns(jobs, 3);
    all.forEach((c, i) => plain.set(c.name, results[i]));
    all.filter((c) => c.colours).forEach((c, i) => coloured.set(c.name, results[all.length + i]));
  });

  it.each(all.map((c) => [c.name, c] as const))("%s: no line over 120 characters, no colour without FORCE_COLOR", (name, c) => {
    const result = plain.get(name)!;
    expect(result.code, result.stderr).toBe(c.code);
    expect(result.stdout.length + result.stderr.length).toBeGreaterThan(0);
    expect(result.stdout.split("\n").filter((l) => [...l].length > 120)).toEqual([]);
    expect(result.stderr.split("\n").filter((l) => [...l].length > 120)).toEqual([]);
    expect(result.stdout).not.toMatch(escape);
    expect(result.stderr).not.toMatch(escape);
  });

  it.each(all.filter((c) => c.colours).map((c) => [c.name, c] as const))("%s with FORCE_COLOR=1: coloured, every escape whole, the same text within 120 columns", (name) => {
    const forced = coloured.get(name)!;
    expect(forced.stdout).toMatch(escape);
    expect(visible(forced.stdout)).not.toMatch(/\u001b/);
    expect(widest(visible(forced.stdout))).toBeLessThanOrEqual(120);
    // Colour changes nothing else (readiness dates its report: compare without the date).
    const undated = (text: string) => text.replace(/\(20[0-9T:.-]+Z\)/, "");
    expect(undated(visible(forced.stdout))).toBe(undated(plain.get(name)!.stdout));
  });

  it("the program's warnings are said once each, with a count, where a tool plans a stack", () => {
    for (const name of ["plan: the table", "readiness: an objective not met", "cost"]) {
      const warnings = plain.get(name)!.stderr.match(/^warning: /gm) ?? [];
      expect(warnings.length, name).toBe(1);
      expect(plain.get(name)!.stderr, name).toContain("warnings in one; --verbose prints each");
    }
  });
});
