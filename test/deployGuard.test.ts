import { describe, expect, it } from "vitest";
import { activeRegionChangeRefusal } from "../domain/deployGuard";
import { ClusterStatusError, flipVerdict, leaderOf, parseClusterStatus } from "../domain/flipState";

const regions = { primary: "us-east-1", secondary: "us-west-2" };
/** A `GET /cluster` body as Patroni 3.0.2 writes it (patroni/utils.py cluster_as_json). */
const cluster = (leader: string | undefined, extra: Record<string, unknown> = {}, leaderState = "running") => ({
  members: ["us-east-1", "us-west-2"].map((name) =>
    name === leader ? { name, role: "leader", state: leaderState, api_url: `https://${name}:8008/patroni`, timeline: 2 } : { name, role: "replica", state: "streaming", lag: 0 },
  ),
  ...extra,
});
const leaderIn = (name: string) => ({ kind: "leader" as const, leader: leaderOf(parseClusterStatus(cluster(name)), regions)! });

describe("activeRegionChangeRefusal: an ordinary deploy never changes the active region (read from Patroni's leader)", () => {
  it("lets the deploy run when the commit keeps the leader's region", () => {
    expect(activeRegionChangeRefusal({ stack: "prod", committed: "secondary", deployed: leaderIn("us-west-2") })).toBeUndefined();
  });

  it("lets the first deploy of a stack run (no cluster yet)", () => {
    expect(activeRegionChangeRefusal({ stack: "dr", committed: "primary", deployed: { kind: "never-deployed" } })).toBeUndefined();
  });

  it("refuses a commit made before a failover, naming both roles, the leader, the stack file and the two ways on", () => {
    const refusal = activeRegionChangeRefusal({ stack: "prod", committed: "primary", deployed: leaderIn("us-west-2") });
    expect(refusal).toContain("this commit makes primary active in prod, but Patroni's leader is secondary (us-west-2)");
    expect(refusal).toContain("Rebase onto main (the failover workflow committed activeRegion: secondary in Pulumi.prod.yaml)");
    expect(refusal).toContain("run the failover workflow with target primary");
  });

  it("refuses while Patroni has no leader", () => {
    expect(activeRegionChangeRefusal({ stack: "prod", committed: "primary", deployed: { kind: "no-leader" } })).toContain("Patroni reports no leader in prod");
  });
});

describe("flipVerdict: the flip is done when the target's member is the running leader", () => {
  it("done: the target leads and runs", () => {
    expect(flipVerdict(parseClusterStatus(cluster("us-west-2")), regions, "secondary")).toEqual({ done: true, message: "secondary (us-west-2) is the running leader" });
  });

  it.each([
    ["the old region still leads (a partial flip: the stack's outputs would say otherwise, pulumi/pulumi#16289)", cluster("us-east-1"), "leader is primary (us-east-1), not secondary (us-west-2): the flip did not complete"],
    ["no leader (failover under way)", cluster(undefined), "no leader: Patroni reports no member as leader; secondary (us-west-2) is not writable yet"],
    ["the target leads but PostgreSQL is starting", cluster("us-west-2", {}, "starting"), "leader us-west-2 is starting, not running"],
    ["a switchover is scheduled", cluster("us-west-2", { scheduled_switchover: { at: "2026-12-07T03:00:00+00:00" } }), "a scheduled switchover is pending"],
    ["the cluster is paused", cluster("us-west-2", { pause: true }), "the cluster is paused (maintenance mode)"],
  ])("not done: %s", (_, body, message) => {
    const verdict = flipVerdict(parseClusterStatus(body), regions, "secondary");
    expect(verdict.done).toBe(false);
    expect(verdict.message).toContain(message);
  });

  it("a standby_leader is not a writable leader", () => {
    const body = { members: [{ name: "us-west-2", role: "standby_leader", state: "running" }] };
    expect(leaderOf(parseClusterStatus(body), regions)).toBeUndefined();
  });

  it.each([
    ["not an object", "x", "cluster: not a Patroni GET /cluster body; expected an object with a members array"],
    ["a member without a role", { members: [{ name: "us-east-1", state: "running" }] }, "cluster.members[0].role: undefined is not a string"],
  ])("refuses a body that is %s, naming the field", (_, body, message) => {
    expect(() => parseClusterStatus(body)).toThrow(ClusterStatusError);
    expect(() => parseClusterStatus(body)).toThrow(message);
  });

  it("refuses a leader named after no region of the stack, and two leaders", () => {
    const elsewhere = { members: [{ name: "eu-west-1", role: "leader", state: "running" }] };
    expect(() => leaderOf(parseClusterStatus(elsewhere), regions)).toThrow('cluster: leader "eu-west-1" is no region of this stack; members are named by region code (us-east-1, us-west-2)');
    const two = { members: [{ name: "us-east-1", role: "leader", state: "running" }, { name: "us-west-2", role: "leader", state: "running" }] };
    expect(() => leaderOf(parseClusterStatus(two), regions)).toThrow("cluster: 2 members report role leader (us-east-1, us-west-2)");
  });
});
