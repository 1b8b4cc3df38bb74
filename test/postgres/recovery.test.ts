/**
 * Recovery on a real PostgreSQL 15 and pgBackRest 2.45, with the very files DatabaseHost
 * renders (components/databaseHost/render.ts): a primary host ("us-east-1", active) and a
 * streaming standby host ("us-west-2", passive), two posix repositories standing in for the
 * two regions' buckets. The rendered pgBackRest config differs from production only in the
 * repository type and path (asserted in test/databaseHost.render.test.ts). The AWS CLI is
 * replaced at the PATH boundary by a recorder; nothing else is stubbed.
 */
import { access, readdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveCommand } from "../../components/databaseHost/render";
import { maxArchiveTimeoutSeconds } from "../../domain/runbook";
import { LOOPBACK, PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { runCommand } from "../../tools/process/exec";
import { APPLICATION_SCHEMA, createRepositories, decodeMetricCall, DrHost, PRIMARY_REGION, SECONDARY_REGION, processesMentioning, seedSql, waitFor, type Repositories } from "../../dev/postgres/pgbackrest";
import { restoreNode } from "../../dev/postgres/restore";


const DATABASE = "crazy_gary";

let sandbox: PgSandbox;
let repositories: Repositories;
let primary: PgNode;
let standby: PgNode;
let east: DrHost;
let west: DrHost;
let firstConfigure: string;

const count = async (node: PgNode, table: string) => Number(await node.sqlValue(`SELECT count(*) FROM ${table}`, { database: DATABASE }));

beforeAll(async () => {
  sandbox = await PgSandbox.create("recovery");
  repositories = await createRepositories(sandbox);
  primary = await sandbox.initPrimary({ name: "use1" });
  await primary.createDatabase(DATABASE);
  await primary.sql(APPLICATION_SCHEMA + seedSql(200, 5, "seed"), { database: DATABASE });
  east = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, repositories });
  firstConfigure = (await east.runScriptChecked("configure-postgres.sh")).stdout;
  standby = await sandbox.createStandby(primary, { name: "usw2" });
  west = await DrHost.install(sandbox, { name: "host-usw2", node: standby, hostRegion: SECONDARY_REGION, repositories });
});
afterAll(() => sandbox?.destroy());

describe("configure-postgres.sh", () => {
  it("hands the server to Patroni (here its stand-in), restarted through it for archive_mode=always, then readies the stanza on the leader", async () => {
    expect(firstConfigure).toContain("started patroni.service: Patroni manages this host's PostgreSQL");
    expect(firstConfigure).toContain("PostgreSQL: its configuration is out of date (pending_restart): restarting it through Patroni");
    expect(firstConfigure).toContain("stanza crazy-gary missing in repo(s) 1 2 - creating it");
    expect(firstConfigure).toContain("stanza crazy-gary ready and checked: WAL reaches every repository");
    expect(await primary.sqlValue("SHOW archive_mode")).toBe("always");
    expect(await primary.sqlValue("SELECT setting FROM pg_settings WHERE name = 'archive_timeout'")).toBe(String(maxArchiveTimeoutSeconds));
    expect(await primary.sqlValue("SHOW archive_command")).toBe(archiveCommand(east.params));
  });

  it("is idempotent: a second run reloads Patroni, restarts nothing and changes nothing", async () => {
    const pidBefore = await primary.postmasterPid();
    const second = (await east.runScriptChecked("configure-postgres.sh")).stdout;
    expect(second).toContain("reloaded patroni.service (patroni.yml reread)");
    expect(second).not.toContain("restarting it through Patroni");
    expect(second).toContain("stanza crazy-gary exists in every repository");
    expect(await primary.postmasterPid()).toBe(pidBefore);
  });

  it("on the standby applies the same settings and leaves stanza-create to the leader", async () => {
    const output = (await west.runScriptChecked("configure-postgres.sh")).stdout;
    expect(output).toContain("not the leader (Patroni's GET /primary is not 200 here): stanza-create and check run on the leader");
    expect(await standby.sqlValue("SHOW archive_mode")).toBe("always");
    expect(await standby.isInRecovery()).toBe(true);
  });
});

describe("WAL archiving", () => {
  it("pushes every WAL segment to both repositories", async () => {
    await primary.sql("INSERT INTO users (email) VALUES ('wal-check@example.com')", { database: DATABASE });
    const segment = await primary.sqlValue("SELECT pg_walfile_name(pg_current_wal_lsn())");
    await primary.sql("SELECT pg_switch_wal()");
    for (const repo of [repositories.primary, repositories.secondary]) {
      const folder = join(repo, "archive", "crazy-gary", "15-1", segment!.slice(0, 16));
      await waitFor(`segment ${segment} in ${repo}`, 60_000, async () =>
        (await readdir(folder).catch(() => [])).some((name) => name.startsWith(`${segment}-`) && name.endsWith(".zst")),
      );
    }
  });
});

