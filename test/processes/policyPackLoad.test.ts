import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

/**
 * The pack compiles and type-checks as `pulumi preview --policy-pack policies` loads it: from
 * the pack's own folder, through the repository's ts-node and TypeScript.
 */
it("the policy pack's modules load through ts-node from policies/, as the policy analyzer loads them", () => {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "test/support/policyAnalyzerLoad.js")], {
    cwd: path.join(repositoryRoot, "policies"),
    encoding: "utf8",
    timeout: 600_000,
  });
  expect(result.stderr).not.toMatch(/TSError|error TS\d+/);
  expect(result.status).toBe(0);
  const names: string[] = JSON.parse(result.stdout.trim());
  expect(names).toHaveLength(30);
  expect(names).toContain("retention-lifecycle-covers-engine");
  expect(names).toContain("failover-detection-within-rto");
});
