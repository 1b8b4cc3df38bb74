/**
 * Renders the files the stack writes to each database host: the pgBackRest configuration,
 * the scripts' settings file, the systemd timers and services, and the scripts themselves.
 * The files live as real templates and scripts in `./files`; these functions are pure
 * (plain values in, strings out; no Pulumi) so the component, the mock-engine tests and the
 * real-PostgreSQL recovery tests all use the very same output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { activeRegionParameterName } from "../../domain/activeRegionParameter";
import type { HostSchedules } from "../../domain/hostSchedules";
import { defaultLeaseTimings, everySecondsUtc, validateLeaseTimings, type LeaseTimings } from "../../domain/lease";
import { ARCHIVE_PUSH_IO_TIMEOUT_SECONDS, REPOSITORY_WAL_AGE_METRIC } from "../../domain/walArchive";

/** Folder of the templates and scripts rendered here. */
export const FILES_DIR = join(__dirname, "files");

/** Where a pgBackRest repository lives: an S3 bucket (production) or a local folder (tests). */
export type RepositoryLocation =
  | {
      type: "s3";
      /** Bucket name. */
      bucket: string;
      /** The bucket's region; also the region of the metrics about this repository. */
      region: string;
      /**
       * Path of the repository inside the bucket. "/" puts pgBackRest's `archive/` and
       * `backup/` prefixes at the bucket root, where the lifecycle rules expect them.
       * @default "/"
       */
      path?: string;
    }
  | {
      type: "posix";
      /** Absolute path of the folder standing in for the bucket. */
      path: string;
      /** The region the folder stands in for. */
      region: string;
    };

/** Role of a repository in the stack, by position: repo1 is the primary region's bucket. */
const REPOSITORY_ROLES = ["primary", "secondary"] as const;

/** Where the rendered files and the scripts' working folders live on the host. */
export interface HostPaths {
  /** pgBackRest configuration file. @default "/etc/pgbackrest/pgbackrest.conf" */
  pgbackrestConfig: string;
  /** Settings file sourced by the scripts. @default "/etc/crazy-gary/dr.env" */
  envFile: string;
  /** Folder of the scripts. @default "/opt/crazy-gary/dr/bin" */
  binDir: string;
  /** Folder of the systemd units. @default "/etc/systemd/system" */
  systemdDir: string;
  /** The scripts' state (last restore test, install time, backup lock). @default "/var/lib/crazy-gary-dr" */
  stateDir: string;
  /** pgBackRest's asynchronous archiving spool. @default "/var/spool/pgbackrest" */
  spoolPath: string;
  /** pgBackRest's log folder. @default "/var/log/pgbackrest" */
  logPath: string;
  /** pgBackRest's lock folder. @default "/tmp/pgbackrest" */
  lockPath: string;
  /** Scratch folder of the monthly restore test (deleted after each run). @default "/var/lib/postgresql/restore-test" */
  restoreTestDir: string;
}

/** Default host paths (Debian layout). */
export const defaultHostPaths: Readonly<HostPaths> = Object.freeze({
  pgbackrestConfig: "/etc/pgbackrest/pgbackrest.conf",
  envFile: "/etc/crazy-gary/dr.env",
  binDir: "/opt/crazy-gary/dr/bin",
  systemdDir: "/etc/systemd/system",
  stateDir: "/var/lib/crazy-gary-dr",
  spoolPath: "/var/spool/pgbackrest",
  logPath: "/var/log/pgbackrest",
  lockPath: "/tmp/pgbackrest",
  restoreTestDir: "/var/lib/postgresql/restore-test",
});

/** The PostgreSQL server on the host. */
export interface HostPostgres {
  /** Data directory (PGDATA). @default "/var/lib/postgresql/15/main" */
  dataDir?: string;
  /** Port. @default 5432 */
  port?: number;
  /** Unix socket folder. @default "/var/run/postgresql" */
  socketDir?: string;
  /** Folder of the server binaries. @default "/usr/lib/postgresql/15/bin" */
  binDir?: string;
  /** The application's database (heartbeat table, restore-test counts). @default "crazy_gary" */
  database?: string;
  /**
   * systemd unit restarted when `archive_mode` changes; empty restarts with `pg_ctl`.
   * @default "postgresql@15-main"
   */
  service?: string;
}

