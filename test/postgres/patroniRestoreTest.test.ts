/**
 * #21 "Restore test with a tuned source": the stack's monthly restore test (restore-test.sh, as
 * rendered for the host) on a Patroni-managed primary whose `max_connections` is 150. A restored
 * copy must run with max_connections, max_prepared_transactions, max_locks_per_transaction,
 * max_wal_senders and max_worker_processes at least the source's, or it stops with "recovery
 * aborted because of insufficient parameter settings"
 * (https://www.postgresql.org/docs/15/hot-standby.html#HOT-STANDBY-ADMIN, citations P11): the
 * Debian layout kept postgresql.conf outside the data directory, so the copy ran with 100.
 * Patroni (config_dir = the data directory, domain/patroniConfig.ts) writes every parameter,
 * these included, into the data directory's postgresql.conf, which pgBackRest backs up and
 * restores with the data; the copy then starts with the source's values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatroniLab } from "../../dev/patroni/lab";
import { APPLICATION_SCHEMA, seedSql } from "../../dev/postgres/pgbackrest";
import type { CommandResult } from "../../tools/process/exec";

let lab: PatroniLab;
let restoreTest: CommandResult;

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "restoretest", postgresParameters: { max_connections: 150 }, startSecondary: false });
  const { primary } = lab.members;
  await primary.node.sql(APPLICATION_SCHEMA + seedSql(200, 5, "tuned"));
  await lab.checked(primary.pgbackrest(["--repo=1", "--type=full", "backup"]), "full backup into repo1");
  restoreTest = await primary.runScript("restore-test.sh");
});

afterAll(async () => {
  await lab?.destroy();
});

describe("the monthly restore test on a source with max_connections = 150", () => {
  it("runs against a source that really has 150 connections", async () => {
    expect(await lab.members.primary.node.sqlValue("SHOW max_connections")).toBe("150");
  });

  it("passes: the restored copy reaches the restore point and its row counts match", () => {
    expect(restoreTest.code, `${restoreTest.stdout}\n${restoreTest.stderr}`).toBe(0);
    expect(restoreTest.stdout).toMatch(/restore test passed/);
  });
});
