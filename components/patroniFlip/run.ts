/**
 * The flip's program, run by the `patroni-flip` local command (./index.ts) where `pulumi up`
 * runs, against the surviving (candidate) region's Patroni REST API only:
 *
 * 1. `GET <api>/cluster` (a safe endpoint, no password), decided by `decideFlip`
 *    (domain/patroniFlip.ts); "wait" decisions re-read every 2 s up to FLIP_TIMEOUT_SECONDS;
 * 2. `POST <api>/switchover {leader, candidate}` (both regions answer: zero loss) or
 *    `POST <api>/failover {candidate}` (regionDown; refused past the RPO unless forced), with
 *    basic auth (Patroni's unsafe endpoints);
 * 3. `GET <api>/cluster` until the candidate is the running leader, then `GET <api>/primary`
 *    until it answers 200 with `role` "master" (Patroni 3.0.x; "primary" later) and `state`
 *    "running": `primaryReadiness` (domain/patroniFlip.ts). The 200 alone is not enough: Patroni
 *    3.0.2 answers 200 from the moment it holds the leader lock (patroni/api.py `do_GET`:
 *    `elif patroni.ha.is_leader(): ... primary_status_code = 200`), and takes the lock before it
 *    starts the promotion in the background (patroni/ha.py `acquire_lock` -> `set_is_leader`,
 *    then `enforce_primary_role` -> `_async_executor.try_run_async('promote', ...)`, which runs
 *    `pg_ctl promote -W`, not waiting); the body's `role` is "replica" while
 *    `pg_is_in_recovery()` is true (api.py `get_postgresql_status`, `Postgresql.TL_LSN` in
 *    postgresql/__init__.py), all at tag v3.0.2 of github.com/patroni/patroni.
 * Exit 0: the candidate is the leader and takes writes (also when it already was: a rerun is a
 * no-op).
 * Exit 1: refused or not reached in time; nothing was promoted by this run unless it says so.
 *
 * Environment: FLIP_API_URL (https://<candidate pgHost>:<restApiPort>), FLIP_CANDIDATE (member
 * name), FLIP_REGION_DOWN ("true"/"false"), FLIP_MAX_LAG_BYTES, FLIP_FORCE ("true"/"false"),
 * FLIP_TIMEOUT_SECONDS, FLIP_LOCK_WAIT_SECONDS (ttl + loop_wait: how long a dead leader's lock can
 * still show; with regionDown, a lock held longer means the old region is back and the flip
 * switches over instead), PATRONI_RESTAPI_USERNAME and PATRONI_RESTAPI_PASSWORD (secret),
 * FLIP_CA_PEM (the stack's Patroni CA, PEM; output `patroniCaCertPem`).
 * TLS: an https API is trusted only when its certificate is signed by FLIP_CA_PEM (Node's
 * `tls.connect` `ca`: it "replaces" the default CAs, https://nodejs.org/docs/latest-v20.x/api/tls.html#tlscreatesecurecontextoptions)
 * and names the candidate's address (components/patroniTls.ts SANs); otherwise nothing is sent,
 * the basic-auth password least of all.
 */
import * as https from "node:https";
import * as http from "node:http";
import { decideFlip, primaryReadiness, type ClusterView, type FlipRequest, type PrimaryAnswer } from "../../domain/patroniFlip";

interface Reply {
  status: number;
  body: string;
}

/** Node's codes for a certificate it cannot trust (wrong CA, wrong name, expired). */
const untrusted = /CERT|SIGNATURE|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

function request(url: string, method: "GET" | "POST", ca: string | undefined, body?: unknown, auth?: string): Promise<Reply> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method,
        timeout: 30_000,
        ...(target.protocol === "https:" ? { ca, rejectUnauthorized: true } : {}),
        headers: {
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
    req.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        untrusted.test(error.code ?? "")
          ? new Error(`${method} ${url}: its certificate is not trusted (${error.code}: ${error.message}); the candidate must present a certificate signed by the stack's Patroni CA (FLIP_CA_PEM, output patroniCaCertPem) for its address. Nothing was sent.`)
          : error,
      ),
    );
    if (payload) req.write(payload);
    req.end();
  });
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} patroni-flip: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`setting ${name} is missing or empty`);
  return value;
}

