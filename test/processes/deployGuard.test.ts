/** `npm run deploy:guard` as pulumi-up.yml runs it: exit code and message against the committed Pulumi.<stack>.yaml. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

const guard = (...args: string[]) => spawnSync("npm", ["run", "-s", "deploy:guard", "--", ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 });

describe("npm run deploy:guard (prod commits activeRegion: primary)", () => {
  it("exit 0 when the stack was last deployed with the same active region", () => {
    const result = guard("--stack", "prod", "--deployed", "primary");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("prod: activeRegion stays primary\n");
  });

  it("exit 0 for a stack never updated", () => {
    const result = guard("--stack", "prod", "--deployed", "");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("prod: never updated; activeRegion primary\n");
  });

  it("exit 1 when a failover made secondary active after this commit: the deploy would fail back", () => {
    const result = guard("--stack", "prod", "--deployed", "secondary");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("this commit makes primary active in prod, but the stack's last update made secondary active");
  });

  it("exit 2 on a deployed value that is not a role, and on an unknown stack", () => {
    expect(guard("--stack", "prod", "--deployed", "us-west-2")).toMatchObject({ status: 2, stderr: expect.stringContaining('--deployed "us-west-2": not a region role') });
    expect(guard("--stack", "prdo", "--deployed", "primary")).toMatchObject({ status: 2, stderr: expect.stringContaining("did you mean") });
  });
});
