import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dailyAtUtc, everyHoursUtc, everyMinutesUtc, monthlyAtUtc, schedulesFromRunbook } from "../domain/hostSchedules";
import { type DatabaseHostFilesParams, type HostPatroni } from "../components/databaseHost/hostFiles";
import {
  archiveCommand,
  fillTemplate,
  renderDynamicConfig,
  renderEnvFile,
  renderHostFiles,
  renderPatroniDropIn,
  renderPatroniYaml,
  renderPgbackrestConf,
  renderSystemdUnits,
  renderTlsFiles,
} from "../components/databaseHost/render";
import { backups, maxArchiveTimeoutSeconds } from "../domain/runbook";

/** Prod's Patroni member on the primary's host (us-east-1), the leader's region. */
const primaryPatroni: HostPatroni = {
  scope: "crazy-gary-prod",
  member: "us-east-1",
  noFailover: false,
  etcdHosts: ["db-use1.internal:2379", "db-usw2.internal:2379", "etcd-use2.internal:2379"],
  timings: { ttl: 30, loopWait: 10, retryTimeout: 10 },
  restApiPort: 8008,
  maximumLagOnFailoverBytes: 335544320,
  connectHost: "db-use1.internal",
  restApiSecret: "crazy-gary/prod/patroni/rest-api",
};

/** Realistic prod values: the primary host in us-east-1, buckets in both regions. */
const prodPrimary: DatabaseHostFilesParams = {
  environment: "prod",
  hostRegion: "us-east-1",
  patroni: primaryPatroni,
  repositories: [
    { type: "s3", bucket: "crazy-gary-prod-wal-use1", region: "us-east-1" },
    { type: "s3", bucket: "crazy-gary-prod-wal-usw2", region: "us-west-2" },
  ],
  fullRetentionDays: backups.full.retentionDays,
  archiveTimeoutSeconds: maxArchiveTimeoutSeconds,
  archivePushQueueMaxMiB: 2560,
  schedules: schedulesFromRunbook(backups),
};
const prodStandby: DatabaseHostFilesParams = {
  ...prodPrimary,
  hostRegion: "us-west-2",
  patroni: { ...primaryPatroni, member: "us-west-2", noFailover: true, connectHost: "db-usw2.internal" },
};

const lines = (text: string) => text.split("\n");
const settingLines = (text: string) => lines(text).filter((line) => line !== "" && !line.startsWith("#"));

