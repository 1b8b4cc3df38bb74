/**
 * tools/drill/runner.ts when `pulumi up` of the flip itself fails (Patroni refused, nothing
 * promoted): the watchers give up soon after, and the flip back still sets activeRegion primary,
 * runs `pulumi up` and checks the pair (the primary takes a write, the secondary is a standby). Outside programs are answered
 * in-process here; the whole drill against real PostgreSQL is test/postgres/drill.test.ts.
 */
import { describe, expect, it } from "vitest";
import { runDrill } from "../tools/drill/runner";
import type { Run } from "../tools/drill/stackAccess";

const settings: Record<string, string> = {
  environment: "dr",
  regions: JSON.stringify({ primary: "us-east-2", secondary: "us-west-1" }),
  databases: JSON.stringify({ primary: { sshHost: "db-a", pgHost: "db-a" }, secondary: { sshHost: "db-b", pgHost: "db-b" } }),
  endpoints: JSON.stringify({ app: { primary: { hostname: "web-a.test" }, secondary: { hostname: "web-b.test" } } }),
  dnsZone: JSON.stringify({ name: "dr.test" }),
  "databaseSecrets.primary.adminPassword": "Pw-primary-123",
  "databaseSecrets.secondary.adminPassword": "Pw-secondary-123",
};

function fakeRun(): { run: Run; calls: string[]; passwords: string[] } {
  const calls: string[] = [];
  const passwords: string[] = [];
  let active = "primary";
  const ok = (stdout: string) => ({ code: 0, signal: null, stdout, stderr: "", durationMs: 1 });
  const run: Run = async (command, args, options) => {
    calls.push(`${command} ${args.filter((a) => !a.startsWith("host=")).join(" ")}`);
    if (command === "pulumi" && args[1] === "get") {
      const key = args.filter((a) => a !== "--path")[2];
      return key === "activeRegion" ? ok(`${active}\n`) : key in settings ? ok(`${settings[key]}\n`) : { ...ok(""), code: 255, stderr: "not found" };
    }
    if (command === "pulumi" && args[1] === "set") active = args[3];
    if (command === "pulumi" && args[0] === "up" && active === "secondary") return { ...ok(""), code: 255, stderr: "error: update failed: patroni-flip-command: exit status 1" };
    if (command === "psql") {
      passwords.push(options?.env?.PGPASSWORD ?? "");
      // The secondary stays a standby: nothing was promoted.
      if (args.some((a) => a.includes("pg_is_in_recovery"))) return ok("t\t2027-01-15T06:00:00.000Z\t2027-01-15T05:59:30.000Z\n");
    }
    if (command === "dig") return ok(args[1] === "app.dr.test" ? "web-a.test.\n10.0.0.1\n" : args[1] === "web-b.test" ? "10.0.0.2\n" : "10.0.0.1\n");
    return ok("");
  };
  return { run, calls, passwords };
}

describe("runDrill when pulumi up of the flip fails", () => {
  it("fails the drill, naming pulumi up, measures nothing it did not see, and still flips back by pulumi up alone", async () => {
    const { run, calls, passwords } = fakeRun();
    const { report } = await runDrill({ drill: "quarterly-dr-simulation", pulumiStack: "crazy-gary/dr", where: "test", previousAgeDays: null, run, pollMs: 20, afterFailedFlipMs: 200, sslMode: "disable" });
    expect(report.outcome).toBe("failed");
    expect(report.failures[0]).toBe("flip: pulumi up --yes exited with 255: error: update failed: patroni-flip-command: exit status 1");
    expect(report.phases.promotion).toMatchObject({ seconds: null, at: null });
    expect(report.phases.dnsSwitch.seconds).toBeNull();
    expect(report.dataLost.seconds).toBeNull();
    expect(report.flipBack).toMatchObject({ outcome: "done" });
    const flips = calls.filter((c) => c.startsWith("pulumi config set") || c.startsWith("pulumi up") || c.startsWith("ssh"));
    expect(flips).toEqual([
      "pulumi config set activeRegion secondary --stack crazy-gary/dr",
      "pulumi up --yes --policy-pack policies --diff --stack crazy-gary/dr",
      "pulumi config set activeRegion primary --stack crazy-gary/dr",
      "pulumi up --yes --policy-pack policies --diff --stack crazy-gary/dr",
    ]);
    // Passwords only ever through PGPASSWORD, never on a command line.
    expect(new Set(passwords)).toEqual(new Set(["Pw-primary-123", "Pw-secondary-123"]));
    expect(calls.join("\n")).not.toContain("Pw-");
  });

  it("refuses a stack that is not on its primary before touching anything", async () => {
    const { run, calls } = fakeRun();
    await run("pulumi", ["config", "set", "activeRegion", "secondary", "--stack", "crazy-gary/dr"]);
    await expect(runDrill({ drill: "quarterly-dr-simulation", pulumiStack: "crazy-gary/dr", where: "test", previousAgeDays: null, run })).rejects.toThrow(
      'activeRegion: "secondary" on crazy-gary/dr; a drill flips primary -> secondary and back: fail back first (docs/runbooks/failback.md)',
    );
    expect(calls.filter((c) => c.startsWith("pulumi up") || c.startsWith("psql"))).toEqual([]);
  });
});
