/**
 * Every CLI that package.json starts through tools/cli/run.js runs from its esbuild bundle in dist/
 * (tools/cli/build.js): it must print what its TypeScript sources print (loaded one module at a
 * time through ts-node, as CRAZY_GARY_NO_BUNDLE=1 does), write the same files, call the same
 * programs and exit with the same code. One case at least per CLI, a failing one among them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cronFor, drills } from "../../domain/testingSchedule";
import { repositoryRoot } from "../../tools/offline";

const { build, scriptEntries, staleReason } = require("../../tools/cli/build.js") as {
  build(entries: string[]): void;
  scriptEntries(): string[];
  staleReason(entry: string): string | undefined;
};

const scratch = mkdtempSync(path.join(tmpdir(), "cli-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  /** The tool's file in tools/cli, without `.ts`. */
  tool: string;
  /** Its arguments, given a new empty folder of the run's own. */
  args: (dir: string) => string[];
  /** Writes what the run reads into its folder, and returns extra environment. */
  setup?: (dir: string) => Record<string, string>;
}

/** Every file below `dir` (relative path -> content), with `dir` itself written as `<dir>`. */
function filesBelow(dir: string, prefix = ""): Record<string, string> {
  return Object.fromEntries(
    readdirSync(path.join(dir, prefix)).flatMap((name) => {
      const relative = path.join(prefix, name);
      if (statSync(path.join(dir, relative)).isDirectory()) return Object.entries(filesBelow(dir, relative));
      return [[relative, readFileSync(path.join(dir, relative), "utf8").replaceAll(dir, "<dir>")]];
    }),
  );
}

function run(mode: "bundle" | "sources", { tool, args, setup }: Case) {
  const dir = mkdtempSync(path.join(scratch, `${mode}-`));
  const env = setup?.(dir) ?? {};
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "tools/cli/run.js"), `tools/cli/${tool}.ts`, ...args(dir)], {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, ...env, CRAZY_GARY_BUNDLE_DEBUG: "1", CRAZY_GARY_NO_BUNDLE: mode === "sources" ? "1" : "" },
  });
  const lines = result.stderr.split("\n");
  // The run's own folder, and the moment it ran (readiness prints when its report was made).
  const own = (text: string) => text.replaceAll(dir, "<dir>").replace(/\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)/g, "(<time>)");
  return {
    code: result.status,
    stdout: own(result.stdout),
    stderr: own(lines.filter((l) => !l.startsWith("[run.js]")).join("\n")),
    ran: lines.filter((l) => l.startsWith("[run.js]")).join("\n"),
    files: filesBelow(dir),
  };
}

const write = (dir: string, name: string, text: string) => writeFileSync(path.join(dir, name), text);

