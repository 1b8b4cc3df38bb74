/** `npm run deploy:guard` as pulumi-up.yml runs it: exit code and message against the committed Pulumi.<stack>.yaml and Patroni's GET /cluster. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { unwrapped } from "../support/cliRuns";
import { repositoryRoot } from "../../tools/offline";

const guard = (input: string | undefined, ...args: string[]) =>
  spawnSync("npm", ["run", "-s", "deploy:guard", "--", ...args], { cwd: repositoryRoot, encoding: "utf8", input, timeout: 600_000 });
const cluster = (leader: string) =>
  JSON.stringify({ members: ["us-east-1", "us-west-2"].map((name) => ({ name, role: name === leader ? "leader" : "replica", state: name === leader ? "running" : "streaming" })) });

describe("npm run deploy:guard (prod commits activeRegion: primary)", () => {
  it("exit 0 when Patroni's leader is in the committed active region", () => {
    const result = guard(cluster("us-east-1"), "--stack", "prod", "--cluster", "-");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("prod: activeRegion stays primary (Patroni's leader)\n");
  });

  it("exit 0 for a stack never updated", () => {
    const result = guard(undefined, "--stack", "prod", "--never-deployed");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("prod: never updated; activeRegion primary\n");
  });

  it("exit 1 when a failover made secondary the leader after this commit: the deploy would fail back", () => {
    const result = guard(cluster("us-west-2"), "--stack", "prod", "--cluster", "-");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    // The paragraph fits the terminal (a pipe: 100 columns); joined again, it reads as one sentence.
    expect(result.stderr.split("\n").every((line) => [...line].length <= 100)).toBe(true);
    expect(unwrapped(result.stderr)).toContain("this commit makes primary active in prod, but Patroni's leader is secondary (us-west-2)");
  });

  it("exit 2 on a body that is not Patroni's, on both or neither source, and on an unknown stack", () => {
    expect(guard("{}", "--stack", "prod", "--cluster", "-")).toMatchObject({ status: 2, stderr: expect.stringContaining("cluster: not a Patroni GET /cluster body") });
    expect(guard(undefined, "--stack", "prod")).toMatchObject({ status: 2, stderr: expect.stringContaining("--cluster FILE or --never-deployed: give exactly one") });
    expect(guard(undefined, "--stack", "prdo", "--never-deployed")).toMatchObject({ status: 2, stderr: expect.stringContaining("did you mean") });
    // A cluster file that is not there is a sentence and exit 2, not a stack trace.
    expect(guard(undefined, "--stack", "prod", "--cluster", "/no/such/cluster.json")).toMatchObject({
      status: 2,
      stderr: `--cluster "/no/such/cluster.json": no such file; give the file holding Patroni's GET /cluster body, or - for stdin\n`,
    });
  });
});

describe("npm run flip:state", () => {
  const flipState = (input: string | undefined, ...args: string[]) =>
    spawnSync("npm", ["run", "-s", "flip:state", "--", ...args], { cwd: repositoryRoot, encoding: "utf8", input, timeout: 600_000 });

  it("--describe prints the target region, its host, its endpoints and the DNS budget, for $GITHUB_OUTPUT", () => {
    const result = flipState(undefined, "--stack", "prod", "--target", "secondary", "--describe");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "target_region=us-west-2",
        "target_ssh=admin@db-usw2.ops.crazy-gary.app",
        "target_ssh_port=22",
        "endpoint_api=api-usw2-0987654321.us-west-2.elb.amazonaws.com",
        "endpoint_app=web-usw2.up.railway.app",
        "dns_zone=crazy-gary.app",
        "dns_budget_seconds=80",
        "",
      ].join("\n"),
    );
  });

  it("--cluster: exit 0 once the target leads, 1 while the old region still does", () => {
    expect(flipState(cluster("us-west-2"), "--stack", "prod", "--target", "secondary", "--cluster", "-")).toMatchObject({ status: 0, stdout: "prod: secondary (us-west-2) is the running leader\n" });
    expect(flipState(cluster("us-east-1"), "--stack", "prod", "--target", "secondary", "--cluster", "-")).toMatchObject({
      status: 1,
      stderr: "prod: leader is primary (us-east-1), not secondary (us-west-2): the flip did not complete\n",
    });
  });

  it("exit 2 on a target that is no role", () => {
    expect(flipState(undefined, "--stack", "prod", "--target", "us-west-2", "--describe")).toMatchObject({ status: 2, stderr: expect.stringContaining('--target "us-west-2": not a region role; allowed: primary, secondary') });
  });
});
