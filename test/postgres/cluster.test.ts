/** The real-PostgreSQL harness itself: what other tests rely on it to do. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_BIN, PgSandbox, renderSettings, type PgNode } from "../../dev/postgres/cluster";
import { runChecked } from "../../tools/process/exec";
import { isAlive } from "../../dev/postgres/processes";

let sandbox: PgSandbox;
let primary: PgNode;
const PASSWORD = "harness-pw";

beforeAll(async () => {
  sandbox = await PgSandbox.create("harness");
  primary = await sandbox.initPrimary({ name: "primary", superuserPassword: PASSWORD, settings: { work_mem: "8MB", archive_timeout: 60 } });
});
afterAll(() => sandbox?.destroy());

describe("renderSettings", () => {
  it.each([
    [{ archive_command: "cp %p '/repo/%f'" }, "archive_command = 'cp %p ''/repo/%f'''\n"],
    [{ archive_timeout: 60 }, "archive_timeout = 60\n"],
    [{ hot_standby: false }, "hot_standby = off\n"],
    [{ "pgbackrest.x": "a\\b" }, "pgbackrest.x = 'a\\\\b'\n"],
  ])("renders %o", (settings, line) => {
    expect(renderSettings(settings)).toBe(line);
  });

  it("rejects a name that is not a setting name", () => {
    expect(() => renderSettings({ "port = 1\nfsync": "on" })).toThrow(/key "port = 1\nfsync" is not a postgresql.conf setting name/);
  });
});

describe("a primary", () => {
  it("runs as postgres, on its own loopback port, with the caller's settings", async () => {
    expect(await primary.sql("SHOW work_mem; SHOW archive_timeout; SHOW listen_addresses; SHOW port")).toEqual([
      ["8MB"], ["1min"], ["127.0.0.1"], [String(primary.port)],
    ]);
    const pid = await primary.postmasterPid();
    expect(pid).toBeDefined();
    const owner = await runChecked("ps", ["-o", "user=", "-p", String(pid)]);
    expect(owner.stdout.trim()).toBe("postgres");
  });

  it("returns rows and columns, NULL as empty text, and throws psql's error", async () => {
    expect(await primary.sql("SELECT 1, 'a|b', NULL UNION ALL SELECT 2, 'c', 'd' ORDER BY 1")).toEqual([
      ["1", "a|b", ""],
      ["2", "c", "d"],
    ]);
    expect(await primary.sql("SELECT 1 WHERE false")).toEqual([]);
    await expect(primary.sql("SELECT * FROM missing_table")).rejects.toThrow(/relation "missing_table" does not exist/);
  });

  it("takes the password over TCP and refuses a wrong one", async () => {
    expect(await primary.sqlValue("SELECT current_user", { password: PASSWORD })).toBe("postgres");
    await expect(primary.sql("SELECT 1", { password: "wrong" })).rejects.toThrow(/password authentication failed for user "postgres"/);
  });

  it("keeps committed rows through a crash (SIGKILL of the postmaster and its children) and a restart", async () => {
    await primary.sql("CREATE TABLE survivors (id int); INSERT INTO survivors VALUES (1), (2)");
    const pid = (await primary.postmasterPid())!;
    await primary.crash();
    expect(isAlive(pid)).toBe(false);
    expect(await primary.isRunning()).toBe(false);
    await primary.start();
    expect(await primary.sql("SELECT count(*) FROM survivors")).toEqual([["2"]]);
    expect(await primary.logTail(40)).toMatch(/database system was interrupted|was not properly shut down/);
  });

  it("stops fast by pid and starts again", async () => {
    const pid = (await primary.postmasterPid())!;
    await primary.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(primary.dataDir, "postmaster.pid"))).toBe(false);
    await primary.start();
    expect(await primary.isRunning()).toBe(true);
  });
});

describe("a streaming standby", () => {
  let standby: PgNode;
  beforeAll(async () => {
    standby = await sandbox.createStandby(primary, { name: "standby", slot: "standby_slot", settings: { work_mem: "16MB" } });
  });

  it("streams from the primary through its slot and replays writes", async () => {
    expect(await standby.isInRecovery()).toBe(true);
    expect(await standby.sqlValue("SHOW port")).toBe(String(standby.port));
    expect(await standby.sqlValue("SHOW work_mem")).toBe("16MB");
    await primary.sql("INSERT INTO survivors VALUES (3)");
    await standby.waitForReplay(primary);
    expect(await standby.sql("SELECT count(*) FROM survivors")).toEqual([["3"]]);
    expect(await primary.sql("SELECT slot_name, active FROM pg_replication_slots")).toEqual([["standby_slot", "t"]]);
  });

  it("is promoted by promote() and then takes writes", async () => {
    await standby.promote();
    expect(await standby.isInRecovery()).toBe(false);
    await standby.sql("INSERT INTO survivors VALUES (4)");
  });
});

describe("a prepared node filled by another tool", () => {
  it("starts from a data directory the caller made (here pg_basebackup without -R)", async () => {
    const copy = await sandbox.prepareNode("copy");
    await runChecked(join(PG_BIN, "pg_basebackup"), ["-h", primary.host, "-p", String(primary.port), "-U", "postgres", "-D", copy.dataDir, "-X", "stream", "--no-sync"], copy.postgresRun());
    await copy.configure({ work_mem: "4MB" });
    await copy.start();
    expect(await copy.sql("SELECT pg_is_in_recovery(), current_setting('work_mem'), (SELECT count(*) FROM survivors)")).toEqual([["f", "4MB", "3"]]);
  });

  it("refuses a duplicate or unsafe name", async () => {
    await expect(sandbox.prepareNode("copy")).rejects.toThrow(/node name "copy" is already used/);
    await expect(sandbox.prepareNode("../x")).rejects.toThrow(/node name "..\/x" must be 1-20 letters/);
  });
});

describe("destroy", () => {
  it("stops every server by pid and removes the folder", async () => {
    const own = await PgSandbox.create("harness-destroy");
    const node = await own.initPrimary({ name: "n" });
    const pid = (await node.postmasterPid())!;
    await own.destroy();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(own.root)).toBe(false);
    await own.destroy();
  });
});
