/**
 * No split brain under a partition, on real PostgreSQL 15: the old primary stays alive and
 * keeps streaming to its standby, but promote.sh cannot reach it (a wrong port, as a blocked
 * route would be). Its host's lease (lease.sh, run every check interval as its systemd timer
 * would; the AWS CLI replaced at the PATH boundary) either cannot read the active-region
 * parameter any more, or reads that the other region is active; either way it fences itself
 * within the lease bound, and promote.sh promotes only after waiting that bound out. Sampled
 * all along: at no moment do both servers accept a client's connection as a primary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLeaseTimings, leaseWaitSeconds, type LeaseTimings } from "../../domain/lease";
import { PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { clientSql, isFenced, type ClientLogin } from "../../dev/postgres/clients";
import type { CommandResult } from "../../tools/process/exec";
import { freeLoopbackPort } from "../../dev/postgres/ports";
import { createRepositories, DrHost, PRIMARY_REGION, waitFor } from "../../dev/postgres/pgbackrest";
import { promotionEnv, runPromotion } from "../../dev/postgres/promotion";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const SUPERUSER_PASSWORD = "Pw-partition-superuser";
const app: ClientLogin = { user: "app", password: "Pw-partition-app" };
/**
 * The lease scaled down for a test; the bound promote.sh waits is derived the same way as in
 * production. The check interval leaves a lease.sh run (a few psql calls, about 0.2 s idle,
 * over a second on a loaded machine) room to finish within it, as the 10 s default does. The
 * fence keeps the production default's 10 s: at load 18 on 2 cores a fence took longer than 5 s.
 */
const LEASE: LeaseTimings = { leaseSeconds: 6, checkIntervalSeconds: 2, fenceTimeoutSeconds: 10 };
const BOUND_SECONDS = leaseWaitSeconds(LEASE);

/** Whether a node takes an application client's write: it accepts the connection and is a primary. */
async function takesWrites(node: PgNode): Promise<boolean> {
  const result = await clientSql(node, app, "SELECT NOT pg_is_in_recovery();");
  return result.code === 0 && result.stdout.trim() === "t";
}

/** Runs `tick` every `periodMs` until stopped, as a systemd timer runs its service (the next run starts after the last ended). */
function everyPeriod(periodMs: number, tick: () => Promise<unknown>): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await tick();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

let sandbox: PgSandbox;
beforeAll(async () => {
  sandbox = await PgSandbox.create("partition");
});
afterAll(async () => {
  await sandbox?.destroy();
});

