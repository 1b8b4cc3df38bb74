/**
 * Least privilege, really used (issue #14), on real PostgreSQL 15 and pgBackRest 2.45 with the
 * very files DatabaseHost renders: the roles of domain/databaseRoles.ts with exactly the grants
 * the DatabaseRoles component declares, their passwords in (fake) Secrets Manager,
 * configure-postgres.sh writing the password file and the pg_hba.conf block. Then pgBackRest
 * (stanza-create, check, backup, the restore test) logs in as `pgbackrest`, the monitor as
 * `monitor`, the standby streams as `replicator`, each authenticated by its password
 * (scram-sha-256, seen in the server log); and none can do what it must not.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseRoleSecretName, HOST_DATABASE_ROLES } from "../../domain/databaseRoles";
import { LOOPBACK, PG_BIN, PgSandbox, sqlLiteral, type PgNode } from "../../dev/postgres/cluster";
import { testRolePassword } from "../../dev/postgres/databaseRoles";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { APPLICATION_SCHEMA, createRepositories, decodeMetricCall, DrHost, PRIMARY_REGION, SECONDARY_REGION, seedSql, waitFor, type Repositories } from "../../dev/postgres/pgbackrest";

const DATABASE = "crazy_gary";

let sandbox: PgSandbox;
let repositories: Repositories;
let primary: PgNode;
let east: DrHost;
let configure: CommandResult;

/** The primary's server log (restarts through the Patroni stand-in keep it). */
const serverLog = async () => (await readFile(primary.logFile, "utf8").catch(() => ""));
/** The server log from `from` (a length read earlier) on. */
const logSince = async (from: number) => (await serverLog()).slice(from);
const logLength = async () => (await serverLog()).length;
/** Users whose connections were authenticated by password (scram-sha-256) in `log`. */
const scramUsers = (log: string) => new Set([...log.matchAll(/connection authenticated: identity="([a-z_]+)" method=scram-sha-256/g)].map((m) => m[1]));
/**
 * Users of the connections authorized in `log` by application: psql names itself in the startup
 * packet ("application_name=psql"); pgBackRest sets its name only after connecting, so its
 * connections are the ones authorized without a name (archive-push never connects).
 */
const usersOf = (log: string, application: "psql" | "pgBackRest") =>
  new Set(
    [...log.matchAll(/connection authorized: user=([a-z_]+) database=\S+( application_name=\S+)?$/gm)]
      .filter((m) => (application === "psql" ? m[2] === " application_name=psql" : m[2] === undefined))
      .map((m) => m[1]),
  );

/** psql over the primary's Unix socket as `user`, its password from `host`'s password file (as the host's scripts log in). */
function roleSql(node: PgNode, host: DrHost, user: string, sql: string, database = DATABASE): Promise<CommandResult> {
  return runCommand(
    join(PG_BIN, "psql"),
    ["--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--host", node.socketDir, "--port", String(node.port), "--username", user, "--dbname", database, "--file", "-"],
    { ...node.postgresRun(), input: sql, env: { PGPASSFILE: host.passwordFile, PGCONNECT_TIMEOUT: "10" }, timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  sandbox = await PgSandbox.create("leastpriv");
  repositories = await createRepositories(sandbox);
  primary = await sandbox.initPrimary({ name: "use1", settings: { log_connections: "on" } });
  await primary.createDatabase(DATABASE);
  await primary.sql(APPLICATION_SCHEMA + seedSql(50, 2, "seed"), { database: DATABASE });
  east = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, repositories });
  configure = await east.runScript("configure-postgres.sh");
});
afterAll(() => sandbox?.destroy());

describe("the roles", () => {
  it("are logins without superuser, CREATEROLE or CREATEDB; only replicator has REPLICATION", async () => {
    const rows = await primary.sql("SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication FROM pg_roles WHERE rolname IN ('pgbackrest', 'monitor', 'replicator', 'rewinder') ORDER BY 1");
    expect(rows).toEqual([
      ["monitor", "f", "f", "f", "f"],
      ["pgbackrest", "f", "f", "f", "f"],
      ["replicator", "f", "f", "f", "t"],
      ["rewinder", "f", "f", "f", "f"],
    ]);
  });

  it("rewinder (Patroni's pg_rewind user) may read the server's files, as pg_rewind does, and no table", async () => {
    const files = await primary.psql("SELECT count(*) > 0 FROM pg_ls_dir('global'); SELECT (pg_stat_file('global/pg_control')).size > 0; SELECT length(pg_read_binary_file('global/pg_control')) > 0", { user: "rewinder" });
    expect([files.code, files.stdout.trim().split("\n")]).toEqual([0, ["t", "t", "t"]]);
    expect((await primary.psql("SELECT count(*) FROM users", { user: "rewinder", database: DATABASE })).stderr).toContain("permission denied for table users");
  });
});

