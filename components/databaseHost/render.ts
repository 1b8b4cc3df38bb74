/**
 * Renders the files the stack writes to each database host: the pgBackRest configuration,
 * the scripts' settings file, the systemd timers and services, and the scripts themselves.
 * The files live as real templates and scripts in `./files`; these functions are pure
 * (plain values in, strings out; no Pulumi) so the component, the mock-engine tests and the
 * real-PostgreSQL recovery tests all use the very same output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { databaseRoleSecretName, HOST_DATABASE_ROLES, type HostDatabaseRole, PGBACKREST_DATABASE } from "../../domain/databaseRoles";
import { dynamicConfig, type PatroniConfigParams } from "../../domain/patroniConfig";
import { REPOSITORY_WAL_AGE_METRIC } from "../../domain/walArchive";
import { type DatabaseHostFilesParams, FILES_DIR, type HostFile, type HostJob, type HostPaths, PATRONI_UNIT, REPOSITORY_ROLES, type RepositoryLocation, SCRIPT_NAMES, type ScriptName, UNIT_NAMES } from "./hostFiles";
import { patroniYaml, pgbackrestCommands } from "./patroniFile";
import { ETCD_UNIT } from "../etcdMemberFiles";
import { resolveParams } from "./resolveParams";

/** Reads a file under `./files`. */
function readFileText(relative: string): string {
  return readFileSync(join(FILES_DIR, relative), "utf8");
}

/**
 * Replaces every `{{name}}` in `template` with `values[name]`; throws when the template
 * uses a name not given, or a given name is never used (a typo either side).
 */
