/**
 * promote.sh against real PostgreSQL 15: a primary ("east") with a streaming standby ("west"),
 * both with scram password auth on loopback, flipped as `pulumi up` would after an
 * activeRegion change.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recoveryObjectives } from "../../domain/runbook";
import { isFenced, removeFence } from "../../dev/postgres/clients";
import { LOOPBACK, PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { createRepositories, DrHost, PRIMARY_REGION } from "../../dev/postgres/pgbackrest";
import { freeLoopbackPort } from "../../dev/postgres/ports";
import { currentTimeline, flipAndMeasure, promotionEnv, runPromotion, type MeasuredFlip, type PromotionSide } from "../../dev/postgres/promotion";

const PASSWORD = "Pw-7f3c9e-not-for-output";
const REBUILD_STEP = "Fail back: rebuild the old primary as a standby (docs/runbooks/failback.md)";
/** A client reaching a fenced server over TCP (fence.sh's pg_hba.conf block). */
const FENCED_ERROR = /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "postgres"/;

/** Every script run of this file, to check that no password ever reached its output. */
const outputs: CommandResult[] = [];
async function promote(env: Record<string, string | undefined>): Promise<CommandResult> {
  const result = await runPromotion(env);
  outputs.push(result);
  return result;
}

let sandbox: PgSandbox;
beforeAll(async () => {
  sandbox = await PgSandbox.create("promotion");
});
/** Closes the test's own TCP listeners (see silentListener). */
const listenerClosers: (() => void)[] = [];
afterAll(async () => {
  for (const close of listenerClosers) close();
  await sandbox?.destroy();
});

const side = (target: PgNode | { port: number }, region: string): PromotionSide => ({ target, region, password: PASSWORD });

describe("promote.sh: flip from a writable primary to its streaming standby", () => {
  let east: PgNode;
  let west: PgNode;
  let flip: MeasuredFlip;
  let clientSession: Promise<CommandResult>;
  let fenceCommand: string;

  beforeAll(async () => {
    east = await sandbox.initPrimary({ name: "east", superuserPassword: PASSWORD });
    const eastHost = await DrHost.install(sandbox, { name: "east-host", node: east, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres" });
    fenceCommand = eastHost.commandLine("fence.sh");
    west = await sandbox.createStandby(east, { name: "west", slot: "west" });
    await east.sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1)");
    await west.waitForReplay(east);
    // An application session on the old primary that the fence must end.
    clientSession = runCommand(
      "psql",
      ["--no-psqlrc", "--host", east.socketDir, "--port", String(east.port), "--username", "postgres", "--dbname", "postgres", "--command", "SELECT pg_sleep(120)"],
      east.postgresRun(),
    );
    for (let tries = 0; (await east.sqlValue("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%'")) !== "1"; tries++) {
      if (tries > 100) throw new Error("client session on east never showed up in pg_stat_activity");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    flip = await flipAndMeasure({ ...side(west, "us-west-2"), target: west }, side(east, "us-east-1"), { fenceCommand });
    outputs.push(flip.result);
  });

  it("promotes the standby: it leaves recovery, keeps the replicated data and takes writes", async () => {
    expect(flip.result.code).toBe(0);
    expect(flip.result.stdout).toContain("promote: promoted us-west-2; it accepts writes");
    expect(await west.isInRecovery()).toBe(false);
    await west.sql("INSERT INTO orders VALUES (2)");
    expect(await west.sql("SELECT id FROM orders ORDER BY id")).toEqual([["1"], ["2"]]);
  });

  it("takes writes on the new primary within the database RTO from the runbook (15 minutes)", () => {
    expect(recoveryObjectives.database.rtoMinutes).toBe(15);
    expect(flip.msToWritable).toBeLessThan(recoveryObjectives.database.rtoMinutes * 60_000);
  });

  it("fences the old primary: its pg_hba.conf rejects client connections", async () => {
    expect(flip.result.stdout).toMatch(
      /fenced us-east-1 \(127\.0\.0\.1:\d+\): its pg_hba\.conf rejects client connections, other client sessions ended; final WAL position [0-9A-F]+\/[0-9A-F]+/,
    );
    expect(await isFenced(east)).toBe(true);
    await expect(east.sql("INSERT INTO orders VALUES (3)", { password: PASSWORD })).rejects.toThrow(FENCED_ERROR);
  });

  it("waits until the standby has replayed the old primary's final WAL position, then promotes", () => {
    const finalLsn = /final WAL position ([0-9A-F]+\/[0-9A-F]+)/.exec(flip.result.stdout)![1];
    expect(flip.result.stdout).toMatch(new RegExp(`us-west-2 replayed us-east-1's final WAL position ${finalLsn.replace("/", "\\/")} \\(now at [0-9A-F]+/[0-9A-F]+\\) after \\d+ ms of waiting`));
    expect(flip.msCatchingUp).toBeGreaterThanOrEqual(0);
    expect(flip.result.stdout.indexOf("replayed")).toBeLessThan(flip.result.stdout.indexOf("promoting us-west-2"));
  });

  it("ends the other client sessions on the old primary", async () => {
    const session = await clientSession;
    expect(session.code).not.toBe(0);
    expect(session.stderr).toContain("terminating connection due to administrator command");
  });

  it("does nothing on a rerun: exit 0, says so, no second promotion", async () => {
    const timeline = await currentTimeline(west);
    const rerun = await promote(promotionEnv(side(west, "us-west-2"), side(east, "us-east-1")));
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain("promote: us-west-2 is already primary and us-east-1 is fenced (its pg_hba.conf rejects client connections); nothing to do");
    expect(rerun.stdout).not.toContain("promoting");
    expect(await currentTimeline(west)).toBe(timeline);
  });

  it("refuses to flip back onto the fenced former primary and names the rebuild step", async () => {
    const back = await promote(promotionEnv(side(east, "us-east-1"), side(west, "us-west-2")));
    expect(back.code).toBe(3);
    expect(back.stderr).toContain("fenced former primary");
    expect(back.stderr).toContain(REBUILD_STEP);
    await expect(east.sql("INSERT INTO orders VALUES (3)", { password: PASSWORD })).rejects.toThrow(FENCED_ERROR);
  });

  it("refuses when both sides are writable primaries (split brain) and changes nothing", async () => {
    await removeFence(east);
    const timeline = await currentTimeline(west);
    const result = await promote(promotionEnv(side(west, "us-west-2"), side(east, "us-east-1")));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("split brain: both us-west-2");
    expect(result.stderr).toContain(REBUILD_STEP);
    await east.sql("INSERT INTO orders VALUES (4)");
    await west.sql("INSERT INTO orders VALUES (5)");
    expect(await currentTimeline(west)).toBe(timeline);
  });
});

/** A TCP listener that accepts connections and never answers: a hung host. Closed by the file's afterAll. */
async function silentListener(): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  listenerClosers.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port };
}