describe("configure-postgres.sh", () => {
  it("succeeds, with stanza-create and check run by pgBackRest as pgbackrest", () => {
    expect(configure, configure.stdout + configure.stderr).toMatchObject({ code: 0 });
    expect(configure.stdout).toContain("stanza crazy-gary ready and checked: WAL reaches every repository");
  });

  it("reads each role's secret in the host's region and writes the password file (0600, postgres), never printing a password", async () => {
    const secretCalls = (await east.aws.calls()).filter((call) => call[0] === "secretsmanager");
    expect(secretCalls).toEqual(
      [...HOST_DATABASE_ROLES.map((role) => databaseRoleSecretName("prod", role)), "crazy-gary/prod/patroni/rest-api"].map((secret) => [
        "secretsmanager", "get-secret-value", "--region", PRIMARY_REGION, "--secret-id", secret, "--query", "SecretString", "--output", "text",
      ]),
    );
    const file = await stat(east.passwordFile);
    expect(file.mode & 0o777).toBe(0o600);
    expect(file.uid).toBe(Number((await runCommand("id", ["-u", "postgres"])).stdout.trim()));
    const password = (role: (typeof HOST_DATABASE_ROLES)[number]) => testRolePassword(sandbox.root, role);
    expect((await readFile(east.passwordFile, "utf8")).split("\n")).toEqual([
      `*:*:postgres:pgbackrest:${password("pgbackrest")}`,
      `*:*:${DATABASE}:monitor:${password("monitor")}`,
      `*:*:replication:replicator:${password("replicator")}`,
      "",
    ]);
    expect(configure.stdout).toContain(`password file ${east.passwordFile} written from Secrets Manager (roles: pgbackrest, monitor, replicator)`);
    for (const role of HOST_DATABASE_ROLES) expect(configure.stdout + configure.stderr).not.toContain(password(role));
  });

  it("writes Patroni's environment (0600) from the secrets: REST API, replication and rewind credentials, the superuser by peer without a password", async () => {
    const envFile = east.params.paths!.patroniEnvFile!;
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    expect((await readFile(envFile, "utf8")).split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      "PATRONI_RESTAPI_USERNAME=patroni",
      `PATRONI_RESTAPI_PASSWORD=${testRolePassword(sandbox.root, "patroni-rest-api")}`,
      "PATRONI_SUPERUSER_USERNAME=postgres",
      "PATRONI_REPLICATION_USERNAME=replicator",
      `PATRONI_REPLICATION_PASSWORD=${testRolePassword(sandbox.root, "replicator")}`,
      "PATRONI_REWIND_USERNAME=rewinder",
      `PATRONI_REWIND_PASSWORD=${testRolePassword(sandbox.root, "rewinder")}`,
      "",
    ]);
    expect(configure.stdout + configure.stderr).not.toContain(testRolePassword(sandbox.root, "patroni-rest-api"));
  });

  it("adopts the server the documented way: start.conf manual, Patroni enabled and started, PostgreSQL restarted through Patroni for archive_mode=always, the dynamic config PATCHed", async () => {
    expect(await readFile(join(primary.dataDir, "start.conf"), "utf8")).toMatch(/^manual$/m);
    expect(await east.patroniStandIn!.systemctlCalls()).toEqual(["cat patroni.service", "is-active --quiet patroni.service", "daemon-reload", "enable --now patroni.service"]);
    expect(east.patroniStandIn!.calls.map((call) => [call.method, call.path, call.body])).toEqual([
      ["POST", "/restart", "{}"],
      ["PATCH", "/config", JSON.stringify({ ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 335544320, postgresql: { use_pg_rewind: true } })],
    ]);
    expect(await primary.sqlValue("SHOW archive_mode")).toBe("always");
  });

  it("puts the roles block first in pg_hba.conf: each role with its password, only to its database", async () => {
    const hba = (await readFile(join(primary.dataDir, "pg_hba.conf"), "utf8")).split("\n");
    expect(hba.slice(0, 7)).toEqual([
      "# BEGIN crazy-gary roles",
      `# Written by configure-postgres.sh (pulumi up); passwords in ${east.passwordFile} and ${east.params.paths!.patroniEnvFile}.`,
      "local postgres pgbackrest scram-sha-256",
      `local ${DATABASE} monitor scram-sha-256`,
      "host replication replicator all scram-sha-256",
      "host postgres rewinder all scram-sha-256",
      "# END crazy-gary roles",
    ]);
    expect(await primary.sqlValue("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")).toBe("0");
  });

  it("lets replicator in from the stack's replicationClients only, in lines PostgreSQL reads without error (IPv4 and IPv6)", async () => {
    const node = await sandbox.initPrimary({ name: "use1-narrow" });
    await node.createDatabase(DATABASE);
    const host = await DrHost.install(sandbox, {
      name: "host-use1-narrow",
      node,
      hostRegion: PRIMARY_REGION,
     
      repositories: { primary: await sandbox.makeDir("bucket-narrow-use1"), secondary: await sandbox.makeDir("bucket-narrow-usw2") },
      replicationClients: ["10.2.0.0/16", "fd00:2::/64"],
    });
    await host.runScriptChecked("configure-postgres.sh");
    const rules = await node.sql("SELECT array_to_string(database, ','), array_to_string(user_name, ','), address, netmask, coalesce(error, '') FROM pg_hba_file_rules WHERE user_name && ARRAY['replicator', 'rewinder'] ORDER BY line_number");
    expect(rules).toEqual([
      ["replication", "replicator", "10.2.0.0", "255.255.0.0", ""],
      ["postgres", "rewinder", "10.2.0.0", "255.255.0.0", ""],
      ["replication", "replicator", "fd00:2::", "ffff:ffff:ffff:ffff::", ""],
      ["postgres", "rewinder", "fd00:2::", "ffff:ffff:ffff:ffff::", ""],
    ]);
    await node.stop();
  });

  it("is idempotent: a second run reads the secrets again, changes no file, reloads Patroni and restarts nothing", async () => {
    const restartsBefore = east.patroniStandIn!.calls.filter((call) => call.path === "/restart").length;
    const again = await east.runScriptChecked("configure-postgres.sh");
    expect(again.stdout).toContain(`password file ${east.passwordFile} unchanged`);
    expect(again.stdout).toContain(`Patroni's environment ${east.params.paths!.patroniEnvFile} unchanged`);
    expect(again.stdout).toContain("pg_hba.conf roles block unchanged");
    expect((await east.patroniStandIn!.systemctlCalls()).slice(-2)).toEqual(["daemon-reload", "reload patroni.service"]);
    expect(east.patroniStandIn!.calls.filter((call) => call.path === "/restart")).toHaveLength(restartsBefore);
    expect((await readFile(join(primary.dataDir, "pg_hba.conf"), "utf8")).split("\n").filter((line) => line === "# BEGIN crazy-gary roles")).toHaveLength(1);
  });

  it("restarts Patroni in pause mode when what it reads only at start changes: its REST secret (the environment file), then the stack's drop-in of its unit", async () => {
    const restSecret = "crazy-gary/prod/patroni/rest-api";
    const dropIn = join(east.params.paths!.systemdDir!, "patroni.service.d", "crazy-gary.conf");
    const original = { secret: JSON.stringify({ username: "patroni", password: testRolePassword(sandbox.root, "patroni-rest-api") }), dropIn: await readFile(dropIn, "utf8") };
    const restarts = async () => (await east.patroniStandIn!.systemctlCalls()).filter((call) => call === "restart patroni.service").length;
    const pauses = () => east.patroniStandIn!.calls.filter((call) => call.method === "PATCH" && /"pause"/.test(call.body)).map((call) => call.body);
    const before = { restarts: await restarts(), pauses: pauses().length };
    try {
      // A rotated REST password: the running Patroni is paused with the old one, the restarted one
      // resumed with the new one (the stand-in takes the credentials it was last started with).
      await east.aws.storeSecret(restSecret, JSON.stringify({ username: "patroni", password: "PwRotatedRest2" }));
      const rotated = await east.runScriptChecked("configure-postgres.sh");
      expect(rotated.stdout).toContain("restarted patroni.service in pause mode (PostgreSQL kept running) for its new environment");
      // A new drop-in (here one more line) with the secrets unchanged.
      await writeFile(dropIn, `${original.dropIn}# changed by the test\n`);
      const unitChanged = await east.runScriptChecked("configure-postgres.sh");
      expect(unitChanged.stdout).toContain("restarted patroni.service in pause mode (PostgreSQL kept running) for its new unit (patroni.service with its drop-ins)");
      expect(await restarts()).toBe(before.restarts + 2);
      expect(pauses().slice(before.pauses)).toEqual(['{"pause": true}', '{"pause": false}', '{"pause": true}', '{"pause": false}']);
      const unchanged = await east.runScriptChecked("configure-postgres.sh");
      expect(unchanged.stdout).toContain("reloaded patroni.service (patroni.yml reread)");
      expect(await restarts()).toBe(before.restarts + 2);
    } finally {
      await east.aws.storeSecret(restSecret, original.secret);
      await writeFile(dropIn, original.dropIn);
      await east.runScriptChecked("configure-postgres.sh");
    }
  });

  it("stops with the secret's name and the IAM right it needs when a secret cannot be read, changing nothing", async () => {
    const name = databaseRoleSecretName("prod", "monitor");
    const before = await readFile(east.passwordFile, "utf8");
    await east.aws.removeSecret(name);
    try {
      const result = await east.runScript("configure-postgres.sh");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot read secret ${name} in ${PRIMARY_REGION}: the host's instance role needs secretsmanager:GetSecretValue on it`);
      expect(await readFile(east.passwordFile, "utf8")).toBe(before);
    } finally {
      await east.aws.storeSecret(name, JSON.stringify({ username: "monitor", password: testRolePassword(sandbox.root, "monitor") }));
    }
  });
});