/** `GET /primary`'s status and, when its body is Patroni's JSON status, `role` and `state`. */
async function readPrimary(api: string, ca: string | undefined): Promise<PrimaryAnswer> {
  const reply = await request(`${api}/primary`, "GET", ca);
  let body: { role?: unknown; state?: unknown } = {};
  try {
    body = JSON.parse(reply.body) as typeof body;
  } catch {
    // Not Patroni's JSON: no role, so not writable.
  }
  return { status: reply.status, role: typeof body.role === "string" ? body.role : undefined, state: typeof body.state === "string" ? body.state : undefined };
}

async function readCluster(api: string, ca: string | undefined): Promise<ClusterView> {
  const reply = await request(`${api}/cluster`, "GET", ca);
  if (reply.status !== 200) throw new Error(`GET ${api}/cluster answered ${reply.status}: ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body) as ClusterView;
}

/** Runs the flip; resolves to the exit code. */
export async function runFlip(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const api = setting("FLIP_API_URL").replace(/\/$/, "");
  const ca = api.startsWith("https:") ? setting("FLIP_CA_PEM") : undefined;
  const flip: FlipRequest = {
    candidate: setting("FLIP_CANDIDATE"),
    regionDown: env.FLIP_REGION_DOWN === "true",
    maxLagBytes: Number(setting("FLIP_MAX_LAG_BYTES")),
    force: env.FLIP_FORCE === "true",
  };
  const deadline = Date.now() + Number(env.FLIP_TIMEOUT_SECONDS ?? "300") * 1000;
  const auth = `${setting("PATRONI_RESTAPI_USERNAME")}:${setting("PATRONI_RESTAPI_PASSWORD")}`;
  const lockWaitMs = Number(env.FLIP_LOCK_WAIT_SECONDS ?? "40") * 1000;
  let asked = false;
  let lastWait = "";
  let leaderSeenAt: number | undefined;
  for (;;) {
    const cluster = await readCluster(api, ca);
    const heldBy = cluster.members.find((m) => m.role === "leader" && m.name !== flip.candidate);
    leaderSeenAt = heldBy ? (leaderSeenAt ?? Date.now()) : undefined;
    const decision = decideFlip(cluster, { ...flip, leaderLockOutlived: leaderSeenAt !== undefined && Date.now() - leaderSeenAt > lockWaitMs });
    let pollMs = 2000;
    if (decision.action === "done") {
      const ready = primaryReadiness(flip.candidate, await readPrimary(api, ca));
      if (ready.writable) {
        log(decision.message);
        log(ready.message);
        return 0;
      }
      lastWait = ready.message;
      // Only the promotion is left, on the candidate itself: ask again sooner.
      pollMs = 500;
    } else if (decision.action === "refuse") {
      log(`REFUSED: ${decision.message}`);
      return 1;
    } else if (decision.action === "wait") {
      lastWait = decision.message;
    } else if (!asked) {
      log(decision.message);
      const body = decision.action === "switchover" ? { leader: decision.leader, candidate: decision.candidate } : { candidate: decision.candidate };
      const reply = await request(`${api}/${decision.action}`, "POST", ca, body, auth);
      log(`POST /${decision.action} answered ${reply.status}: ${reply.body.trim()}`);
      if (reply.status !== 200 && reply.status !== 503) {
        log(`REFUSED by Patroni: nothing was promoted by this run`);
        return 1;
      }
      // 503 "status unknown" means Patroni is still working: the loop reads the cluster again.
      asked = true;
    }
    if (Date.now() > deadline) {
      log(`TIMEOUT: ${lastWait || "the candidate did not become the leader in time"}; run pulumi up again (a rerun is safe)`);
      return 1;
    }
    if (lastWait) log(lastWait);
    await sleep(pollMs);
  }
}

if (require.main === module) {
  runFlip().then(
    (code) => process.exit(code),
    (err: Error) => {
      log(`ERROR: ${err.message}`);
      process.exit(1);
    },
  );
}
