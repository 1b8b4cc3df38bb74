/**
 * Least privilege, really used (issue #14), on real PostgreSQL 15 and pgBackRest 2.45 with the
 * very files DatabaseHost renders: the roles of domain/databaseRoles.ts with exactly the grants
 * the DatabaseRoles component declares, their passwords in (fake) Secrets Manager,
 * configure-postgres.sh writing the password file and the pg_hba.conf block. Then pgBackRest
 * (stanza-create, check, backup, the restore test) logs in as `pgbackrest`, the monitor as
 * `monitor`, the standby streams as `replicator`, each authenticated by its password
 * (scram-sha-256, seen in the server log); and none can do what it must not.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseRoleSecretName, HOST_DATABASE_ROLES } from "../../domain/databaseRoles";
import { LOOPBACK, PG_BIN, PgSandbox, sqlLiteral, type PgNode } from "../../dev/postgres/cluster";
import { clientSql } from "../../dev/postgres/clients";
import { testRolePassword } from "../../dev/postgres/databaseRoles";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { APPLICATION_SCHEMA, createRepositories, decodeMetricCall, DrHost, PRIMARY_REGION, SECONDARY_REGION, seedSql, waitFor, type Repositories } from "../../dev/postgres/pgbackrest";

const DATABASE = "crazy_gary";

let sandbox: PgSandbox;
let repositories: Repositories;
let primary: PgNode;
let east: DrHost;
let configure: CommandResult;

/**
 * The primary's server log: configure-postgres.sh restarted it (archive_mode) with pg_ctl,
 * which sends the log to the host's state folder from then on.
 */
const serverLog = async () => (await readFile(join(east.stateDir, "postgresql-restart.log"), "utf8").catch(() => ""));
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
  east = await DrHost.install(sandbox, { name: "host-use1", node: primary, hostRegion: PRIMARY_REGION, side: "active", repositories });
  configure = await east.runScript("configure-postgres.sh");
});
afterAll(() => sandbox?.destroy());

describe("the roles", () => {
  it("are logins without superuser, CREATEROLE or CREATEDB; only replicator has REPLICATION", async () => {
    const rows = await primary.sql("SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication FROM pg_roles WHERE rolname IN ('pgbackrest', 'monitor', 'replicator') ORDER BY 1");
    expect(rows).toEqual([
      ["monitor", "f", "f", "f", "f"],
      ["pgbackrest", "f", "f", "f", "f"],
      ["replicator", "f", "f", "f", "t"],
    ]);
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
      HOST_DATABASE_ROLES.map((role) => ["secretsmanager", "get-secret-value", "--region", PRIMARY_REGION, "--secret-id", databaseRoleSecretName("prod", role), "--query", "SecretString", "--output", "text"]),
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

  it("puts the roles block first in pg_hba.conf: each role with its password, only to its database", async () => {
    const hba = (await readFile(join(primary.dataDir, "pg_hba.conf"), "utf8")).split("\n");
    expect(hba.slice(0, 6)).toEqual([
      "# BEGIN crazy-gary roles",
      `# Written by configure-postgres.sh (pulumi up); passwords in ${east.passwordFile}.`,
      "local postgres pgbackrest scram-sha-256",
      `local ${DATABASE} monitor scram-sha-256`,
      "host replication replicator all scram-sha-256",
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
      side: "active",
      repositories: { primary: await sandbox.makeDir("bucket-narrow-use1"), secondary: await sandbox.makeDir("bucket-narrow-usw2") },
      replicationClients: ["10.2.0.0/16", "fd00:2::/64"],
    });
    await host.runScriptChecked("configure-postgres.sh");
    const rules = await node.sql("SELECT array_to_string(database, ','), array_to_string(user_name, ','), address, netmask, coalesce(error, '') FROM pg_hba_file_rules WHERE 'replicator' = ANY(user_name) ORDER BY line_number");
    expect(rules).toEqual([
      ["replication", "replicator", "10.2.0.0", "255.255.0.0", ""],
      ["replication", "replicator", "fd00:2::", "ffff:ffff:ffff:ffff::", ""],
    ]);
    await node.stop();
  });

  it("is idempotent: a second run reads the secrets again and changes neither file", async () => {
    const again = await east.runScriptChecked("configure-postgres.sh");
    expect(again.stdout).toContain(`password file ${east.passwordFile} unchanged`);
    expect(again.stdout).toContain("pg_hba.conf roles block unchanged");
    expect((await readFile(join(primary.dataDir, "pg_hba.conf"), "utf8")).split("\n").filter((line) => line === "# BEGIN crazy-gary roles")).toHaveLength(1);
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
  it("publishes the active side's metrics; its every query logs in as monitor by password", async () => {
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
    west = await DrHost.install(sandbox, { name: "host-usw2", node: standby, hostRegion: SECONDARY_REGION, side: "passive", repositories });
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

describe("with the fence (fence.sh) in place", () => {
  const app = { user: "app", password: "Pw-least-privilege-app" };
  let passive: DrHost;

  beforeAll(async () => {
    await primary.sql(`CREATE ROLE app LOGIN PASSWORD ${sqlLiteral(app.password)}`);
    await east.runScriptChecked("fence.sh", ["--reason", "least privilege test"]);
    // What a flip does to the old primary's host: its files rendered for the passive side.
    passive = await DrHost.install(sandbox, { name: "host-use1-passive", node: primary, hostRegion: PRIMARY_REGION, side: "passive", repositories });
  });

  it("the monitor still logs in and publishes; the application and pgBackRest are refused", async () => {
    await east.aws.clear();
    await east.runScriptChecked("monitor.sh");
    expect((await east.aws.calls()).length).toBeGreaterThan(0);
    expect((await clientSql(primary, app, "SELECT 1", "socket")).stderr).toContain('pg_hba.conf rejects connection for host "[local]", user "app"');
    const check = await east.pgbackrest(["check"]);
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain('pg_hba.conf rejects connection for host "[local]", user "pgbackrest"');
  });

  it("configure-postgres.sh rewrites the roles block below the fence, which stays first", async () => {
    const result = await passive.runScriptChecked("configure-postgres.sh");
    expect(result.stdout).toContain("pg_hba.conf roles block written");
    const hba = (await readFile(join(primary.dataDir, "pg_hba.conf"), "utf8")).split("\n");
    expect(hba[0]).toBe("# BEGIN crazy-gary fence");
    const fenceEnd = hba.indexOf("# END crazy-gary fence");
    expect(hba[fenceEnd + 1]).toBe("# BEGIN crazy-gary roles");
    expect(hba.filter((line) => line === "# BEGIN crazy-gary roles")).toHaveLength(1);
    expect((await clientSql(primary, app, "SELECT 1", "socket")).stderr).toContain("pg_hba.conf rejects connection");
    expect((await passive.runScript("monitor.sh")).code).toBe(0);
  });
});