describe("pgbackrest.conf for prod", () => {
  const conf = renderPgbackrestConf(prodPrimary);

  it("declares repo1 as the primary region's bucket and repo2 as the secondary's", () => {
    expect(settingLines(conf)).toEqual(
      expect.arrayContaining([
        "repo1-type=s3",
        "repo1-path=/",
        "repo1-s3-bucket=crazy-gary-prod-wal-use1",
        "repo1-s3-region=us-east-1",
        "repo1-s3-endpoint=s3.us-east-1.amazonaws.com",
        "repo1-s3-key-type=auto",
        "repo2-type=s3",
        "repo2-path=/",
        "repo2-s3-bucket=crazy-gary-prod-wal-usw2",
        "repo2-s3-region=us-west-2",
        "repo2-s3-endpoint=s3.us-west-2.amazonaws.com",
        "repo2-s3-key-type=auto",
      ]),
    );
    expect(settingLines(conf).filter((line) => /^repo\d+-type=/.test(line))).toEqual(["repo1-type=s3", "repo2-type=s3"]);
  });

  it.each([1, 2])("keeps full backups of repo%i 30 days by time, unencrypted by pgBackRest (SSE-KMS)", (repo) => {
    expect(settingLines(conf)).toEqual(
      expect.arrayContaining([
        `repo${repo}-retention-full-type=time`,
        `repo${repo}-retention-full=30`,
        `repo${repo}-cipher-type=none`,
      ]),
    );
  });

  it("leaves WAL retention to the full-backup retention (>= 48 h of WAL) and never sets a count-based one", () => {
    expect(settingLines(conf).filter((line) => line.includes("retention-archive"))).toEqual([]);
    expect(backups.full.retentionDays * 24).toBeGreaterThanOrEqual(backups.transactionLogs.retentionHours);
  });

  it("archives asynchronously, copies each backup's WAL, starts fast and compresses with zstd", () => {
    expect(settingLines(conf)).toEqual(
      expect.arrayContaining([
        "archive-async=y",
        "spool-path=/var/spool/pgbackrest",
        "archive-copy=y",
        "start-fast=y",
        "compress-type=zst",
        "process-max=2",
      ]),
    );
  });

  it("restores with 8 processes (the database is down during a restore) while backups and archiving keep 2", () => {
    const section = lines(conf).slice(lines(conf).indexOf("[global:restore]"), lines(conf).indexOf("[global:backup]"));
    expect(settingLines(section.join("\n"))).toEqual(["[global:restore]", "process-max=8"]);
    const global = lines(conf).slice(lines(conf).indexOf("[global]"), lines(conf).indexOf("[global:restore]"));
    expect(settingLines(global.join("\n"))).toContain("process-max=2");
    expect(settingLines(renderPgbackrestConf({ ...prodPrimary, restoreProcessMax: 4 }))).toContain("process-max=4");
  });

  it("lets backups wait up to the RPO (300 s) for their WAL, and accepts archive_mode=always (Patroni's standby archives too)", () => {
    const backup = lines(conf).slice(lines(conf).indexOf("[global:backup]"), lines(conf).indexOf("[global:archive-push]"));
    expect(settingLines(backup.join("\n"))).toEqual(["[global:backup]", "archive-timeout=300"]);
    const global = lines(conf).slice(lines(conf).indexOf("[global]"), lines(conf).indexOf("[global:restore]"));
    expect(settingLines(global.join("\n"))).toContain("archive-mode-check=n");
  });

  it.each([0, 65, 2.5])("refuses restoreProcessMax %s, naming it and the range", (restoreProcessMax) => {
    expect(() => renderPgbackrestConf({ ...prodPrimary, restoreProcessMax })).toThrow(/restoreProcessMax/);
  });

  it("bounds the WAL queue and shortens archive-push's io-timeout, for archive-push only (a region's S3 down)", () => {
    const section = lines(conf).slice(lines(conf).indexOf("[global:archive-push]"), lines(conf).indexOf("[crazy-gary]"));
    expect(settingLines(section.join("\n"))).toEqual(["[global:archive-push]", "io-timeout=5", "archive-push-queue-max=2560MB"]);
  });

  it("names the stanza and the local PostgreSQL", () => {
    const stanza = lines(conf).slice(lines(conf).indexOf("[crazy-gary]"));
    expect(settingLines(stanza.join("\n"))).toEqual([
      "[crazy-gary]",
      "pg1-path=/var/lib/postgresql/15/main",
      "pg1-port=5432",
      "pg1-socket-path=/var/run/postgresql",
      "pg1-user=pgbackrest",
      "pg1-database=postgres",
    ]);
  });

  it("logs pgBackRest in as the pgbackrest role, never the postgres superuser, with no password in the file", () => {
    expect(settingLines(conf).filter((line) => /^pg\d-user=/.test(line))).toEqual(["pg1-user=pgbackrest"]);
    expect(settingLines(conf).join("\n")).not.toMatch(/password|pass=|pg1-user=postgres/i);
  });

  it("is identical on the standby apart from the header naming the host's region", () => {
    const standby = renderPgbackrestConf(prodStandby);
    expect(settingLines(standby)).toEqual(settingLines(conf));
  });
});

describe("posix repositories (the recovery tests' stand-ins for the buckets)", () => {
  const posix: DatabaseHostFilesParams = {
    ...prodPrimary,
    repositories: [
      { type: "posix", path: "/tmp/repo-use1", region: "us-east-1" },
      { type: "posix", path: "/tmp/repo-usw2", region: "us-west-2" },
    ],
  };

  it("differs from the S3 config only in the repository type, path and bucket lines", () => {
    const onlyIn = (a: string[], b: string[]) => a.filter((line) => !b.includes(line));
    const s3 = settingLines(renderPgbackrestConf(prodPrimary));
    const local = settingLines(renderPgbackrestConf(posix));
    expect(onlyIn(local, s3)).toEqual(["repo1-type=posix", "repo1-path=/tmp/repo-use1", "repo2-type=posix", "repo2-path=/tmp/repo-usw2"]);
    expect(onlyIn(s3, local).every((line) => /^repo\d-(type|path|s3-[a-z-]+)=/.test(line))).toBe(true);
  });
});