describe.each([
  { name: "cut", what: "its region's SSM cannot be reached either", answer: { fail: "Could not connect to the endpoint URL: \"https://ssm.us-east-1.amazonaws.com/\"" }, reason: /could not read \/crazy-gary\/prod\/active-region in us-east-1 for \d+ s \(lease 6 s\)/ },
  { name: "told", what: "its region's parameter already names the new region", answer: "us-west-2", reason: /\/crazy-gary\/prod\/active-region in us-east-1 names us-west-2, not this region/ },
])("a partition: the old primary alive, unreachable from promote.sh, and $what", ({ name, answer, reason }) => {
  let east: PgNode;
  let west: PgNode;
  let host: DrHost;
  let promotion: CommandResult;
  let partitionedAt: number;
  let fencedAt: number | undefined;
  const samples: { at: number; east: boolean; west: boolean }[] = [];

  beforeAll(async () => {
    east = await sandbox.initPrimary({ name: `${name}-east`, superuserPassword: SUPERUSER_PASSWORD });
    host = await DrHost.install(sandbox, { name: `${name}-east-host`, node: east, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres", lease: LEASE });
    await east.sql(`CREATE ROLE app LOGIN PASSWORD '${app.password}'; CREATE TABLE orders (id int PRIMARY KEY); GRANT SELECT, INSERT ON orders TO app`);
    west = await sandbox.createStandby(east, { name: `${name}-west` });
    await host.aws.answerSsm("us-east-1");

    const leaseTimer = everyPeriod(LEASE.checkIntervalSeconds * 1000, () => host.runScript("lease.sh", [], 60_000));
    try {
      const renewed = join(host.stateDir, "lease-confirmed-at");
      await waitFor("a first lease renewal", 60_000, async () => (await readFile(renewed, "utf8").catch(() => "")) !== "");
      expect(await takesWrites(east)).toBe(true);

      await host.aws.answerSsm(answer);
      partitionedAt = Date.now();
      const sampler = everyPeriod(100, async () => {
        const [eastWrites, westWrites] = await Promise.all([takesWrites(east), takesWrites(west)]);
        samples.push({ at: Date.now(), east: eastWrites, west: westWrites });
        if (fencedAt === undefined && (await isFenced(east))) fencedAt = Date.now();
      });
      try {
        promotion = await runPromotion(
          promotionEnv(
            { target: west, region: "us-west-2", password: SUPERUSER_PASSWORD },
            { target: { port: await freeLoopbackPort() }, region: "us-east-1", password: SUPERUSER_PASSWORD },
            { fenceTimeoutSeconds: 2, leaseWaitSeconds: BOUND_SECONDS },
          ),
        );
      } finally {
        await sampler.stop();
      }
    } finally {
      await leaseTimer.stop();
    }
  });

  it(`promotes only after waiting out the lease bound (${BOUND_SECONDS} s = lease ${LEASE.leaseSeconds} + 2 x check ${LEASE.checkIntervalSeconds} + fence ${LEASE.fenceTimeoutSeconds})`, () => {
    expect(promotion.code).toBe(0);
    expect(promotion.stderr).toContain(`is unreachable`);
    expect(promotion.stderr).toContain(`waiting ${BOUND_SECONDS} s`);
    expect(promotion.stdout).toContain("promote: promoted us-west-2; it accepts writes");
    expect(promotion.durationMs).toBeGreaterThanOrEqual(BOUND_SECONDS * 1000);
  });

  it("the old primary fenced itself, by its lease, within the bound after the partition", async () => {
    expect(fencedAt).toBeDefined();
    expect(fencedAt! - partitionedAt).toBeLessThanOrEqual(BOUND_SECONDS * 1000);
    expect(await readFile(join(east.dataDir, "pg_hba.conf"), "utf8")).toMatch(reason);
  });

  it("never had two writable primaries, and ends with exactly one: the promoted standby", async () => {
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((sample) => sample.east && sample.west)).toEqual([]);
    expect(samples[0]).toMatchObject({ east: true, west: false });
    expect(await takesWrites(east)).toBe(false);
    expect(await takesWrites(west)).toBe(true);
    expect((await clientSql(west, app, "INSERT INTO orders VALUES (1)")).code).toBe(0);
    expect((await clientSql(east, app, "INSERT INTO orders VALUES (2)")).stderr).toContain("pg_hba.conf rejects connection");
  });
});

describe("lease.sh on a healthy active primary", () => {
  it("renews and leaves the primary writable while the parameter names its region", async () => {
    const node = await sandbox.initPrimary({ name: "healthy", superuserPassword: SUPERUSER_PASSWORD });
    const host = await DrHost.install(sandbox, { name: "healthy-host", node, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres" });
    await host.aws.answerSsm("us-east-1");
    const result = await host.runScript("lease.sh");
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: "" });
    expect(await isFenced(node)).toBe(false);
    const [call] = (await host.aws.calls()).slice(-1);
    expect(call).toEqual(["ssm", "get-parameter", "--region", "us-east-1", "--name", "/crazy-gary/prod/active-region", "--query", "Parameter.Value", "--output", "text"]);
    expect(defaultLeaseTimings).toEqual({ leaseSeconds: 60, checkIntervalSeconds: 10, fenceTimeoutSeconds: 10 });
  });

  it("keeps the primary writable through a failed read shorter than the lease, and says so", async () => {
    const node = await sandbox.initPrimary({ name: "blip" });
    const host = await DrHost.install(sandbox, { name: "blip-host", node, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres" });
    await host.aws.answerSsm("us-east-1");
    await host.runScriptChecked("lease.sh");
    await host.aws.answerSsm({ fail: "Rate exceeded" });
    const result = await host.runScriptChecked("lease.sh");
    expect(result.stdout).toMatch(/WARNING: could not read \/crazy-gary\/prod\/active-region in us-east-1 \(exit 255: Rate exceeded\); lease renewed \d+ s ago, fencing after 60 s/);
    expect(await isFenced(node)).toBe(false);
  });
});