export function fillTemplate(templateName: string, template: string, values: Readonly<Record<string, string | number>>): string {
  const used = new Set<string>();
  const filled = template.replace(/\{\{([A-Za-z0-9]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`template ${templateName}: placeholder {{${name}}} has no value`);
    used.add(name);
    return String(values[name]);
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`template ${templateName}: values never used: ${unused.join(", ")}`);
  return filled;
}

function renderRepository(repo: RepositoryLocation, index: number, fullRetentionDays: number): string {
  const common = { index, role: REPOSITORY_ROLES[index - 1]!, region: repo.region, fullRetentionDays };
  if (repo.type === "s3") {
    const name = "pgbackrest-repo-s3.conf";
    return fillTemplate(name, readFileText(name), { ...common, bucket: repo.bucket, path: repo.path ?? "/" });
  }
  const name = "pgbackrest-repo-posix.conf";
  return fillTemplate(name, readFileText(name), { ...common, path: repo.path });
}

/**
 * pgBackRest `archive-timeout` of backups, in seconds: how long a backup waits for each WAL
 * segment it needs to reach the repository (pgBackRest's default 60 s,
 * https://pgbackrest.org/configuration.html#section-archive/option-archive-timeout; citations
 * P12a). While one region's repository is down every async archive-push run first spends about
 * 8 x io-timeout on it (domain/walArchive.ts: 44 s measured at 5 s), so a segment can need two
 * runs to reach the surviving repository: more than 60 s. Backups wait up to the RPO
 * (5 x archive_timeout), the same bound configure-postgres.sh gives `check`.
 */
export const backupArchiveTimeoutSeconds = (archiveTimeoutSeconds: number): number => archiveTimeoutSeconds * 5;

/**
 * `/etc/pgbackrest/pgbackrest.conf`. S3 and posix repositories differ only in the repository
 * lines (type, path, and the bucket settings S3 needs); everything else is the same text.
 */
export function renderPgbackrestConf(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  const repositories = p.repositories.map((repo, i) => renderRepository(repo, i + 1, p.fullRetentionDays)).join("\n");
  return fillTemplate("pgbackrest.conf", readFileText("pgbackrest.conf"), {
    stanza: p.stanza,
    environment: p.environment,
    hostRegion: p.hostRegion,
    fullRetentionDays: p.fullRetentionDays,
    repositories,
    spoolPath: p.paths.spoolPath,
    processMax: p.processMax,
    restoreProcessMax: p.restoreProcessMax,
    archivePushIoTimeoutSeconds: p.archivePushIoTimeoutSeconds,
    archivePushQueueMaxMiB: p.archivePushQueueMaxMiB,
    backupArchiveTimeoutSeconds: backupArchiveTimeoutSeconds(p.archiveTimeoutSeconds),
    lockPath: p.paths.lockPath,
    logPath: p.paths.logPath,
    pgDataDir: p.postgres.dataDir,
    pgPort: p.postgres.port,
    pgSocketDir: p.postgres.socketDir,
    pgUser: "pgbackrest" satisfies HostDatabaseRole,
    pgDatabase: PGBACKREST_DATABASE,
  });
}

/** Quotes a value for a file that both bash (`source`) and systemd (`EnvironmentFile`) read. */
export function shellQuote(value: string | number): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** The scripts' settings file (`dr.env`), sourced by `bin/lib.sh`. */
export function renderEnvFile(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  const quoted = (value: string | number) => shellQuote(value);
  return fillTemplate("dr.env", readFileText("dr.env"), {
    environment: quoted(p.environment),
    hostRegion: quoted(p.hostRegion),
    stanza: quoted(p.stanza),
    localRepo: quoted(p.localRepo),
    repos: quoted(p.repositories.map((repo, i) => `${i + 1}=${repo.region}`).join(" ")),
    pgbackrestConfigPath: quoted(p.paths.pgbackrestConfig),
    repoIoTimeoutSeconds: quoted(p.archivePushIoTimeoutSeconds),
    repositoryWalAgeNamespace: quoted(REPOSITORY_WAL_AGE_METRIC.namespace),
    repositoryWalAgeMetric: quoted(REPOSITORY_WAL_AGE_METRIC.name),
    pgbackrestDirs: quoted([p.paths.spoolPath, p.paths.logPath, p.paths.lockPath].join(" ")),
    pgBinDir: quoted(p.postgres.binDir),
    pgDataDir: quoted(p.postgres.dataDir),
    database: quoted(p.postgres.database),
    pgConfigDir: quoted(p.postgres.configDir),
    pgService: quoted(p.postgres.service),
    pgSocketDir: quoted(p.postgres.socketDir),
    pgPort: quoted(p.postgres.port),
    roleSecrets: quoted(HOST_DATABASE_ROLES.map((role) => `${role}=${databaseRoleSecretName(p.environment, role)}`).join(" ")),
    passwordFile: quoted(p.paths.passwordFile),
    pgbackrestDatabase: quoted(PGBACKREST_DATABASE),
    replicationClients: quoted(p.replicationClients.join(" ")),
    archiveTimeoutSeconds: quoted(p.archiveTimeoutSeconds),
    heartbeatTable: quoted(p.heartbeatTable),
    restoreTestDir: quoted(p.paths.restoreTestDir),
    restoreTestPort: quoted(p.restoreTestPort),
    verifyTables: quoted(p.verifyTables.join(" ")),
    stateDir: quoted(p.paths.stateDir),
    patroniScope: quoted(p.patroni.scope),
    patroniUrl: quoted(`https://127.0.0.1:${p.patroni.restApiPort}`),
    patroniCaFile: quoted(tlsFilePaths(p.paths).caFile),
    patroniUnit: quoted(PATRONI_UNIT),
    patroniEnvFile: quoted(p.paths.patroniEnvFile),
    patroniDynamicConfig: quoted(p.paths.patroniDynamicConfig),
    patroniRestSecret: quoted(p.patroni.restApiSecret),
    patroniReplicationRole: quoted("replicator" satisfies HostDatabaseRole),
    patroniRewindRole: quoted("rewinder" satisfies HostDatabaseRole),
  });
}

/** What each timer runs, and whether a run missed while the host was down is made up at boot. */
const JOBS: Readonly<Record<HostJob, { description: string; script: ScriptName; args: string; persistent: boolean; persistentReason: string }>> = {
  fullBackup: { description: "Crazy-Gary full backup into every repository", script: "backup.sh", args: " full", persistent: true, persistentReason: "a backup missed while the host was down runs at boot." },
  incrementalBackup: { description: "Crazy-Gary incremental backup into every repository", script: "backup.sh", args: " incr", persistent: true, persistentReason: "a backup missed while the host was down runs at boot." },
  restoreTest: { description: "Crazy-Gary monthly restore test", script: "restore-test.sh", args: "", persistent: true, persistentReason: "a test missed while the host was down runs at boot." },
  monitor: { description: "Crazy-Gary backup freshness and replication lag metrics", script: "monitor.sh", args: "", persistent: false, persistentReason: "a missed run has nothing to make up; the next one reports." },
  heartbeat: { description: "Crazy-Gary heartbeat row on the primary", script: "heartbeat.sh", args: "", persistent: false, persistentReason: "a missed beat has nothing to make up; the next one writes." },
};

/** The systemd `.service` and `.timer` files, five of each. */
export function renderSystemdUnits(params: DatabaseHostFilesParams): HostFile[] {
  const p = resolveParams(params);
  const service = readFileText("systemd/job.service");
  const timer = readFileText("systemd/job.timer");
  const onCalendar: Record<HostJob, string> = p.schedules;
  return (Object.keys(UNIT_NAMES) as HostJob[]).flatMap((job) => {
    const unit = UNIT_NAMES[job];
    const { description, script, args, persistent, persistentReason } = JOBS[job];
    return [
      {
        path: `${p.paths.systemdDir}/${unit}.service`,
        mode: "0644" as const,
        content: fillTemplate("systemd/job.service", service, {
          unit,
          description,
          envFile: p.paths.envFile,
          execStart: `${p.paths.binDir}/${script}${args}`,
        }),
      },
      {
        path: `${p.paths.systemdDir}/${unit}.timer`,
        mode: "0644" as const,
        content: fillTemplate("systemd/job.timer", timer, {
          unit,
          description,
          onCalendar: onCalendar[job],
          persistent: persistent ? "true" : "false",
          persistentReason,
        }),
      },
    ];
  });
}

/** A script from `files/bin`, verbatim: scripts take their settings from `dr.env`, never from rendering. */
export function readScript(name: ScriptName): string {
  return readFileText(`bin/${name}`);
}

/** `archive_command` as Patroni sets it (for tests and docs). */
export function archiveCommand(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  return pgbackrestCommands(p.paths.pgbackrestConfig, p.stanza, p.localRepo).archiveCommand;
}

/** Where the TLS files live on the host (the REST API's certificate and key, the CA that signed every member's). */
export const tlsFilePaths = (paths: Pick<HostPaths, "tlsDir">) => ({ caFile: `${paths.tlsDir}/ca.pem`, certFile: `${paths.tlsDir}/cert.pem`, keyFile: `${paths.tlsDir}/key.pem` });

/** The host's TLS material as PEM text (COORDINATION.md contract; components/patroniTls.ts makes it). */
export interface HostTlsPems {
  caCertPem: string;
  certPem: string;
  /** The member's private key: a secret. */
  keyPem: string;
}

/** The TLS files: CA and certificate world-readable, the key 0640 root:postgres (Patroni runs as postgres). */
export function renderTlsFiles(paths: Pick<HostPaths, "tlsDir">, pems: HostTlsPems): HostFile[] {
  const files = tlsFilePaths(paths);
  const withNewline = (pem: string) => (pem.endsWith("\n") ? pem : `${pem}\n`);
  return [
    { path: files.caFile, mode: "0644", content: withNewline(pems.caCertPem) },
    { path: files.certFile, mode: "0644", content: withNewline(pems.certPem) },
    { path: files.keyFile, mode: "0640", group: "postgres", content: withNewline(pems.keyPem) },
  ];
}

/** What this member's patroni.yml is rendered from (domain/patroniConfig.ts). */
export function patroniConfigParams(params: DatabaseHostFilesParams): PatroniConfigParams {
  const p = resolveParams(params);
  const commands = pgbackrestCommands(p.paths.pgbackrestConfig, p.stanza, p.localRepo);
  const tls = tlsFilePaths(p.paths);
  return {
    scope: p.patroni.scope,
    member: p.patroni.member,
    etcdHosts: p.patroni.etcdHosts,
    etcdTls: tls,
    timings: p.patroni.timings,
    maximumLagOnFailoverBytes: p.patroni.maximumLagOnFailoverBytes,
    noFailover: p.patroni.noFailover,
    restApi: { port: p.patroni.restApiPort, connectHost: p.patroni.connectHost, certFile: tls.certFile, keyFile: tls.keyFile, caFile: tls.caFile },
    postgres: {
      connectHost: p.patroni.connectHost,
      port: p.postgres.port,
      dataDir: p.postgres.dataDir,
      binDir: p.postgres.binDir,
      configDir: p.postgres.configDir,
      socketDir: p.postgres.socketDir,
      pgpassFile: p.paths.patroniPgpass,
    },
    archiveCommand: commands.archiveCommand,
    restoreCommand: commands.restoreCommand,
    replicaFromBackupCommand: commands.replicaFromBackupCommand,
    archiveTimeoutSeconds: p.archiveTimeoutSeconds,
    pgHba: [],
  };
}

/** This member's patroni.yml (no secret: those come from the EnvironmentFile). */
export const renderPatroniYaml = (params: DatabaseHostFilesParams): string => patroniYaml(patroniConfigParams(params));

/** The dynamic configuration configure-postgres.sh PATCHes to Patroni's `/config`, as JSON. */
export function renderDynamicConfig(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  return `${JSON.stringify(dynamicConfig({ timings: p.patroni.timings, maximumLagOnFailoverBytes: p.patroni.maximumLagOnFailoverBytes }))}\n`;
}

/** The drop-in that adapts Debian's patroni.service (its own unit file stays the package's). */
export function renderPatroniDropIn(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  return fillTemplate("systemd/patroni.conf", readFileText("systemd/patroni.conf"), { unit: PATRONI_UNIT, etcdUnit: ETCD_UNIT, envFile: p.paths.patroniEnvFile });
}

/** Every file for one host, with its path and mode (the TLS files apart: {@link renderTlsFiles}). */
export function renderHostFiles(params: DatabaseHostFilesParams): HostFile[] {
  const p = resolveParams(params);
  return [
    { path: p.paths.pgbackrestConfig, mode: "0640", content: renderPgbackrestConf(params) },
    { path: p.paths.envFile, mode: "0644", content: renderEnvFile(params) },
    { path: p.paths.patroniConfig, mode: "0640", content: renderPatroniYaml(params) },
    { path: p.paths.patroniDynamicConfig, mode: "0644", content: renderDynamicConfig(params) },
    { path: `${p.paths.systemdDir}/${PATRONI_UNIT}.d/crazy-gary.conf`, mode: "0644", content: renderPatroniDropIn(params) },
    ...SCRIPT_NAMES.map((name) => ({ path: `${p.paths.binDir}/${name}`, mode: "0755" as const, content: readScript(name) })),
    ...renderSystemdUnits(params),
  ];
}
