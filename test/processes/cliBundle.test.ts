/**
 * `npm run plan` (and the other CLIs) start through tools/cli/run.js, which runs a prebuilt
 * bundle: the same output, exit codes and messages as loading the TypeScript sources one by one,
 * without loading the parts of @pulumi/pulumi an offline plan never calls.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

function runWith(env: Record<string, string>, mode: "bundle" | "sources", tool: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "tools/cli/run.js"), `tools/cli/${tool}.ts`, ...args], {
    cwd: repositoryRoot,
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, ...env, CRAZY_GARY_BUNDLE_DEBUG: "1", CRAZY_GARY_NO_BUNDLE: mode === "sources" ? "1" : "" },
  });
  const isDebug = (line: string) => line.startsWith("[run.js");
  const debug = result.stderr.split("\n").filter(isDebug);
  const stderr = result.stderr
    .split("\n")
    .filter((l) => !isDebug(l))
    .join("\n");
  return { code: result.status, stdout: result.stdout, stderr, debug };
}

const run = (mode: "bundle" | "sources", tool: string, ...args: string[]) => runWith({}, mode, tool, ...args);

describe("the CLIs from their bundle", () => {
  it.each([
    ["plan", ["--stack", "prod", "--json"]],
    ["plan", ["--stack", "dr"]],
    ["plan", ["--stack", "prod", "--set", "activeRegion=secondary", "--diff"]],
    ["plan", ["--stack", "prod", "--set", "retention.walHours=12"]],
    ["configDiff", ["--stack", "dr", "--base", "prod"]],
    ["policy", ["--stack", "prod"]],
  ])("%s %j prints what the sources print, with the same exit code", (tool, args) => {
    const bundled = run("bundle", tool, ...args);
    const sources = run("sources", tool, ...args);
    expect(bundled.debug.join("\n")).toMatch(/bundle node_modules\/\.cache\/crazy-gary-cli\/bundles\//);
    expect(sources.debug.join("\n")).toContain("bundle turned off by the environment");
    expect(bundled.code).toBe(sources.code);
    expect(bundled.stdout).toBe(sources.stdout);
    expect(bundled.stderr).toBe(sources.stderr);
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(100);
  });

  it("plans without loading the TypeScript compiler, npm's Arborist or gRPC's sources from node_modules", () => {
    const result = run("bundle", "plan", "--stack", "prod");
    expect(result.code).toBe(0);
    const exit = result.debug.find((l) => l.includes("packages loaded outside the bundle"));
    expect(exit).toBeDefined();
    const loaded = exit!.replace(/.*packages loaded outside the bundle: /, "").split(", ");
    expect(loaded).not.toContain("typescript");
    expect(loaded).not.toContain("@npmcli/arborist");
    expect(loaded).not.toContain("@pulumi/pulumi");
    expect(loaded).not.toContain("@pulumi/aws");
    expect(loaded).not.toContain("@grpc/grpc-js");
  });
});