describe("timers", () => {
  const units = renderSystemdUnits(prodPrimary);
  const unit = (name: string) => units.find((file) => file.path === `/etc/systemd/system/${name}`)!.content;
  const timerSettings = (name: string) => settingLines(unit(name)).filter((line) => /^(OnCalendar|Persistent|Unit)=/.test(line));

  it.each([
    ["crazy-gary-backup-full.timer", "*-*-* 02:00:00 UTC", "true", "crazy-gary-backup-full.service"],
    ["crazy-gary-backup-incr.timer", "*-*-* 00/6:00:00 UTC", "true", "crazy-gary-backup-incr.service"],
    ["crazy-gary-restore-test.timer", "*-*-01 04:00:00 UTC", "true", "crazy-gary-restore-test.service"],
    ["crazy-gary-monitor.timer", "*-*-* *:00/5:00 UTC", "false", "crazy-gary-monitor.service"],
    ["crazy-gary-heartbeat.timer", "*-*-* *:*:00 UTC", "false", "crazy-gary-heartbeat.service"],
  ])("%s fires at %s (Persistent=%s)", (name, onCalendar, persistent, service) => {
    expect(timerSettings(name)).toEqual([`OnCalendar=${onCalendar}`, `Persistent=${persistent}`, `Unit=${service}`]);
  });

  it.each([
    ["crazy-gary-backup-full.service", "/opt/crazy-gary/dr/bin/backup.sh full"],
    ["crazy-gary-backup-incr.service", "/opt/crazy-gary/dr/bin/backup.sh incr"],
    ["crazy-gary-restore-test.service", "/opt/crazy-gary/dr/bin/restore-test.sh"],
    ["crazy-gary-monitor.service", "/opt/crazy-gary/dr/bin/monitor.sh"],
    ["crazy-gary-heartbeat.service", "/opt/crazy-gary/dr/bin/heartbeat.sh"],
  ])("%s runs %s as postgres with the rendered settings", (name, execStart) => {
    expect(settingLines(unit(name))).toEqual(
      expect.arrayContaining(["Type=oneshot", "User=postgres", "Environment=CRAZY_GARY_DR_ENV=/etc/crazy-gary/dr.env", `ExecStart=${execStart}`]),
    );
  });

  it("keeps the incremental runs at least two hours away from the 02:00 full backup", () => {
    const incrementalHours = Array.from({ length: 24 / backups.incremental.intervalHours }, (_, i) => i * backups.incremental.intervalHours);
    const fullHour = Number(backups.full.timeUtc.slice(0, 2));
    const gaps = incrementalHours.map((hour) => Math.min(Math.abs(hour - fullHour), 24 - Math.abs(hour - fullHour)));
    expect(Math.min(...gaps)).toBe(2);
  });
});