const FENCE_TIMEOUT_SECONDS = 3;
/** A short lease wait: these tests have no lease agent, only the wait's place in the order. */
const LEASE_WAIT_SECONDS = 1;
const shortWaits = { fenceTimeoutSeconds: FENCE_TIMEOUT_SECONDS, leaseWaitSeconds: LEASE_WAIT_SECONDS };

describe.each([
  { name: "stopped", makeUnreachable: async (old: PgNode) => (await old.stop(), old), detail: "Connection refused" },
  { name: "closed", makeUnreachable: async () => ({ port: await freeLoopbackPort() }), detail: "Connection refused" },
  { name: "hung", makeUnreachable: () => silentListener(), detail: "(no answer within 3 s|timeout expired)" },
])("promote.sh with the old primary $name", ({ name, makeUnreachable, detail }) => {
  let standby: PgNode;
  let result: CommandResult;

  beforeAll(async () => {
    const old = await sandbox.initPrimary({ name: `${name}-old`, superuserPassword: PASSWORD });
    standby = await sandbox.createStandby(old, { name: `${name}-new` });
    const unreachable = await makeUnreachable(old);
    result = await promote(promotionEnv(side(standby, "us-west-2"), side(unreachable, "us-east-1"), shortWaits));
  });

  it("warns that the old primary is unreachable, waits out its lease, promotes and exits 0", async () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`promote: WARNING: old primary in us-east-1 \\(127\\.0\\.0\\.1:\\d+\\) is unreachable \\(.*${detail}.*\\); waiting ${LEASE_WAIT_SECONDS} s`));
    expect(result.stderr).toContain("promote: WARNING: promoting without fencing us-east-1: the lease has run out");
    expect(result.stdout).toContain("promote: promoted us-west-2; it accepts writes");
    expect(await standby.isInRecovery()).toBe(false);
    await standby.sql("CREATE TABLE after_failover (id int); INSERT INTO after_failover VALUES (1)");
  });

  it(`waits the lease out (${LEASE_WAIT_SECONDS} s), and is not held up by a hung host: each probe is cut at ${FENCE_TIMEOUT_SECONDS} s`, () => {
    expect(result.durationMs).toBeGreaterThanOrEqual(LEASE_WAIT_SECONDS * 1000);
    // Far below runPromotion's own 180 s kill: a probe that was not cut would reach it.
    expect(result.durationMs).toBeLessThan((LEASE_WAIT_SECONDS + 2 * FENCE_TIMEOUT_SECONDS + 60) * 1000);
  });
});

