/** `npm run simulate` as an operator runs it: exit codes, the text report's verdict line, JSON to a file, mistakes. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

const simulate = (...args: string[]) => spawnSync("npm", ["run", "-s", "simulate", "--", ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 });
const dir = mkdtempSync(path.join(tmpdir(), "simulate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run simulate", () => {
  it("a planned prod flip: exit 0, every step listed, the end state, the next deploy, a PASS verdict last", () => {
    const result = simulate("--stack", "prod", "--set", "activeRegion=secondary");
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("pulumi up of prod with activeRegion=secondary; down: nothing");
    expect(result.stdout).toMatch(/^ {4}leader \(the writable database\): secondary \(us-west-2\) \(before the run: primary \(us-east-1\)\)$/m);
    expect(result.stdout).toMatch(/^ {4}SSM active-region in us-east-1 \(primary\): us-west-2$/m);
    expect(lines[lines.length - 2]).toBe("Next pulumi up from git: no-op: the state matches git");
    expect(lines[lines.length - 1]).toBe("PASS  prod: leader secondary, DNS answers us-west-2, next deploy: no-op");
  });

  it("--format json --out FILE: the runs, steps and verdict as JSON", () => {
    const out = path.join(dir, "flip.json");
    const result = simulate("--stack", "prod", "--set", "activeRegion=secondary", "--down", "us-west-2:control", "--continue-on-error", "--format", "json", "--out", out);
    expect(result.stderr).toContain(`wrote ${out}`);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.runs[0].down).toBe("us-west-2:control");
    expect(report.runs[0].steps.find((s: { urn: string }) => s.urn.endsWith("::active-region-secondary"))).toMatchObject({ status: "failed", detail: "ssm control plane in us-west-2 is down (E5)" });
    expect(result.status).toBe(report.verdict.pass ? 0 : 1);
  });

  it("exit 2 on an outage it does not know, naming the word and what is allowed, before planning anything", () => {
    const result = simulate("--stack", "prod", "--down", "useast1");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--down "useast1": not an outage; allowed: a region code');
    expect(result.stdout).toBe("");
  });

  it("exit 2 on --scenarios with a --set, and without --stack outside --scenarios", () => {
    expect(simulate("--scenarios", "--set", "activeRegion=secondary")).toMatchObject({ status: 2, stderr: expect.stringContaining("--scenarios: each scenario sets its own") });
    expect(simulate("--down", "us-east-1")).toMatchObject({ status: 2, stderr: expect.stringContaining("--stack: required (or --scenarios)") });
    expect(simulate("--stack", "prod", "--format", "markdown")).toMatchObject({ status: 2, stderr: expect.stringContaining('--format: "markdown" is not allowed; use text, json, e.g. --format json') });
  });
});