describe("dr.env", () => {
  it("carries archive_timeout 60 s, the host's region and the repositories' regions", () => {
    expect(settingLines(renderEnvFile(prodPrimary))).toEqual(
      expect.arrayContaining([
        "DR_ARCHIVE_TIMEOUT_SECONDS='60'",
        "DR_ENVIRONMENT='prod'",
        "DR_REGION='us-east-1'",
        "DR_STANZA='crazy-gary'",
        "DR_LOCAL_REPO='1'",
        "DR_REPOS='1=us-east-1 2=us-west-2'",
        "DR_VERIFY_TABLES='users tasks'",
        "DR_PGBACKREST_DIRS='/var/spool/pgbackrest /var/log/pgbackrest /tmp/pgbackrest'",
        "DR_REPO_IO_TIMEOUT_SECONDS='5'",
        "DR_REPOSITORY_WAL_AGE_NAMESPACE='CrazyGary/Backup'",
        "DR_REPOSITORY_WAL_AGE_METRIC='RepositoryWalAgeSeconds'",
      ]),
    );
  });

  it("asks Patroni on 127.0.0.1 whether the host leads, verified with the cluster's CA, and names Patroni's unit, environment and secrets", () => {
    expect(settingLines(renderEnvFile(prodPrimary))).toEqual(
      expect.arrayContaining([
        "DR_PATRONI_URL='https://127.0.0.1:8008'",
        "DR_PATRONI_CA='/etc/patroni/tls/ca.pem'",
        "DR_PATRONI_UNIT='patroni.service'",
        "DR_PATRONI_ENV_FILE='/etc/patroni_env.conf'",
        "DR_PATRONI_DYNAMIC_CONFIG='/etc/patroni/dynamic.json'",
        "DR_PATRONI_REST_SECRET='crazy-gary/prod/patroni/rest-api'",
        "DR_PATRONI_REPLICATION_ROLE='replicator'",
        "DR_PATRONI_REWIND_ROLE='rewinder'",
        "DR_PG_CONFIG_DIR='/etc/postgresql/15/main'",
        "DR_PG_SERVICE='postgresql@15-main'",
      ]),
    );
    expect(settingLines(renderEnvFile({ ...prodPrimary, patroni: { ...primaryPatroni, restApiPort: 8443 } }))).toContain("DR_PATRONI_URL='https://127.0.0.1:8443'");
    expect(renderEnvFile(prodPrimary)).not.toMatch(/DR_SIDE|LEASE|FENCE|ACTIVE_REGION/);
  });

  it("names each host role's secret (read in the host's region), the password file, and where the standby may stream from", () => {
    expect(settingLines(renderEnvFile(prodPrimary))).toEqual(
      expect.arrayContaining([
        "DR_ROLE_SECRETS='pgbackrest=crazy-gary/prod/postgres/pgbackrest monitor=crazy-gary/prod/postgres/monitor replicator=crazy-gary/prod/postgres/replicator rewinder=crazy-gary/prod/postgres/rewinder'",
        "DR_PGPASSFILE='/var/lib/postgresql/.pgpass'",
        "DR_PGBACKREST_DATABASE='postgres'",
        "DR_REPLICATION_CLIENTS='all'",
      ]),
    );
    expect(settingLines(renderEnvFile({ ...prodStandby, replicationClients: ["10.1.0.0/16", "10.2.0.0/16"] }))).toContain("DR_REPLICATION_CLIENTS='10.1.0.0/16 10.2.0.0/16'");
  });

  it("points the standby at the bucket in its own region", () => {
    expect(settingLines(renderEnvFile(prodStandby))).toEqual(
      expect.arrayContaining(["DR_REGION='us-west-2'", "DR_LOCAL_REPO='2'"]),
    );
  });

  it("sets archive_command to pgBackRest archive-push with the rendered config", () => {
    expect(archiveCommand(prodPrimary)).toBe("pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary archive-push %p");
  });
});

describe("the roles' logins on the host (configure-postgres.sh)", () => {
  const script = (name: string) => renderHostFiles(prodPrimary).find((file) => file.path.endsWith(`/bin/${name}`))!.content;

  it("writes pg_hba.conf lines asking pgbackrest, monitor, replicator and rewinder for their passwords (scram-sha-256), each to its database only", () => {
    const configure = script("configure-postgres.sh");
    expect(configure).toContain('"local $DR_PGBACKREST_DATABASE pgbackrest scram-sha-256"');
    expect(configure).toContain('"local $DR_DATABASE monitor scram-sha-256"');
    expect(configure).toContain("printf 'host replication %s %s scram-sha-256\\n' \"$DR_PATRONI_REPLICATION_ROLE\" \"$address\"");
    expect(configure).toContain("printf 'host postgres %s %s scram-sha-256\\n' \"$DR_PATRONI_REWIND_ROLE\" \"$address\"");
  });

  it("reads the passwords from Secrets Manager in the host's region into the password file, never onto a command line", () => {
    const configure = script("configure-postgres.sh");
    expect(configure).toContain('aws_cli secretsmanager get-secret-value --region "$DR_REGION" --secret-id "$1"');
    expect(configure).toContain(`printf '%s' "$content" | run_as sh -c 'umask 077 && cat >"$1"' sh "$tmp"`);
  });

  it("hands Patroni its secrets as PATRONI_* variables (Patroni's ENVIRONMENT names), and the superuser no password", () => {
    const configure = script("configure-postgres.sh");
    const variables = [...configure.matchAll(/^(PATRONI_[A-Z_]+)=/gm)].map((m) => m[1]);
    expect(variables).toEqual([
      "PATRONI_RESTAPI_USERNAME",
      "PATRONI_RESTAPI_PASSWORD",
      "PATRONI_SUPERUSER_USERNAME",
      "PATRONI_REPLICATION_USERNAME",
      "PATRONI_REPLICATION_PASSWORD",
      "PATRONI_REWIND_USERNAME",
      "PATRONI_REWIND_PASSWORD",
    ]);
    expect(configure).toMatch(/^PATRONI_SUPERUSER_USERNAME=postgres$/m);
    expect(configure).toContain('install_secret_file "$DR_PATRONI_ENV_FILE" root');
  });

  it("has monitor.sh and backup.sh query as the monitor role", () => {
    for (const name of ["monitor.sh", "backup.sh"]) expect(script(name)).toMatch(/^DR_PSQL_ROLE=monitor$/m);
  });
});

