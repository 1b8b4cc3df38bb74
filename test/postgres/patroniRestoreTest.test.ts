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
 *
 * The host scripts ask this host's Patroni whether it leads (GET https://127.0.0.1:8008/primary,
 * verified with the CA; components/databaseHost/files/bin/lib.sh `dr_is_leader`): here against
 * Patroni 3.0.2 itself, backup.sh backs up on the leader and does nothing on the replica, and the
 * restore test runs on the leader. Then the stack's configure step (configure-postgres.sh, with
 * systemctl a no-op: the harness runs Patroni) PATCHes the dynamic configuration to the real
 * REST API with the host secret's basic auth, and readies the stanza on the leader only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PatroniLab } from "../../dev/patroni/lab";
import { APPLICATION_SCHEMA, seedSql } from "../../dev/postgres/pgbackrest";
import type { CommandResult } from "../../tools/process/exec";

let lab: PatroniLab;
let restoreTest: CommandResult;
let leaderBackup: CommandResult;
let replicaBackup: CommandResult;
let backupsAfterLeader: number[];
let backupsAfterReplica: number[];
let leaderConfigure: CommandResult;
let replicaConfigure: CommandResult;
let dcsConfig: Record<string, unknown>;

beforeAll(async () => {
  lab = await PatroniLab.create({ label: "restoretest", namespacePrefix: "cghp-", postgresParameters: { max_connections: 150 }, startSecondary: false });
  const { primary, secondary } = lab.members;
  await primary.node.sql(APPLICATION_SCHEMA + seedSql(200, 5, "tuned"));
  leaderBackup = await primary.runScript("backup.sh", ["full"]);
  backupsAfterLeader = await primary.backupCounts();
  restoreTest = await primary.runScript("restore-test.sh");
  await lab.joinSecondary();
  replicaBackup = await secondary.runScript("backup.sh", ["full"]);
  backupsAfterReplica = await primary.backupCounts();
  // The hosts' REST API secret as Secrets Manager would hold it, then the stack's configure step on each member.
  for (const member of [primary, secondary]) await member.host.aws.storeSecret("crazy-gary/prod/patroni/rest-api", JSON.stringify({ username: lab.restApi.user, password: lab.restApi.password }));
  leaderConfigure = await primary.runScript("configure-postgres.sh");
  replicaConfigure = await secondary.runScript("configure-postgres.sh");
  dcsConfig = JSON.parse((await primary.rest("/config")).body) as Record<string, unknown>;
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
    // Read from the restored copy's pg_controldata and the source, not from a postgresql.conf.
    expect(restoreTest.stdout).toContain("starting the restored copy with the source's -c max_connections=150 -c max_worker_processes=");
  });
});

describe("backup.sh asks Patroni whether this host leads", () => {
  it("backs up into both repositories on the leader (GET /primary 200)", () => {
    expect(leaderBackup.code, `${leaderBackup.stdout}\n${leaderBackup.stderr}`).toBe(0);
    expect(leaderBackup.stdout).toContain("full backup into repo1 finished");
    expect(leaderBackup.stdout).toContain("full backup into repo2 finished");
    expect(backupsAfterLeader).toEqual([1, 1]);
  });

  it("does nothing on the replica (GET /primary 503): no backup is added to the stanza", async () => {
    expect((await lab.members.secondary.rest("/primary")).status).toBe(503);
    expect(replicaBackup.code, `${replicaBackup.stdout}\n${replicaBackup.stderr}`).toBe(0);
    expect(replicaBackup.stdout).toContain("not the leader (us-west-2; Patroni's GET /primary is not 200 here): backups run on the leader; nothing to do");
    expect(backupsAfterReplica).toEqual(backupsAfterLeader);
  });
});

describe("configure-postgres.sh on Patroni members", () => {
  it("PATCHes Patroni's /config with the stack's dynamic configuration, over HTTPS with basic auth from the host's secret", () => {
    expect(leaderConfigure.code, `${leaderConfigure.stdout}\n${leaderConfigure.stderr}`).toBe(0);
    expect(leaderConfigure.stdout).toContain("Patroni's dynamic configuration set from");
    expect(dcsConfig).toMatchObject({ ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 335544320, postgresql: { use_pg_rewind: true } });
  });

  it("readies the stanza on the leader only", () => {
    expect(leaderConfigure.stdout).toMatch(/stanza crazy-gary (exists in every repository|ready and checked)/);
    expect(replicaConfigure.code, `${replicaConfigure.stdout}\n${replicaConfigure.stderr}`).toBe(0);
    expect(replicaConfigure.stdout).toContain("not the leader (Patroni's GET /primary is not 200 here): stanza-create and check run on the leader");
  });
});