describe("pgBackRest as pgbackrest", () => {
  it("backup.sh takes a full backup into both repositories; every pgBackRest session logs in as pgbackrest by password", async () => {
    const from = await logLength();
    await east.aws.clear();
    await east.runScriptChecked("backup.sh", ["full"]);
    const calls = (await east.aws.calls()).map(decodeMetricCall);
    expect(calls.flatMap((call) => call.data.filter((d) => d.MetricName === "BackupSuccess").map((d) => [call.region, d.Value]))).toEqual([
      [PRIMARY_REGION, 1],
      [SECONDARY_REGION, 1],
    ]);
    for (const repo of [1, 2] as const) expect((await east.info(repo)).backup.map((b) => b.type)).toEqual(["full"]);
    const log = await logSince(from);
    expect(usersOf(log, "pgBackRest")).toEqual(new Set(["pgbackrest"]));
    expect(scramUsers(log)).toContain("pgbackrest");
  });

  it("check (WAL switch, restore point, archive-push into both repositories) works as pgbackrest", async () => {
    const from = await logLength();
    await east.pgbackrestChecked(["check"]);
    expect(usersOf(await logSince(from), "pgBackRest")).toEqual(new Set(["pgbackrest"]));
  });

  it("restore-test.sh restores, matches the counts and passes: pgBackRest's check in it as pgbackrest", async () => {
    const from = await logLength();
    const result = await east.runScriptChecked("restore-test.sh");
    expect(result.stdout).toMatch(/restore test passed in \d+s/);
    expect(usersOf(await logSince(from), "pgBackRest")).toEqual(new Set(["pgbackrest"]));
  });

  it("cannot create a role, read a table or write one", async () => {
    expect((await roleSql(primary, east, "pgbackrest", "CREATE ROLE intruder LOGIN", "postgres")).stderr).toContain("permission denied to create role");
    expect((await roleSql(primary, east, "pgbackrest", "CREATE ROLE intruder SUPERUSER", "postgres")).stderr).toContain("must be superuser to create superusers");
    expect((await roleSql(primary, east, "pgbackrest", "ALTER ROLE pgbackrest SUPERUSER", "postgres")).stderr).toContain("must be superuser to alter superuser roles or change superuser attribute");
    const read = await roleSql(primary, east, "pgbackrest", "SELECT count(*) FROM users");
    // The roles block lets pgbackrest into pgBackRest's database only; over trust (the test
    // harness's own fallback line) it gets in, and the table is still refused.
    expect(read.stderr).toContain("permission denied for table users");
    const write = await primary.psql("INSERT INTO users (email) VALUES ('x@example.com')", { user: "pgbackrest", database: DATABASE });
    expect(write.stderr).toContain("permission denied for table users");
  });
});