describe("backup.sh (the backup timers' script)", () => {
  it("takes a full backup into both repositories and publishes success and duration per region", async () => {
    await east.aws.clear();
    await east.runScriptChecked("backup.sh", ["full"]);
    const calls = (await east.aws.calls()).map(decodeMetricCall);
    expect(calls.map((call) => [call.region, call.namespace])).toEqual([
      [PRIMARY_REGION, "CrazyGary/Backup"],
      [SECONDARY_REGION, "CrazyGary/Backup"],
    ]);
    for (const call of calls) {
      const dimensions = [
        { Name: "Environment", Value: "prod" },
        { Name: "Region", Value: call.region },
        { Name: "Type", Value: "full" },
      ];
      expect(call.data).toEqual([
        { MetricName: "BackupSuccess", Dimensions: dimensions, Value: 1, Unit: "Count" },
        { MetricName: "BackupDurationSeconds", Dimensions: dimensions, Value: expect.any(Number), Unit: "Seconds" },
      ]);
    }
  });

  it("then an incremental one on top of it; pgbackrest info shows full then incr in each repository", async () => {
    await primary.sql(seedSql(10, 2, "after-full"), { database: DATABASE });
    await east.aws.clear();
    await east.runScriptChecked("backup.sh", ["incr"]);
    const calls = (await east.aws.calls()).map(decodeMetricCall);
    expect(calls.flatMap((call) => call.data.map((datum) => [call.region, datum.MetricName, datum.Dimensions[2]!.Value, datum.Value]))).toEqual([
      [PRIMARY_REGION, "BackupSuccess", "incr", 1],
      [PRIMARY_REGION, "BackupDurationSeconds", "incr", expect.any(Number)],
      [SECONDARY_REGION, "BackupSuccess", "incr", 1],
      [SECONDARY_REGION, "BackupDurationSeconds", "incr", expect.any(Number)],
    ]);
    for (const repo of [1, 2] as const) {
      const info = await east.info(repo);
      expect(info.status.message).toBe("ok");
      expect(info.backup.map((backup) => backup.type)).toEqual(["full", "incr"]);
      expect(info.backup[1]!.prior).toBe(info.backup[0]!.label);
    }
  });

  it("does nothing on a member that does not lead (the standby) and says so", async () => {
    await west.aws.clear();
    const result = await west.runScriptChecked("backup.sh", ["full"]);
    expect(result.stdout).toContain("not the leader (us-west-2; Patroni's GET /primary is not 200 here): backups run on the leader; nothing to do");
    expect(await west.aws.calls()).toEqual([]);
  });

  it("refuses an unknown backup type, naming it", async () => {
    const result = await east.runScript("backup.sh", ["differential"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: backup.sh full|incr (got 'differential')");
  });
});

describe("point-in-time recovery", () => {
  it("restores to a timestamp between two writes: exactly the writes before it are there", async () => {
    await primary.sql("CREATE TABLE pitr_marks (label text PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())", { database: DATABASE });
    await primary.sql("INSERT INTO pitr_marks (label) VALUES ('before')", { database: DATABASE });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const target = await primary.sqlValue("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await primary.sql("INSERT INTO pitr_marks (label) VALUES ('after')", { database: DATABASE });
    await east.pgbackrestChecked(["check"]);

    const restored = await restoreNode(sandbox, east, "pitr", ["--repo=1", "--type=time", `--target=${target}`, "--target-action=promote"]);
    expect(await restored.sql("SELECT label FROM pitr_marks ORDER BY label", { database: DATABASE })).toEqual([["before"]]);
    await restored.stop();
  });
});

describe("restore-test.sh (the monthly restore test)", () => {
  it("restores into a scratch directory, matches the source's row counts, publishes the exact metrics and cleans up", async () => {
    await east.aws.clear();
    const started = Date.now();
    const result = await east.runScriptChecked("restore-test.sh");
    expect(result.stdout).not.toContain("writing a minimal one");
    const elapsedSeconds = (Date.now() - started) / 1000;
    const users = await count(primary, "users");
    const tasks = await count(primary, "tasks");
    expect(result.stdout).toContain(`source row counts: users|${users} tasks|${tasks}`);
    expect(result.stdout).toContain(`restored row counts: users|${users} tasks|${tasks}`);

    const calls = await east.aws.calls();
    expect(calls).toHaveLength(1);
    const [service, operation, , , , , , metricData] = calls[0]!;
    const duration = JSON.parse(metricData!)[1].Value as number;
    expect([service, operation, ...calls[0]!.slice(2, 7)]).toEqual([
      "cloudwatch", "put-metric-data", "--region", "us-east-1", "--namespace", "CrazyGary/Backup", "--metric-data",
    ]);
    expect(metricData).toBe(
      '[{"MetricName":"RestoreTestSuccess","Dimensions":[{"Name":"Environment","Value":"prod"},{"Name":"Region","Value":"us-east-1"}],"Value":1,"Unit":"Count"},' +
        `{"MetricName":"RestoreTestDurationSeconds","Dimensions":[{"Name":"Environment","Value":"prod"},{"Name":"Region","Value":"us-east-1"}],"Value":${duration},"Unit":"Seconds"}]`,
    );
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(duration).toBeLessThanOrEqual(Math.ceil(elapsedSeconds));

    await expect(access(east.restoreTestDir)).rejects.toThrow(/ENOENT/);
    expect(await processesMentioning(east.restoreTestDir)).toEqual([]);
    const lastSuccess = Number(await readFile(join(east.stateDir, "restore-test-last-success"), "utf8"));
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(elapsedSeconds + 5);
  });
  it("matches exactly while the application keeps writing: the counts are taken at the restore point", async () => {
    await primary.sql(
      `CREATE PROCEDURE app_writer() LANGUAGE plpgsql AS $$
       BEGIN
         LOOP
           INSERT INTO users (email) VALUES ('writer-' || clock_timestamp() || '@example.com');
           COMMIT;
           PERFORM pg_sleep(0.02);
         END LOOP;
       END $$`,
      { database: DATABASE },
    );
    const writer = runCommand(
      "psql",
      ["--no-psqlrc", "--host", primary.socketDir, "--port", String(primary.port), "--username", "postgres", "--dbname", DATABASE, "--command", "CALL app_writer()"],
      { ...primary.postgresRun(), timeoutMs: 300_000 },
    );
    const writerRows = () => primary.sqlValue("SELECT count(*) FROM users WHERE email LIKE 'writer-%'", { database: DATABASE }).then(Number);
    try {
      await waitFor("the application writer to commit", 30_000, async () => (await writerRows()) > 20);
      const before = await writerRows();
      const result = await east.runScriptChecked("restore-test.sh");
      const after = await writerRows();
      expect(after).toBeGreaterThan(before);
      const counted = /source row counts: users\|(\d+) tasks\|(\d+)/.exec(result.stdout);
      expect(counted).not.toBeNull();
      expect(result.stdout).toContain(`restored row counts: users|${counted![1]} tasks|${counted![2]}`);
      expect(Number(counted![1])).toBeLessThan(await count(primary, "users"));
    } finally {
      await primary.sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'CALL app_writer()'");
      await writer;
    }
  });

  it("publishes failure (0) and still cleans up when the restore cannot run", async () => {
    const lastSuccessBefore = await readFile(join(east.stateDir, "restore-test-last-success"), "utf8");
    const gone = `${repositories.primary}.gone`;
    await rename(repositories.primary, gone);
    let result;
    try {
      await east.aws.clear();
      result = await east.runScript("restore-test.sh");
    } finally {
      await rename(gone, repositories.primary);
    }
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("ERROR: restore test failed");
    const [call] = (await east.aws.calls()).map(decodeMetricCall);
    expect(call!.data.map((datum) => [datum.MetricName, datum.Value])).toEqual([
      ["RestoreTestSuccess", 0],
      ["RestoreTestDurationSeconds", expect.any(Number)],
    ]);
    await expect(access(east.restoreTestDir)).rejects.toThrow(/ENOENT/);
    expect(await processesMentioning(east.restoreTestDir)).toEqual([]);
    expect(await readFile(join(east.stateDir, "restore-test-last-success"), "utf8")).toBe(lastSuccessBefore);
  });

  it("works where the configuration lives outside the data directory (Debian): the scratch copy gets minimal files", async () => {
    // A backup without the three files stands in for Debian, which keeps them in /etc/postgresql.
    await east.pgbackrestChecked(["--repo=1", "--type=full", "--exclude=postgresql.conf", "--exclude=pg_hba.conf", "--exclude=pg_ident.conf", "backup"]);
    await east.aws.clear();
    const result = await east.runScriptChecked("restore-test.sh");
    for (const name of ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"]) {
      expect(result.stdout).toContain(`no ${name} in the restored data directory (kept outside it, as on Debian): writing a minimal one`);
    }
    expect(result.stdout).toContain(`restored row counts: users|${await count(primary, "users")} tasks|${await count(primary, "tasks")}`);
    const [call] = (await east.aws.calls()).map(decodeMetricCall);
    expect(call!.data[0]).toMatchObject({ MetricName: "RestoreTestSuccess", Value: 1 });
    await expect(access(east.restoreTestDir)).rejects.toThrow(/ENOENT/);
  });
});

describe("monitor.sh and heartbeat.sh", () => {
  it("on the primary publishes the WAL age of every repository, and the freshness of the local repository's backups, WAL and restore test", async () => {
    await east.aws.clear();
    await east.runScriptChecked("monitor.sh");
    const calls = (await east.aws.calls()).map(decodeMetricCall);
    expect(calls.map((call) => [call.region, call.namespace])).toEqual([[PRIMARY_REGION, "CrazyGary/Backup"], [PRIMARY_REGION, "CrazyGary/Backup"]]);
    // First, the WAL age of every repository, measured here and published in this region (Region = the repository's).
    expect(calls[0]!.data.map((d) => [d.MetricName, d.Dimensions.find((x) => x.Name === "Region")!.Value])).toEqual([
      ["RepositoryWalAgeSeconds", PRIMARY_REGION],
      ["RepositoryWalAgeSeconds", SECONDARY_REGION],
    ]);
    for (const datum of calls[0]!.data) expect(datum.Value).toBeLessThan(600);
    const byName = Object.fromEntries(calls[1]!.data.map((datum) => [datum.MetricName, datum]));
    expect(Object.keys(byName)).toEqual(["FullBackupAgeHours", "WalArchiveAgeSeconds", "RestoreTestAgeDays"]);
    expect(byName.FullBackupAgeHours!.Value).toBeLessThan(0.5);
    expect(byName.WalArchiveAgeSeconds!.Value).toBeLessThan(600);
    expect(byName.RestoreTestAgeDays!.Value).toBeLessThan(0.01);
    expect(byName.FullBackupAgeHours!.Dimensions).toEqual([
      { Name: "Environment", Value: "prod" },
      { Name: "Region", Value: "us-east-1" },
    ]);
  });

  it("on the standby publishes its own region's repository and the replication lag measured from the heartbeat", async () => {
    await east.runScriptChecked("heartbeat.sh");
    await standby.waitForReplay(primary);
    await west.aws.clear();
    await west.runScriptChecked("monitor.sh");
    const calls = (await west.aws.calls()).map(decodeMetricCall);
    expect(calls.map((call) => [call.region, call.namespace, call.data.map((datum) => datum.MetricName)])).toEqual([
      [SECONDARY_REGION, "CrazyGary/Backup", ["FullBackupAgeHours", "WalArchiveAgeSeconds"]],
      [SECONDARY_REGION, "CrazyGary/Database", ["ReplicationLagSeconds"]],
    ]);
    const lag = calls[1]!.data[0]!;
    expect(lag.Unit).toBe("Seconds");
    expect(lag.Value).toBeGreaterThanOrEqual(0);
    expect(lag.Value).toBeLessThan(30);
  });

  it("the heartbeat writes WAL on an idle primary, so archive_timeout archives a new segment", async () => {
    const before = (await east.info(2)).archive[0]!.max!;
    await east.runScriptChecked("heartbeat.sh");
    await waitFor("a newer WAL segment in repo2 after the heartbeat", (maxArchiveTimeoutSeconds + 30) * 1000, async () => {
      const after = (await east.info(2)).archive[0]!.max!;
      return after > before;
    });
  });
});

describe("rebuilding the standby from the secondary repository alone", () => {
  it("restores a streaming standby from repo2 with repo1 gone, and it follows the primary", async () => {
    await standby.stop();
    const gone = `${repositories.primary}.gone`;
    await rename(repositories.primary, gone);
    try {
      await primary.sql(seedSql(5, 1, "before-rebuild"), { database: DATABASE });
      const rebuilt = await restoreNode(sandbox, west, "usw2-rebuilt", [
        "--repo=2",
        "--type=standby",
        `--recovery-option=primary_conninfo=host=${LOOPBACK} port=${primary.port} user=postgres application_name=usw2`,
      ], { waitForPromotion: false });
      expect(await rebuilt.isInRecovery()).toBe(true);
      await primary.sql(seedSql(5, 1, "after-rebuild"), { database: DATABASE });
      await rebuilt.waitForReplay(primary, 120_000);
      expect(await count(rebuilt, "users")).toBe(await count(primary, "users"));
      expect(await primary.sqlValue("SELECT state FROM pg_stat_replication WHERE application_name = 'usw2'")).toBe("streaming");
      await rebuilt.stop();
    } finally {
      await rename(gone, repositories.primary);
    }
  });
});