/** A stand-in `aws` first on PATH that appends its arguments to `<dir>/calls`. */
function fakeAws(dir: string): Record<string, string> {
  mkdirSync(path.join(dir, "bin"));
  writeFileSync(path.join(dir, "bin", "aws"), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${dir}/calls"\n`, { mode: 0o755 });
  return { PATH: `${path.join(dir, "bin")}:${process.env.PATH}` };
}

/** A measurements file whose youngest passed drill is ten days old, the same for both runs. */
const drillTenDaysAgo = JSON.stringify({
  figures: {},
  drills: { "quarterly-dr-simulation": { when: new Date(Date.now() - 10 * 86_400_000).toISOString(), outcome: "passed", stack: "dr", where: "https://ci.example/run/1" } },
});

/** Patroni's GET /cluster body with `leader` (a member named by its region) leading. */
const patroniCluster = (leader: string) =>
  JSON.stringify({ members: ["us-east-1", "us-west-2"].map((name) => ({ name, role: name === leader ? "leader" : "replica", state: name === leader ? "running" : "streaming" })) });

const cases: Case[] = [
  { tool: "plan", args: () => ["--stack", "prod", "--format", "json"] },
  { tool: "plan", args: () => ["--stack", "dr"] },
  { tool: "plan", args: () => ["--stack", "prod", "--set", "activeRegion=secondary", "--diff"] },
  { tool: "plan", args: () => ["--stack", "dr", "--set", "retention.walHours=72"] },
  { tool: "policy", args: () => ["--stack", "prod"] },
  { tool: "policy", args: () => ["--stack", "dr", "--format", "markdown"] },
  { tool: "policyPack", args: (dir) => ["--out", path.join(dir, "pack")] },
  { tool: "configDiff", args: () => ["--stack", "dr", "--base", "prod"] },
  { tool: "readiness", args: () => ["--stack", "prod"] },
  { tool: "readiness", args: () => ["--stack", "dr"] },
  { tool: "drill", args: () => ["target", "--schedule", cronFor(drills["quarterly-dr-simulation"])] },
  { tool: "drill", args: () => ["target", "--drill", "semi-annual-failover-test", "--stack", "prod", "--confirm", "yes"] },
  {
    tool: "drill",
    args: (dir) => ["age", "--stack", "dr", "--measurements", path.join(dir, "measurements.json")],
    setup: (dir) => (write(dir, "measurements.json", drillTenDaysAgo), fakeAws(dir)),
  },
  {
    tool: "prComment",
    args: (dir) => ["--heading", "Preview: prod", "--section", `Offline diff=${path.join(dir, "diff.txt")}`, "--section", `Policy report=${path.join(dir, "policy.md")}`],
    setup: (dir) => (write(dir, "diff.txt", "(no changes)\n"), write(dir, "policy.md", "**No mandatory violation** (stack prod)\n"), {}),
  },
  { tool: "cost", args: () => ["--stack", "prod"] },
  { tool: "cost", args: () => ["--stack", "dr", "--set", "activeRegion=secondary"] },
  { tool: "simulate", args: () => ["--stack", "prod", "--set", "activeRegion=secondary"] },
  { tool: "simulate", args: (dir) => ["--stack", "prod", "--down", "us-west-2:control", "--continue-on-error", "--format", "json", "--out", path.join(dir, "simulation.json")] },
  { tool: "deployGuard", args: () => ["--stack", "prod", "--never-deployed"] },
  { tool: "deployGuard", args: (dir) => ["--stack", "prod", "--cluster", path.join(dir, "cluster.json")], setup: (dir) => (write(dir, "cluster.json", patroniCluster("us-west-2")), {}) },
  { tool: "flipState", args: () => ["--stack", "prod", "--target", "secondary", "--describe"] },
  { tool: "flipState", args: (dir) => ["--stack", "prod", "--target", "secondary", "--cluster", path.join(dir, "cluster.json")], setup: (dir) => (write(dir, "cluster.json", patroniCluster("us-west-2")), {}) },
];

describe("each CLI from its bundle and from its sources", () => {
  it("covers every CLI package.json starts through tools/cli/run.js", () => {
    const covered = new Set(cases.map((c) => `tools/cli/${c.tool}.ts`));
    expect(scriptEntries().filter((entry) => !covered.has(entry))).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.tool} ${c.args("DIR").join(" ")}`, c] as const))("%s: same output, files and exit code", (_, c) => {
    const bundled = run("bundle", c);
    const sources = run("sources", c);
    expect(bundled.ran).toContain(`bundle dist/tools/cli/${c.tool}.js`);
    expect(sources.ran).toContain("sources: asked by the environment");
    expect({ code: bundled.code, stdout: bundled.stdout, stderr: bundled.stderr, files: bundled.files }).toEqual({
      code: sources.code,
      stdout: sources.stdout,
      stderr: sources.stderr,
      files: sources.files,
    });
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(20);
  });
});

describe("the plan from its bundle", () => {
  it("loads no package from node_modules: the TypeScript compiler and npm's Arborist are left out, the rest is in the bundle", () => {
    // A bundle made stale by an edit is rebuilt by esbuild, which is then loaded: this is about a fresh one.
    if (staleReason("tools/cli/plan.ts") !== undefined) build(["tools/cli/plan.ts"]);
    const result = spawnSync(process.execPath, ["-r", "./test/support/loadedPackages.js", "tools/cli/run.js", "tools/cli/plan.ts", "--stack", "prod"], {
      cwd: repositoryRoot,
      encoding: "utf8",
      timeout: 600_000,
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^\[loaded packages\] $/m);
  });
});