/** Everything that differs between hosts, stacks and tests. */
export interface DatabaseHostFilesParams {
  /** pgBackRest stanza name. @default "crazy-gary" */
  stanza?: string;
  /** Stack name, the CloudWatch `Environment` dimension. @example "prod" */
  environment: string;
  /** This host's region, the CloudWatch `Region` dimension. @example "us-east-1" */
  hostRegion: string;
  /** "active": the primary of the active region (backups, restore test, heartbeat run); "passive": the standby. */
  side: "active" | "passive";
  /**
   * The repositories, primary region's first (repo1), secondary region's second (repo2).
   * Exactly one must be in `hostRegion`: the host's monitor and restore test use it.
   */
  repositories: readonly RepositoryLocation[];
  /** Full backups are kept this long, in days (runbook: 30). */
  fullRetentionDays: number;
  /** `archive_timeout`: WAL is switched and archived at least this often, in seconds (runbook: RPO / 5 = 60). */
  archiveTimeoutSeconds: number;
  /** pgBackRest parallel processes for backup, restore and async archiving. @default 2 */
  processMax?: number;
  /**
   * pgBackRest `archive-push-queue-max`, in MiB: WAL queued in `pg_wal` beyond this while a
   * repository is unreachable is dropped (from every repository) so the disk never fills.
   * @default none; the stack passes `archivePushQueueMaxMiB(...)` from domain/walArchive.ts
   */
  archivePushQueueMaxMiB: number;
  /**
   * pgBackRest `io-timeout` of archive-push and of the scripts' repository probes, in seconds.
   * @default 5 (`ARCHIVE_PUSH_IO_TIMEOUT_SECONDS` in domain/walArchive.ts)
   */
  archivePushIoTimeoutSeconds?: number;
  /** Timer schedules (see {@link schedulesFromRunbook}). */
  schedules: HostSchedules;
  /** The PostgreSQL server. @default see {@link HostPostgres} */
  postgres?: HostPostgres;
  /** Port of the restore test's scratch server (Unix socket only). @default 5499 */
  restoreTestPort?: number;
  /** Tables whose row counts the restore test compares with the source. @default ["users", "tasks"] */
  verifyTables?: readonly string[];
  /** Schema-qualified heartbeat table. @default "crazy_gary_dr.heartbeat" */
  heartbeatTable?: string;
  /** Host paths. @default {@link defaultHostPaths} */
  paths?: Partial<HostPaths>;
  /**
   * Name of the active-region SSM parameter that lease.sh reads in `hostRegion`.
   * @default `/crazy-gary/<environment>/active-region` (components/activeRegionParameter.ts)
   */
  activeRegionParameter?: string;
  /**
   * The primary's lease on that parameter and the fence's bound, in seconds (lease.sh, fence.sh).
   * @default {@link defaultLeaseTimings}: lease 60, check every 10, fence within 10
   */
  lease?: LeaseTimings;
}

/** A file to write on the host. */
export interface HostFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  /** Octal permission bits. */
  mode: "0644" | "0640" | "0755";
}

/** The host's timer jobs: one per schedule, and the lease (its period comes from {@link LeaseTimings}). */
export type HostJob = keyof HostSchedules | "lease";

/** Names of the systemd units (each a `.service` started by a `.timer`). */
export const UNIT_NAMES = Object.freeze({
  fullBackup: "crazy-gary-backup-full",
  incrementalBackup: "crazy-gary-backup-incr",
  restoreTest: "crazy-gary-restore-test",
  monitor: "crazy-gary-monitor",
  heartbeat: "crazy-gary-heartbeat",
  lease: "crazy-gary-lease",
} as const satisfies Record<HostJob, string>);

