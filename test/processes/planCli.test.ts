import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot, secretMarker } from "../../tools/offline";

function plan(...args: string[]) {
  const result = spawnSync(process.execPath, ["-r", path.join(repositoryRoot, "tools/cli/register.js"), path.join(repositoryRoot, "tools/cli/plan.ts"), ...args], {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 600_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan", () => {
  it("prints the same JSON on two runs, with secrets as [secret] and stable order", () => {
    const first = plan("--stack", "prod", "--json");
    const second = plan("--stack", "prod", "--json");
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const json = JSON.parse(first.stdout);
    expect(Object.keys(json)).toEqual(["stack", "resources", "outputs"]);
    expect(json.stack).toBe("prod");
    const urns = json.resources.map((r: { urn: string }) => r.urn);
    expect(urns).toEqual([...urns].sort((a: string, b: string) => a.localeCompare(b)));
    const postgres = json.resources.find((r: { name: string }) => r.name === "postgres-writable");
    expect(postgres.inputs.password).toBe(secretMarker);
    expect(Object.keys(postgres)).toEqual(["urn", "type", "name", "region", "parent", "inputs", "options", "propertyDependencies"]);
    expect(Object.keys(postgres.options)).toEqual(["protect", "retainOnDelete", "dependsOn"]);
    expect(first.stdout).not.toContain("PLACEHOLDER");
  });

  it("shows a flip with --set", () => {
    const flipped = JSON.parse(plan("--stack", "prod", "--json", "--set", "activeRegion=secondary").stdout);
    expect(flipped.outputs.activeRegion).toBe("us-west-2");
  });

  it("prints a table grouped by region, with outputs and the placeholder note", () => {
    const table = plan("--stack", "dr");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^== us-east-2 \| /m);
    expect(table.stdout).toMatch(/^== us-west-1 \| /m);
    expect(table.stdout).toContain("Outputs:");
    expect(table.stdout).toContain("Secrets stood in by placeholders (set the real ones with `pulumi config set --secret --path <key> ...`): databaseSecrets");
  });

  it.each([
    [["--stack", "staging"], '--stack "staging": no Pulumi.staging.yaml; stacks found: dr, prod'],
    [[], "--stack: required; e.g. npm run plan -- --stack prod"],
    [["--stack", "prod", "--region", "x"], "--region: unknown flag; allowed: --stack, --set, --json"],
    [["--stack", "prod", "--set", "retention.walHours=12"], "crazy-gary-dr:retention.walHours: 12 is looser than the runbook's 48 h (Backup Types & Retention); use a value >= 48"],
    [["--stack", "prod", "--set", "activeRegion"], '--set "activeRegion": expected key=value, e.g. --set activeRegion=secondary'],
  ])("%j exits 2 with a clear message and no stack trace", (args, message) => {
    const result = plan(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });
});