describe("monitor.sh as monitor", () => {
  it("publishes the leader's metrics; its every query logs in as monitor by password", async () => {
    const from = await logLength();
    await east.aws.clear();
    await east.runScriptChecked("monitor.sh");
    const metrics = (await east.aws.calls()).map(decodeMetricCall).flatMap((call) => call.data.map((d) => d.MetricName));
    expect(metrics).toEqual(expect.arrayContaining(["FullBackupAgeHours", "WalArchiveAgeSeconds", "RestoreTestAgeDays"]));
    const log = await logSince(from);
    expect(usersOf(log, "psql")).toEqual(new Set(["monitor"]));
    expect(scramUsers(log)).toEqual(new Set(["monitor"]));
  });

  it("cannot write: INSERT, UPDATE of the heartbeat and CREATE TABLE fail with permission denied", async () => {
    expect((await roleSql(primary, east, "monitor", "INSERT INTO users (email) VALUES ('x@example.com')")).stderr).toContain("permission denied for table users");
    expect((await roleSql(primary, east, "monitor", "UPDATE crazy_gary_dr.heartbeat SET beat_at = now()")).stderr).toContain("permission denied for table heartbeat");
    expect((await roleSql(primary, east, "monitor", "CREATE TABLE public.mine (id int)")).stderr).toContain("permission denied for schema public");
    expect((await roleSql(primary, east, "monitor", "SELECT count(*) FROM users")).stderr).toContain("permission denied for table users");
  });
});