/** The scripts installed in {@link HostPaths.binDir}. */
export const SCRIPT_NAMES = Object.freeze([
  "lib.sh",
  "backup.sh",
  "restore-test.sh",
  "monitor.sh",
  "heartbeat.sh",
  "configure-postgres.sh",
  "fence.sh",
  "lease.sh",
] as const);
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Params with every default applied, validated. */
interface ResolvedParams {
  stanza: string;
  environment: string;
  hostRegion: string;
  side: "active" | "passive";
  repositories: readonly RepositoryLocation[];
  localRepo: number;
  fullRetentionDays: number;
  archiveTimeoutSeconds: number;
  processMax: number;
  archivePushQueueMaxMiB: number;
  archivePushIoTimeoutSeconds: number;
  schedules: HostSchedules;
  postgres: Required<HostPostgres>;
  restoreTestPort: number;
  verifyTables: readonly string[];
  heartbeatTable: string;
  paths: HostPaths;
  activeRegionParameter: string;
  lease: LeaseTimings;
}

const STANZA = /^[A-Za-z0-9_-]{1,64}$/;
const ENVIRONMENT = /^[a-z0-9][a-z0-9-]{0,31}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const QUALIFIED_TABLE = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;
const SCHEMA_TABLE = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
const SERVICE = /^[A-Za-z0-9@._-]*$/;
const SSM_PARAMETER = /^(\/[A-Za-z0-9_.-]+)+$/;
const ON_CALENDAR_UTC = /^[0-9*/,.:~ -]+ UTC$/;

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`databaseHost files: ${key} is ${JSON.stringify(value)}; ${allowed}`);
}

function requireMatch(key: string, value: string, pattern: RegExp, allowed: string): string {
  if (typeof value !== "string" || !pattern.test(value)) fail(key, value, allowed);
  return value;
}

function requireInteger(key: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(key, value, `use a whole number from ${min} to ${max}`);
  return value;
}

/**
 * Applies the defaults once and checks every value that reaches a file; throws an error
 * naming the key, the value and what is allowed.
 */
