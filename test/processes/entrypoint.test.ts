import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

/**
 * `pulumi up` loads `main` through ts-node (CommonJS, type-checked, the project's tsconfig
 * and TypeScript). This loads the entry the same way, with the mock engine standing in for
 * the CLI, and checks the program declares the stack.
 */
it("the entry point loads through ts-node with type checking, as pulumi up loads it", () => {
  const preload = path.join(repositoryRoot, "test/support/pulumiRunnerPreload.js");
  const result = spawnSync(process.execPath, ["-r", preload, path.join(repositoryRoot, "infra/index.ts")], {
    cwd: repositoryRoot,
    encoding: "utf8",
    env: { ...process.env, CRAZY_GARY_STACK: "prod" },
    timeout: 600_000,
  });
  expect(result.stderr).not.toMatch(/TSError|error TS\d+/);
  expect(result.status).toBe(0);
  const report = JSON.parse(result.stdout.trim().split("\n").pop()!);
  expect(report.outputs.activeRegion).toBe("us-east-1");
  expect(report.resourceCount).toBeGreaterThan(10);
});