describe("streaming replication as replicator", () => {
  let standby: PgNode;
  let west: DrHost;

  beforeAll(async () => {
    // The standby as docs/runbooks/recovery.md rebuilds one: pgBackRest restore --type=standby
    // from its region's repository, primary_conninfo naming the replicator role.
    standby = await sandbox.prepareNode("usw2");
    await east.pgbackrestChecked([`--pg1-path=${standby.dataDir}`, "--repo=2", "--type=standby", "--archive-mode=off", "restore"]);
    await standby.configure({ log_connections: "on" });
    await standby.start();
    west = await DrHost.install(sandbox, { name: "host-usw2", node: standby, hostRegion: SECONDARY_REGION, repositories });
    await west.runScriptChecked("configure-postgres.sh");
    // primary_conninfo is reloadable (PostgreSQL 13+); the password comes from the standby host's own password file.
    const conninfo = `host=${LOOPBACK} port=${primary.port} user=replicator passfile=${west.passwordFile} application_name=usw2`;
    await standby.sql(`ALTER SYSTEM SET primary_conninfo = ${sqlLiteral(conninfo)}; SELECT pg_reload_conf()`);
  });

  it("streams from the primary as replicator, authenticated by the password from the standby's password file", async () => {
    await waitFor("usw2 to stream as replicator", 120_000, async () =>
      (await primary.sql("SELECT usename, application_name, state FROM pg_stat_replication")).some(([user, app, state]) => user === "replicator" && app === "usw2" && state === "streaming"),
    );
    await primary.sql("INSERT INTO users (email) VALUES ('streamed@example.com')", { database: DATABASE });
    await standby.waitForReplay(primary);
    expect(await standby.sqlValue("SELECT count(*) FROM users WHERE email = 'streamed@example.com'", { database: DATABASE })).toBe("1");
    expect(scramUsers(await serverLog())).toContain("replicator");
  });

  it("the standby's monitor.sh publishes the replication lag, reading the heartbeat as monitor", async () => {
    await east.runScriptChecked("heartbeat.sh");
    await standby.waitForReplay(primary);
    await west.aws.clear();
    await west.runScriptChecked("monitor.sh");
    const lag = (await west.aws.calls()).map(decodeMetricCall).flatMap((call) => call.data).find((d) => d.MetricName === "ReplicationLagSeconds");
    expect(lag?.Value).toBeGreaterThanOrEqual(0);
    expect(lag?.Value).toBeLessThan(60);
  });

  it("replicator cannot read a table, write one or create a role", async () => {
    // Not over the roles block (replication only); the test harness's fallback trust line lets it in to show its rights.
    const read = await primary.psql("SELECT count(*) FROM users", { user: "replicator", database: DATABASE });
    expect(read.stderr).toContain("permission denied for table users");
    const write = await primary.psql("INSERT INTO users (email) VALUES ('x@example.com')", { user: "replicator", database: DATABASE });
    expect(write.stderr).toContain("permission denied for table users");
    expect((await primary.psql("CREATE ROLE intruder", { user: "replicator" })).stderr).toContain("permission denied to create role");
  });
});