export function resolveParams(params: DatabaseHostFilesParams): ResolvedParams {
  const absolute = "use an absolute path of letters, digits and . _ / @ + -";
  const paths: HostPaths = { ...defaultHostPaths, ...params.paths };
  for (const [key, value] of Object.entries(paths)) requireMatch(`paths.${key}`, value, ABSOLUTE_PATH, absolute);

  const postgres: Required<HostPostgres> = {
    dataDir: params.postgres?.dataDir ?? "/var/lib/postgresql/15/main",
    port: params.postgres?.port ?? 5432,
    socketDir: params.postgres?.socketDir ?? "/var/run/postgresql",
    binDir: params.postgres?.binDir ?? "/usr/lib/postgresql/15/bin",
    database: params.postgres?.database ?? "crazy_gary",
    service: params.postgres?.service ?? "postgresql@15-main",
  };
  requireMatch("postgres.dataDir", postgres.dataDir, ABSOLUTE_PATH, absolute);
  requireMatch("postgres.socketDir", postgres.socketDir, ABSOLUTE_PATH, absolute);
  requireMatch("postgres.binDir", postgres.binDir, ABSOLUTE_PATH, absolute);
  requireInteger("postgres.port", postgres.port, 1, 65535);
  requireMatch("postgres.database", postgres.database, IDENTIFIER, "use a lower-case SQL identifier");
  requireMatch("postgres.service", postgres.service, SERVICE, "use a systemd unit name, or empty for pg_ctl");

  const hostRegion = requireMatch("hostRegion", params.hostRegion, REGION, "use an AWS region code such as us-east-1");
  if (params.repositories.length < 1 || params.repositories.length > REPOSITORY_ROLES.length) {
    fail("repositories", params.repositories.length, `give ${REPOSITORY_ROLES.length} repositories: primary region's first`);
  }
  params.repositories.forEach((repo, i) => {
    requireMatch(`repositories[${i}].region`, repo.region, REGION, "use an AWS region code such as us-west-2");
    if (repo.type === "s3") {
      requireMatch(`repositories[${i}].bucket`, repo.bucket, BUCKET, "use an S3 bucket name (3-63 of a-z 0-9 . -)");
      if (repo.path !== undefined) requireMatch(`repositories[${i}].path`, repo.path, ABSOLUTE_PATH, absolute);
    } else if (repo.type === "posix") {
      requireMatch(`repositories[${i}].path`, repo.path, ABSOLUTE_PATH, absolute);
    } else {
      fail(`repositories[${i}].type`, (repo as { type: unknown }).type, 'use "s3" or "posix"');
    }
  });
  const local = params.repositories.map((repo, i) => ({ repo, index: i + 1 })).filter(({ repo }) => repo.region === hostRegion);
  if (local.length !== 1) {
    fail("hostRegion", hostRegion, `exactly one repository must be in the host's region; regions are ${params.repositories.map((r) => r.region).join(", ")}`);
  }

  for (const [key, value] of Object.entries(params.schedules)) {
    requireMatch(`schedules.${key}`, value, ON_CALENDAR_UTC, 'use a systemd OnCalendar expression ending in " UTC", e.g. "*-*-* 02:00:00 UTC"');
  }
  const verifyTables = params.verifyTables ?? ["users", "tasks"];
  if (verifyTables.length === 0) fail("verifyTables", verifyTables, "name at least one table");
  verifyTables.forEach((table, i) => requireMatch(`verifyTables[${i}]`, table, QUALIFIED_TABLE, "use a lower-case table name, optionally schema-qualified"));
  const restoreTestPort = requireInteger("restoreTestPort", params.restoreTestPort ?? 5499, 1, 65535);
  if (restoreTestPort === postgres.port) fail("restoreTestPort", restoreTestPort, `use a port other than postgres.port (${postgres.port})`);
  if (params.side !== "active" && params.side !== "passive") fail("side", params.side, 'use "active" or "passive"');

  return {
    stanza: requireMatch("stanza", params.stanza ?? "crazy-gary", STANZA, "use 1-64 letters, digits, - or _"),
    environment: requireMatch("environment", params.environment, ENVIRONMENT, "use a stack name of lower-case letters, digits and -"),
    hostRegion,
    side: params.side,
    repositories: params.repositories,
    localRepo: local[0]!.index,
    fullRetentionDays: requireInteger("fullRetentionDays", params.fullRetentionDays, 1, 9999),
    archiveTimeoutSeconds: requireInteger("archiveTimeoutSeconds", params.archiveTimeoutSeconds, 1, 3600),
    processMax: requireInteger("processMax", params.processMax ?? 2, 1, 64),
    // At least one 16 MiB segment; at most 1 TiB (pgBackRest's own example value).
    archivePushQueueMaxMiB: requireInteger("archivePushQueueMaxMiB", params.archivePushQueueMaxMiB, 16, 1024 * 1024),
    archivePushIoTimeoutSeconds: requireInteger("archivePushIoTimeoutSeconds", params.archivePushIoTimeoutSeconds ?? ARCHIVE_PUSH_IO_TIMEOUT_SECONDS, 1, 3600),
    schedules: params.schedules,
    postgres,
    restoreTestPort,
    verifyTables,
    heartbeatTable: requireMatch("heartbeatTable", params.heartbeatTable ?? "crazy_gary_dr.heartbeat", SCHEMA_TABLE, "use schema.table in lower case"),
    paths,
    activeRegionParameter: requireMatch(
      "activeRegionParameter",
      params.activeRegionParameter ?? activeRegionParameterName(params.environment),
      SSM_PARAMETER,
      "use an SSM parameter path such as /crazy-gary/prod/active-region",
    ),
    lease: validateLeaseTimings({ ...defaultLeaseTimings, ...params.lease }),
  };
}

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
    archivePushIoTimeoutSeconds: p.archivePushIoTimeoutSeconds,
    archivePushQueueMaxMiB: p.archivePushQueueMaxMiB,
    lockPath: p.paths.lockPath,
    logPath: p.paths.logPath,
    pgDataDir: p.postgres.dataDir,
    pgPort: p.postgres.port,
    pgSocketDir: p.postgres.socketDir,
  });
}