describe("promote.sh with a reachable old primary it cannot fence", () => {
  let old: PgNode;
  let standby: PgNode;
  let result: CommandResult;

  beforeAll(async () => {
    old = await sandbox.initPrimary({ name: "unfenceable-old", superuserPassword: PASSWORD });
    // A role that can log in and read the server's state, but may not run a program on the server.
    await old.sql(`CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`);
    standby = await sandbox.createStandby(old, { name: "unfenceable-new" });
    result = await promote(promotionEnv(side(standby, "us-west-2"), { ...side(old, "us-east-1"), user: "app" }, shortWaits));
  });

  it("refuses with exit 5, names what to do, and promotes nothing: the old side still takes writes", async () => {
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("promote: ERROR: could not fence us-east-1 (127.0.0.1:");
    expect(result.stderr).toContain("pg_execute_server_program");
    expect(result.stderr).toContain("Fence it by hand (run fence.sh on its host as postgres) or stop its PostgreSQL, then rerun pulumi up.");
    expect(await standby.isInRecovery()).toBe(true);
    await old.sql("CREATE TABLE still_primary (id int); INSERT INTO still_primary VALUES (1)");
  });

  it("promotes on the rerun once the old primary is stopped", async () => {
    await old.stop();
    const rerun = await promote(promotionEnv(side(standby, "us-west-2"), { ...side(old, "us-east-1"), user: "app" }, shortWaits));
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain("is unreachable");
    expect(await standby.isInRecovery()).toBe(false);
  });
});

describe("promote.sh input checks", () => {
  const base = promotionEnv(
    { target: { port: 5432 }, region: "us-west-2" },
    { target: { port: 5433 }, region: "us-east-1" },
  );
  it.each([
    { change: { NEW_PRIMARY_HOST: undefined }, message: "environment variable NEW_PRIMARY_HOST is required" },
    { change: { OLD_PRIMARY_USER: "" }, message: "environment variable OLD_PRIMARY_USER is required" },
    { change: { NEW_PRIMARY_PORT: "54x" }, message: "NEW_PRIMARY_PORT='54x' is not a TCP port; allowed: an integer from 1 to 65535" },
    { change: { OLD_PRIMARY_PORT: "70000" }, message: "OLD_PRIMARY_PORT='70000' is not a TCP port" },
    { change: { FENCE_TIMEOUT_SECONDS: "0" }, message: "FENCE_TIMEOUT_SECONDS='0' is not allowed; allowed: whole seconds from 1 to 600" },
    { change: { FENCE_TIMEOUT_SECONDS: "soon" }, message: "FENCE_TIMEOUT_SECONDS='soon' is not allowed" },
    { change: { CATCH_UP_TIMEOUT_SECONDS: "3601" }, message: "CATCH_UP_TIMEOUT_SECONDS='3601' is not allowed; allowed: whole seconds from 1 to 3600" },
    { change: { LEASE_WAIT_SECONDS: "-5" }, message: "LEASE_WAIT_SECONDS='-5' is not allowed; allowed: whole seconds from 1 to 3600" },
  ])("exits 64 naming the key when $message", async ({ change, message }) => {
    const result = await promote({ ...base, ...change });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
  });

  it("refuses when the newly active database is unreachable, changing nothing", async () => {
    const result = await promote(
      promotionEnv({ target: { port: await freeLoopbackPort() }, region: "us-west-2" }, { target: { port: await freeLoopbackPort() }, region: "us-east-1" }, { fenceTimeoutSeconds: 2 }),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("cannot promote us-west-2: its database (127.0.0.1:");
  });
});

describe("promote.sh output", () => {
  it("never contains a password (every run of this file, stdout and stderr)", () => {
    expect(outputs.length).toBeGreaterThanOrEqual(12);
    for (const { stdout, stderr } of outputs) {
      expect(stdout + stderr).not.toContain(PASSWORD);
      expect(stdout + stderr).not.toContain("Pw-7f3c9e");
    }
  });
});
