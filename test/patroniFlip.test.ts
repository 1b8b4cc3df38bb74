import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decideFlip, primaryReadiness, type ClusterView, type FlipRequest, type PrimaryAnswer } from "../domain/patroniFlip";
import { flipEnvironment } from "../components/patroniFlip";
import { runFlip } from "../components/patroniFlip/run";

const MAX = 335544320;
const request = (over: Partial<FlipRequest> = {}): FlipRequest => ({ candidate: "us-west-2", regionDown: false, maxLagBytes: MAX, force: false, ...over });
const leader = { name: "us-east-1", role: "leader", state: "running" };
const replica = (over: object = {}) => ({ name: "us-west-2", role: "replica", state: "running", lag: 0, tags: { nofailover: false }, ...over });
const cluster = (...members: ClusterView["members"]): ClusterView => ({ members });

describe("decideFlip", () => {
  it("both regions up: a switchover from the leader to the candidate", () => {
    expect(decideFlip(cluster(leader, replica()), request())).toMatchObject({ action: "switchover", leader: "us-east-1", candidate: "us-west-2" });
  });
  it("a rerun after the flip is a no-op", () => {
    expect(decideFlip(cluster({ ...leader, role: "replica" }, replica({ role: "leader", lag: undefined })), request()).action).toBe("done");
  });
  it("waits while the candidate still carries nofailover (its host's new tags not yet in etcd)", () => {
    expect(decideFlip(cluster(leader, replica({ tags: { nofailover: true } })), request()).action).toBe("wait");
  });
  it("refuses a switchover without a leader and says to set regionDown", () => {
    expect(decideFlip(cluster(replica()), request())).toEqual({ action: "refuse", message: expect.stringContaining("set regionDown") });
  });
  it("regionDown, the old leader's lock still held: waits for it to expire", () => {
    expect(decideFlip(cluster(leader, replica()), request({ regionDown: true })).action).toBe("wait");
  });
  it("regionDown, the old leader keeps its lock past ttl + loop_wait: its region is back, so a switchover (zero loss)", () => {
    expect(decideFlip(cluster(leader, replica()), request({ regionDown: true, leaderLockOutlived: true }))).toMatchObject({ action: "switchover", leader: "us-east-1", candidate: "us-west-2" });
  });
  it("regionDown, lag within the RPO: a failover", () => {
    expect(decideFlip(cluster(replica({ lag: MAX })), request({ regionDown: true }))).toMatchObject({ action: "failover", candidate: "us-west-2" });
  });
  it("regionDown, lag past the RPO: refused, nothing promoted, naming both numbers and the way out", () => {
    expect(decideFlip(cluster(replica({ lag: MAX + 1 })), request({ regionDown: true }))).toEqual({
      action: "refuse",
      message:
        "us-west-2 lags the lost leader by 335544321 bytes, more than the 335544320 bytes the RPO allows; nothing promoted. Wait for the old region, or accept losing those commits with patroni.forceFailover: true",
    });
  });
  it("regionDown, lag unknown: refused unless forced", () => {
    expect(decideFlip(cluster(replica({ lag: "unknown" })), request({ regionDown: true })).action).toBe("refuse");
    expect(decideFlip(cluster(replica({ lag: "unknown" })), request({ regionDown: true, force: true })).action).toBe("failover");
  });
  it("forceFailover promotes past the RPO and says what is lost", () => {
    expect(decideFlip(cluster(replica({ lag: MAX * 2 })), request({ regionDown: true, force: true })).message).toContain("FORCED past the RPO: it lags the lost leader by 671088640 bytes");
  });
  it("refuses a candidate that is not a member", () => {
    expect(decideFlip(cluster(leader), request()).action).toBe("refuse");
  });
});

describe("primaryReadiness: the candidate takes writes only when GET /primary is 200 AND its body says PostgreSQL left recovery", () => {
  // Patroni 3.0.2 answers 200 once it holds the leader lock, before its background promotion ends
  // (patroni/api.py do_GET, patroni/ha.py enforce_primary_role); the body's role is "replica"
  // while pg_is_in_recovery() (api.py get_postgresql_status).
  it.each<[string, PrimaryAnswer, boolean, string]>([
    ["the lock not held yet", { status: 503, role: "replica", state: "running" }, false, "GET /primary on us-west-2 answers 503: it does not hold the leader lock yet; waiting"],
    ["the lock held, promotion not ended (Patroni 3.0.2 between acquire_lock and the end of pg_ctl promote)", { status: 200, role: "replica", state: "running" }, false,
      "GET /primary on us-west-2 answers 200 (it holds the leader lock) but its PostgreSQL is not out of recovery yet (role replica, state running); waiting until it takes writes"],
    ["the lock held, Patroni's status query failing", { status: 200, role: "master", state: "unknown" }, false,
      "GET /primary on us-west-2 answers 200 (it holds the leader lock) but its PostgreSQL is not out of recovery yet (role master, state unknown); waiting until it takes writes"],
    ["a 200 without Patroni's body", { status: 200 }, false,
      "GET /primary on us-west-2 answers 200 (it holds the leader lock) but its PostgreSQL is not out of recovery yet (role absent, state absent); waiting until it takes writes"],
    ["out of recovery (Patroni 3.0.x says master)", { status: 200, role: "master", state: "running" }, true, "us-west-2 holds the leader lock and its PostgreSQL is out of recovery (role master, state running): it takes writes"],
    ["out of recovery (later Patroni says primary)", { status: 200, role: "primary", state: "running" }, true, "us-west-2 holds the leader lock and its PostgreSQL is out of recovery (role primary, state running): it takes writes"],
  ])("%s", (_, answer, writable, message) => {
    expect(primaryReadiness("us-west-2", answer)).toEqual({ writable, message });
  });
});