/** Quotes a value for a file that both bash (`source`) and systemd (`EnvironmentFile`) read. */
function shellQuote(value: string | number): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** The scripts' settings file (`dr.env`), sourced by `bin/lib.sh`. */
export function renderEnvFile(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  const quoted = (value: string | number) => shellQuote(value);
  return fillTemplate("dr.env", readFileText("dr.env"), {
    environment: quoted(p.environment),
    hostRegion: quoted(p.hostRegion),
    side: quoted(p.side),
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
    pgService: quoted(p.postgres.service),
    pgSocketDir: quoted(p.postgres.socketDir),
    pgPort: quoted(p.postgres.port),
    archiveTimeoutSeconds: quoted(p.archiveTimeoutSeconds),
    heartbeatTable: quoted(p.heartbeatTable),
    restoreTestDir: quoted(p.paths.restoreTestDir),
    restoreTestPort: quoted(p.restoreTestPort),
    verifyTables: quoted(p.verifyTables.join(" ")),
    stateDir: quoted(p.paths.stateDir),
    activeRegionParameter: quoted(p.activeRegionParameter),
    leaseSeconds: quoted(p.lease.leaseSeconds),
    leaseCheckSeconds: quoted(p.lease.checkIntervalSeconds),
    fenceTimeoutSeconds: quoted(p.lease.fenceTimeoutSeconds),
  });
}

/** What each timer runs, and whether a run missed while the host was down is made up at boot. */
const JOBS: Readonly<Record<HostJob, { description: string; script: ScriptName; args: string; persistent: boolean; persistentReason: string }>> = {
  fullBackup: { description: "Crazy-Gary full backup into every repository", script: "backup.sh", args: " full", persistent: true, persistentReason: "a backup missed while the host was down runs at boot." },
  incrementalBackup: { description: "Crazy-Gary incremental backup into every repository", script: "backup.sh", args: " incr", persistent: true, persistentReason: "a backup missed while the host was down runs at boot." },
  restoreTest: { description: "Crazy-Gary monthly restore test", script: "restore-test.sh", args: "", persistent: true, persistentReason: "a test missed while the host was down runs at boot." },
  monitor: { description: "Crazy-Gary backup freshness and replication lag metrics", script: "monitor.sh", args: "", persistent: false, persistentReason: "a missed run has nothing to make up; the next one reports." },
  heartbeat: { description: "Crazy-Gary heartbeat row on the primary", script: "heartbeat.sh", args: "", persistent: false, persistentReason: "a missed beat has nothing to make up; the next one writes." },
  lease: { description: "Crazy-Gary primary lease on the active-region parameter", script: "lease.sh", args: "", persistent: false, persistentReason: "a missed check has nothing to make up; the next one reads." },
};

/** The systemd `.service` and `.timer` files, six of each. */
export function renderSystemdUnits(params: DatabaseHostFilesParams): HostFile[] {
  const p = resolveParams(params);
  const service = readFileText("systemd/job.service");
  const timer = readFileText("systemd/job.timer");
  const onCalendar: Record<HostJob, string> = { ...p.schedules, lease: everySecondsUtc(p.lease.checkIntervalSeconds) };
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

/** `archive_command` as configure-postgres.sh sets it (for tests and docs). */
export function archiveCommand(params: DatabaseHostFilesParams): string {
  const p = resolveParams(params);
  return `pgbackrest --config=${p.paths.pgbackrestConfig} --stanza=${p.stanza} archive-push %p`;
}

/** Every file for one host, with its path and mode. */
export function renderHostFiles(params: DatabaseHostFilesParams): HostFile[] {
  const p = resolveParams(params);
  return [
    { path: p.paths.pgbackrestConfig, mode: "0640", content: renderPgbackrestConf(params) },
    { path: p.paths.envFile, mode: "0644", content: renderEnvFile(params) },
    ...SCRIPT_NAMES.map((name) => ({ path: `${p.paths.binDir}/${name}`, mode: "0755" as const, content: readScript(name) })),
    ...renderSystemdUnits(params),
  ];
}
