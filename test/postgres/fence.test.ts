/**
 * fence.sh against real PostgreSQL 15: once it has run, an application client cannot write by
 * any means it has (overriding the read-only default, BEGIN READ WRITE, a new connection over
 * TCP or the Unix socket, a session opened before the fence), while replication still works.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK, PG_BIN, PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { clientSql, fenceBlocks, isFenced, type ClientLogin } from "../../dev/postgres/clients";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { createRepositories, DrHost, PRIMARY_REGION, waitFor } from "../../dev/postgres/pgbackrest";
import { join } from "node:path";

const SUPERUSER_PASSWORD = "Pw-fence-superuser";
const app: ClientLogin = { user: "app", password: "Pw-fence-app" };
/** libpq's message for a connection the first matching pg_hba.conf line rejects. */
const REJECTED = /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "app"/;

let sandbox: PgSandbox;
let primary: PgNode;
let host: DrHost;
beforeAll(async () => {
  sandbox = await PgSandbox.create("fence");
  primary = await sandbox.initPrimary({ name: "east", superuserPassword: SUPERUSER_PASSWORD });
  host = await DrHost.install(sandbox, { name: "east-host", node: primary, hostRegion: PRIMARY_REGION, side: "active", repositories: await createRepositories(sandbox), database: "postgres" });
  await primary.sql(`CREATE ROLE app LOGIN PASSWORD '${app.password}'; CREATE TABLE orders (id int PRIMARY KEY); GRANT SELECT, INSERT ON orders TO app`);
});
afterAll(async () => {
  await sandbox?.destroy();
});

const orderIds = async () => (await primary.sql("SELECT id FROM orders ORDER BY id")).map(([id]) => Number(id));

describe("a read-only default is no fence", () => {
  it("lets any client write with SET default_transaction_read_only = off or BEGIN READ WRITE", async () => {
    await primary.sql("ALTER SYSTEM SET default_transaction_read_only = on; SELECT pg_reload_conf()");
    await waitFor("the read-only default to reach new sessions", 30_000, async () => (await clientSql(primary, app, "SHOW default_transaction_read_only")).stdout.trim() === "on");
    expect((await clientSql(primary, app, "INSERT INTO orders VALUES (1)")).stderr).toContain("cannot execute INSERT in a read-only transaction");
    expect((await clientSql(primary, app, "SET default_transaction_read_only = off; INSERT INTO orders VALUES (1)")).code).toBe(0);
    expect((await clientSql(primary, app, "BEGIN READ WRITE; INSERT INTO orders VALUES (2); COMMIT")).code).toBe(0);
    expect(await orderIds()).toEqual([1, 2]);
    await primary.sql("ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf()");
  });
});

describe("fence.sh", () => {
  let fence: CommandResult;
  let openSession: Promise<CommandResult>;
  const gate = () => join(host.root, "fence-done");

  beforeAll(async () => {
    // A client session opened before the fence: it writes, waits (outside the server) until
    // the fence has run, then tries every override in the same session.
    openSession = runCommand(
      join(PG_BIN, "psql"),
      ["--no-psqlrc", "--host", LOOPBACK, "--port", String(primary.port), "--username", app.user, "--dbname", "postgres", "--file", "-"],
      {
        env: { PGPASSWORD: app.password },
        input: [
          "INSERT INTO orders VALUES (10);",
          `\\! sh -c 'while [ ! -e ${gate()} ]; do sleep 0.05; done'`,
          "SET default_transaction_read_only = off;",
          "BEGIN READ WRITE;",
          "INSERT INTO orders VALUES (11);",
          "COMMIT;",
          "",
        ].join("\n"),
      },
    );
    await waitFor("the open session's first write", 30_000, async () => (await orderIds()).includes(10));
    fence = await host.runScript("fence.sh", ["--reason", "test"]);
    await runCommand("touch", [gate()]);
  });

  it("exits 0 and says what it did: the block, and the one open client session ended", () => {
    expect(fence, fence.stdout + fence.stderr).toMatchObject({ code: 0 });
    expect(fence.stdout).toMatch(/fence\.sh: added the fence block to .*pg_hba\.conf \(test\)/);
    expect(fence.stdout).toMatch(/fence\.sh: fenced: new client connections are rejected; 1 client session\(s\) ended; WAL flushed up to [0-9A-F]+\/[0-9A-F]+/);
  });

  it("ends a session opened before the fence: its next write, with every override, fails", async () => {
    const session = await openSession;
    expect(session.stderr).toContain("terminating connection due to administrator command");
    expect(await orderIds()).not.toContain(11);
  });

  it.each([
    ["a plain INSERT", "INSERT INTO orders VALUES (20)"],
    ["SET default_transaction_read_only = off", "SET default_transaction_read_only = off; INSERT INTO orders VALUES (21)"],
    ["BEGIN READ WRITE", "BEGIN READ WRITE; INSERT INTO orders VALUES (22); COMMIT"],
    ["SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; INSERT INTO orders VALUES (23)"],
  ])("refuses a new TCP connection trying %s", async (_, sql) => {
    const result = await clientSql(primary, app, sql);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(REJECTED);
  });

  it("refuses a new Unix-socket connection of an application role, and the superuser over TCP", async () => {
    const socket = await clientSql(primary, app, "INSERT INTO orders VALUES (30)", "socket");
    expect(socket.stderr).toContain('pg_hba.conf rejects connection for host "[local]", user "app"');
    const superuser = await clientSql(primary, { user: "postgres", password: SUPERUSER_PASSWORD }, "INSERT INTO orders VALUES (31)");
    expect(superuser.stderr).toContain('pg_hba.conf rejects connection for host "127.0.0.1", user "postgres"');
    expect(await orderIds()).toEqual([1, 2, 10]);
  });

  it("keeps physical replication open: a standby can still be built and streams from the fenced server", async () => {
    const standby = await sandbox.createStandby(primary, { name: "west" });
    await standby.waitForReplay(primary);
    expect(await standby.sql("SELECT status FROM pg_stat_wal_receiver")).toEqual([["streaming"]]);
    expect(await standby.sqlValue("SELECT count(*) FROM orders")).toBe("3");
  });

  it("holds across a restart (the block is in the file), and a second run adds no second block", async () => {
    await primary.restart();
    expect((await clientSql(primary, app, "INSERT INTO orders VALUES (40)")).stderr).toMatch(REJECTED);
    const again = await host.runScript("fence.sh");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already carries the fence");
    expect(await fenceBlocks(primary)).toBe(1);
    expect(await isFenced(primary)).toBe(true);
  });

  it("stops the heartbeat: the host's own timer writes nothing on a fenced primary", async () => {
    const beat = await host.runScript("heartbeat.sh");
    expect(beat.code).toBe(0);
    expect(beat.stdout).toContain("fenced (lease.sh or promote.sh): no heartbeat written");
  });

  it("refuses bad arguments, naming them", async () => {
    const result = await host.runScript("fence.sh", ["--keep-pid", "12x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("fence.sh: --keep-pid '12x' is not allowed; give a backend pid (digits)");
  });
});