/** Patroni 3.0.2's GET /primary body (patroni/api.py get_postgresql_status): role "replica" in recovery, "master" out of it. */
const statusBody = (inRecovery: boolean) => JSON.stringify({ state: "running", role: inRecovery ? "replica" : "master" });

/**
 * A stand-in for the candidate's Patroni REST API: /cluster from `states` (advanced by each POST),
 * /primary from the last state: 200 once the candidate holds the lock, its body in recovery for
 * the first `recoveryAnswers` of those 200s (the promotion Patroni runs after taking the lock).
 */
function fakePatroni(states: ClusterView[], recoveryAnswers = 0) {
  const posts: { path: string; body: unknown; auth?: string }[] = [];
  const primaryAnswers: { status: number; body: string }[] = [];
  let index = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method === "POST") {
        posts.push({ path: req.url!, body: JSON.parse(body), auth: req.headers.authorization });
        index = Math.min(index + 1, states.length - 1);
        res.writeHead(200).end("Successfully switched over");
        return;
      }
      const state = states[index];
      if (req.url === "/cluster") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(state));
      else if (req.url === "/primary") {
        const leads = state.members.some((m) => m.name === "us-west-2" && m.role === "leader");
        const answer = { status: leads ? 200 : 503, body: statusBody(!leads || primaryAnswers.filter((a) => a.status === 200).length < recoveryAnswers) };
        primaryAnswers.push(answer);
        res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      } else res.writeHead(404).end();
    });
  });
  return { server, posts, primaryAnswers };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function flipAgainst(states: ClusterView[], over: Partial<Record<string, string>> = {}, recoveryAnswers = 0) {
  const fake = fakePatroni(states, recoveryAnswers);
  server = fake.server;
  await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
  const port = (fake.server.address() as AddressInfo).port;
  const env = {
    ...flipEnvironment({ candidate: { role: "secondary", member: "us-west-2", host: "127.0.0.1", port }, maxLagBytes: MAX, timeoutSeconds: 10 }),
    FLIP_API_URL: `http://127.0.0.1:${port}`,
    PATRONI_RESTAPI_PASSWORD: "s3cret",
    ...over,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return { code: await runFlip(process.env), posts: fake.posts, primaryAnswers: fake.primaryAnswers };
  } finally {
    process.env = saved;
  }
}

describe("the flip's program against a Patroni REST API", () => {
  const promoted = cluster({ ...leader, role: "replica" }, replica({ role: "leader", lag: undefined }));

  it("posts one switchover with basic auth and exits 0 once the candidate leads", async () => {
    const { code, posts } = await flipAgainst([cluster(leader, replica()), promoted]);
    expect(code).toBe(0);
    expect(posts).toEqual([{ path: "/switchover", body: { leader: "us-east-1", candidate: "us-west-2" }, auth: `Basic ${Buffer.from("patroni:s3cret").toString("base64")}` }]);
  });

  it("with regionDown and the candidate past the RPO: exit 1, nothing posted", async () => {
    const { code, posts } = await flipAgainst([cluster(replica({ lag: MAX + 16 }))], { FLIP_REGION_DOWN: "true" });
    expect([code, posts]).toEqual([1, []]);
  });

  it("with regionDown but the old leader still holding its lock past the lock wait: one switchover", async () => {
    const { code, posts } = await flipAgainst([cluster(leader, replica()), promoted], { FLIP_REGION_DOWN: "true", FLIP_LOCK_WAIT_SECONDS: "0" });
    expect([code, posts.map((p) => [p.path, p.body])]).toEqual([0, [["/switchover", { leader: "us-east-1", candidate: "us-west-2" }]]]);
  });

  it("after the switchover, waits while GET /primary answers 200 with the candidate still in recovery, and exits 0 only once it is out", async () => {
    const { code, primaryAnswers } = await flipAgainst([cluster(leader, replica()), promoted], {}, 2);
    expect(code).toBe(0);
    expect(primaryAnswers.map((a) => [a.status, JSON.parse(a.body).role])).toEqual([[200, "replica"], [200, "replica"], [200, "master"]]);
  });

  it("never exits 0 while the candidate stays in recovery: exit 1 at its deadline", async () => {
    const { code, primaryAnswers } = await flipAgainst([promoted], { FLIP_TIMEOUT_SECONDS: "1" }, Number.MAX_SAFE_INTEGER);
    expect(code).toBe(1);
    expect(primaryAnswers.length).toBeGreaterThan(1);
    expect(primaryAnswers.every((a) => a.status === 200 && JSON.parse(a.body).role === "replica")).toBe(true);
  });

  it("a rerun when the candidate already leads posts nothing and exits 0", async () => {
    const { code, posts } = await flipAgainst([promoted]);
    expect([code, posts]).toEqual([0, []]);
  });
});