describe("renderHostFiles", () => {
  it("writes the pgBackRest config, the settings, patroni.yml, its dynamic config and unit drop-in, six scripts and ten units, each once", () => {
    const files = renderHostFiles(prodPrimary);
    expect(files.slice(0, 5).map((file) => [file.path, file.mode])).toEqual([
      ["/etc/pgbackrest/pgbackrest.conf", "0640"],
      ["/etc/crazy-gary/dr.env", "0644"],
      ["/etc/patroni/config.yml", "0640"],
      ["/etc/patroni/dynamic.json", "0644"],
      ["/etc/systemd/system/patroni.service.d/crazy-gary.conf", "0644"],
    ]);
    expect(files).toHaveLength(5 + 6 + 10);
    expect(new Set(files.map((file) => file.path)).size).toBe(files.length);
    expect(files.filter((file) => file.mode === "0755").map((file) => file.path)).toEqual([
      "/opt/crazy-gary/dr/bin/lib.sh",
      "/opt/crazy-gary/dr/bin/backup.sh",
      "/opt/crazy-gary/dr/bin/restore-test.sh",
      "/opt/crazy-gary/dr/bin/monitor.sh",
      "/opt/crazy-gary/dr/bin/heartbeat.sh",
      "/opt/crazy-gary/dr/bin/configure-postgres.sh",
    ]);
    expect(files.every((file) => !/\{\{/.test(file.content))).toBe(true);
  });
});

describe("schedule helpers", () => {
  it.each([
    [() => dailyAtUtc("02:00"), "*-*-* 02:00:00 UTC"],
    [() => everyHoursUtc(6), "*-*-* 00/6:00:00 UTC"],
    [() => monthlyAtUtc(1, "04:00"), "*-*-01 04:00:00 UTC"],
    [() => everyMinutesUtc(5), "*-*-* *:00/5:00 UTC"],
    [() => everyMinutesUtc(1), "*-*-* *:*:00 UTC"],
  ])("%s gives %s", (make, expected) => {
    expect(make()).toBe(expected);
  });

  it.each([
    [() => dailyAtUtc("2:00"), 'timeUtc is "2:00"; use HH:MM'],
    [() => everyHoursUtc(5), "intervalHours is 5; use a whole divisor of 24"],
    [() => monthlyAtUtc(31, "04:00"), "dayOfMonth is 31; use 1 to 28"],
    [() => everyMinutesUtc(7), "interval is 7 minutes; use a whole divisor of 60"],
  ])("rejects bad input: %s", (make, message) => {
    expect(make).toThrow(message);
  });
});

describe("bad params name the key, the value and what is allowed", () => {
  it.each<[string, Partial<DatabaseHostFilesParams>, string]>([
    ["stanza", { stanza: "crazy gary" }, 'stanza is "crazy gary"; use 1-64 letters, digits, - or _'],
    ["archiveTimeoutSeconds", { archiveTimeoutSeconds: 0 }, "archiveTimeoutSeconds is 0; use a whole number from 1 to 3600"],
    ["archivePushQueueMaxMiB", { archivePushQueueMaxMiB: 8 }, "archivePushQueueMaxMiB is 8; use a whole number from 16 to 1048576"],
    ["archivePushIoTimeoutSeconds", { archivePushIoTimeoutSeconds: 0 }, "archivePushIoTimeoutSeconds is 0; use a whole number from 1 to 3600"],
    ["fullRetentionDays", { fullRetentionDays: 1.5 }, "fullRetentionDays is 1.5; use a whole number"],
    ["patroni.etcdHosts", { patroni: { ...primaryPatroni, etcdHosts: ["a:2379", "b:2379"] } }, 'patroni.etcdHosts is ["a:2379","b:2379"]; list the three etcd members\' client endpoints'],
    ["patroni.etcdHosts port", { patroni: { ...primaryPatroni, etcdHosts: ["a:2379", "b:2379", "c"] } }, 'patroni.etcdHosts[2] is "c"; use host:port'],
    ["patroni.timings", { patroni: { ...primaryPatroni, timings: { ttl: 20, loopWait: 10, retryTimeout: 10 } } }, "patroni.timings is"],
    ["patroni.restApiPort", { patroni: { ...primaryPatroni, restApiPort: 5432 } }, "patroni.restApiPort is 5432; use a port other than postgres.port (5432)"],
    ["patroni.member", { patroni: { ...primaryPatroni, member: "east" } }, 'patroni.member is "east"; use the host\'s AWS region code'],
    ["patroni.connectHost", { patroni: { ...primaryPatroni, connectHost: "db use1" } }, 'patroni.connectHost is "db use1"'],
    ["hostRegion", { hostRegion: "eu-west-1" }, 'hostRegion is "eu-west-1"; exactly one repository must be in the host\'s region'],
    ["bucket", { repositories: [{ type: "s3", bucket: "Bad_Bucket", region: "us-east-1" }] }, 'repositories[0].bucket is "Bad_Bucket"'],
    ["schedule", { schedules: { ...prodPrimary.schedules, fullBackup: "*-*-* 02:00:00" } }, 'schedules.fullBackup is "*-*-* 02:00:00"; use a systemd OnCalendar expression ending in " UTC"'],
    ["verifyTables", { verifyTables: ["users; drop table x"] }, 'verifyTables[0] is "users; drop table x"'],
    ["restoreTestPort", { restoreTestPort: 5432 }, "restoreTestPort is 5432; use a port other than postgres.port (5432)"],
    ["paths", { paths: { envFile: "relative/dr.env" } }, 'paths.envFile is "relative/dr.env"; use an absolute path'],
    ["replicationClients", { replicationClients: ["10.0.0.1"] }, 'replicationClients[0] is "10.0.0.1"; use a CIDR or "all", e.g. 10.1.0.0/16'],
    ["replicationClients empty", { replicationClients: [] }, 'replicationClients is []; give at least one address, or ["all"]'],
  ])("%s", (_, change, message) => {
    expect(() => renderPgbackrestConf({ ...prodPrimary, ...change })).toThrow(message);
  });

  it("refuses a template placeholder without a value and a value without a placeholder", () => {
    expect(() => fillTemplate("t", "a={{a}} b={{b}}", { a: 1 })).toThrow("template t: placeholder {{b}} has no value");
    expect(() => fillTemplate("t", "a={{a}}", { a: 1, c: 2 })).toThrow("template t: values never used: c");
  });
});

describe("Patroni on the host (patroni.yml, its dynamic configuration, the unit drop-in, TLS files)", () => {
  const config = (params: DatabaseHostFilesParams) => parse(renderPatroniYaml(params)) as Record<string, any>;

  it.each([
    ["us-east-1", prodPrimary, false, "db-use1.internal"],
    ["us-west-2", prodStandby, true, "db-usw2.internal"],
  ] as const)("names member %s of cluster crazy-gary-prod, nofailover %s, reached at %s", (member, params, noFailover, host) => {
    const yml = config(params);
    expect([yml.scope, yml.name, yml.namespace]).toEqual(["crazy-gary-prod", member, "/crazy-gary/"]);
    expect(yml.tags.nofailover).toBe(noFailover);
    expect(yml.restapi).toEqual({
      listen: "0.0.0.0:8008",
      connect_address: `${host}:8008`,
      certfile: "/etc/patroni/tls/cert.pem",
      keyfile: "/etc/patroni/tls/key.pem",
      cafile: "/etc/patroni/tls/ca.pem",
    });
    expect(yml.postgresql.connect_address).toBe(`${host}:5432`);
  });

  it("talks to all three etcd members over TLS with the member's certificate", () => {
    expect(config(prodPrimary).etcd3).toEqual({
      hosts: ["db-use1.internal:2379", "db-usw2.internal:2379", "etcd-use2.internal:2379"],
      protocol: "https",
      cacert: "/etc/patroni/tls/ca.pem",
      cert: "/etc/patroni/tls/cert.pem",
      key: "/etc/patroni/tls/key.pem",
    });
  });

  it("manages Debian's cluster in place: data in /var/lib, configuration in /etc/postgresql, local connections over the socket, pg_hba.conf left alone", () => {
    const pg = config(prodPrimary).postgresql;
    expect([pg.listen, pg.data_dir, pg.config_dir, pg.bin_dir, pg.pgpass, pg.use_unix_socket]).toEqual([
      "*:5432",
      "/var/lib/postgresql/15/main",
      "/etc/postgresql/15/main",
      "/usr/lib/postgresql/15/bin",
      "/var/lib/postgresql/patroni.pgpass",
      true,
    ]);
    expect(pg.pg_hba).toBeUndefined();
    expect(pg.authentication).toBeUndefined();
  });

  it("archives through pgBackRest from every member (archive_mode always), restores and builds replicas from it first", () => {
    const pg = config(prodPrimary).postgresql;
    expect(pg.parameters).toEqual({
      archive_mode: "always",
      archive_command: "pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary archive-push %p",
      archive_timeout: 60,
      unix_socket_directories: "/var/run/postgresql",
    });
    expect(pg.recovery_conf.restore_command).toBe('pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary --repo=1 --no-archive-async archive-get %f "%p"');
    expect(config(prodStandby).postgresql.recovery_conf.restore_command).toContain(" --repo=2 --no-archive-async archive-get ");
    expect(pg.create_replica_methods).toEqual(["pgbackrest", "basebackup"]);
    expect(pg.pgbackrest).toEqual({ command: "pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary --delta restore", keep_data: true, no_params: true });
  });

  it("holds no secret: the REST API, replication and rewind credentials come from the environment file", () => {
    expect(renderPatroniYaml(prodPrimary)).not.toMatch(/password|username|authentication/i);
  });

  it("bootstraps and PATCHes the same dynamic configuration: ttl, loop_wait, retry_timeout, maximum_lag_on_failover from stack config", () => {
    const dynamic = { ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 335544320, postgresql: { use_pg_rewind: true } };
    expect(JSON.parse(renderDynamicConfig(prodPrimary))).toEqual(dynamic);
    expect(config(prodPrimary).bootstrap.dcs).toEqual(dynamic);
    expect(JSON.parse(renderDynamicConfig({ ...prodPrimary, patroni: { ...primaryPatroni, timings: { ttl: 45, loopWait: 5, retryTimeout: 20 } } }))).toMatchObject({ ttl: 45, loop_wait: 5, retry_timeout: 20 });
  });

  it("adapts Debian's patroni.service with a drop-in: after etcd, its environment file required, five minutes to stop", () => {
    expect(settingLines(renderPatroniDropIn(prodPrimary))).toEqual([
      "[Unit]",
      "After=network-online.target etcd.service",
      "Wants=network-online.target",
      "[Service]",
      "EnvironmentFile=",
      "EnvironmentFile=/etc/patroni_env.conf",
      "TimeoutStopSec=300",
    ]);
  });

  it("writes the CA and the certificate readable by all, the key readable by postgres only", () => {
    const pem = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----`;
    expect(renderTlsFiles({ tlsDir: "/etc/patroni/tls" }, { caCertPem: pem("CERTIFICATE"), certPem: `${pem("CERTIFICATE")}\n`, keyPem: pem("PRIVATE KEY") })).toEqual([
      { path: "/etc/patroni/tls/ca.pem", mode: "0644", content: `${pem("CERTIFICATE")}\n` },
      { path: "/etc/patroni/tls/cert.pem", mode: "0644", content: `${pem("CERTIFICATE")}\n` },
      { path: "/etc/patroni/tls/key.pem", mode: "0640", group: "postgres", content: `${pem("PRIVATE KEY")}\n` },
    ]);
  });
});
