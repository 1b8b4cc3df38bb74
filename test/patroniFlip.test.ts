import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decideFlip, type ClusterView, type FlipRequest } from "../domain/patroniFlip";
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

/** A stand-in for the candidate's Patroni REST API: /cluster from `states` (advanced by each POST), /primary from the last state. */
function fakePatroni(states: ClusterView[]) {
  const posts: { path: string; body: unknown; auth?: string }[] = [];
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
      else if (req.url === "/primary") res.writeHead(state.members.some((m) => m.name === "us-west-2" && m.role === "leader") ? 200 : 503).end();
      else res.writeHead(404).end();
    });
  });
  return { server, posts };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function flipAgainst(states: ClusterView[], over: Partial<Record<string, string>> = {}) {
  const fake = fakePatroni(states);
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
    return { code: await runFlip(process.env), posts: fake.posts };
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

  it("a rerun when the candidate already leads posts nothing and exits 0", async () => {
    const { code, posts } = await flipAgainst([promoted]);
    expect([code, posts]).toEqual([0, []]);
  });
});
