/**
 * A tool whose work never settles exits 1 and says why. Node exits with status 0 once nothing is
 * left to wait on, and the offline evaluation turns off the SDK's own report of pending promises
 * (tools/offline/evaluate.ts), so `runCli` reports it.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { unfinishedMessage } from "../../tools/cli/args";
import { repositoryRoot } from "../../tools/offline";

describe("a program whose resources wait on each other", () => {
  it("exits 1 with the message instead of 0 with no output", () => {
    const result = spawnSync(process.execPath, ["tools/cli/run.js", path.join("test", "fixtures", "cli", "deadlockedProgram.ts")], {
      cwd: repositoryRoot,
      encoding: "utf8",
      timeout: 600_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(unfinishedMessage);
  });
});
