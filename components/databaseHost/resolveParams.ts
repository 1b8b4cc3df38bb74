/**
 * The host files' parameters with every default applied once, each value checked before it
 * reaches a file: an error names the key, the value and what is allowed.
 */
import { HBA_ADDRESS, hbaAddressFix } from "../../domain/hbaAddress";
import type { HostSchedules } from "../../domain/hostSchedules";
import { patroniTimingProblem } from "../../domain/patroni";
import { ARCHIVE_PUSH_IO_TIMEOUT_SECONDS } from "../../domain/walArchive";
import { type DatabaseHostFilesParams, defaultHostPaths, type HostPatroni, type HostPaths, type HostPostgres, REPOSITORY_ROLES, type RepositoryLocation } from "./hostFiles";

/** Params with every default applied, validated. */
interface ResolvedParams {
  stanza: string;
  environment: string;
  hostRegion: string;
  patroni: HostPatroni;
  repositories: readonly RepositoryLocation[];
  localRepo: number;
  fullRetentionDays: number;
  archiveTimeoutSeconds: number;
  processMax: number;
  restoreProcessMax: number;
  archivePushQueueMaxMiB: number;
  archivePushIoTimeoutSeconds: number;
  schedules: HostSchedules;
  postgres: Required<HostPostgres>;
  restoreTestPort: number;
  verifyTables: readonly string[];
  heartbeatTable: string;
  paths: HostPaths;
  replicationClients: readonly string[];
}

const STANZA = /^[A-Za-z0-9_-]{1,64}$/;
const ENVIRONMENT = /^[a-z0-9][a-z0-9-]{0,31}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const QUALIFIED_TABLE = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;
const SCHEMA_TABLE = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
const SERVICE = /^([A-Za-z0-9@._-]+\.service|[A-Za-z0-9@._-]+)?$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252}[A-Za-z0-9])?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?):\d{1,5}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
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
    configDir: params.postgres?.configDir ?? "/etc/postgresql/15/main",
    service: params.postgres?.service ?? "postgresql@15-main",
  };
  requireMatch("postgres.dataDir", postgres.dataDir, ABSOLUTE_PATH, absolute);
  requireMatch("postgres.socketDir", postgres.socketDir, ABSOLUTE_PATH, absolute);
  requireMatch("postgres.binDir", postgres.binDir, ABSOLUTE_PATH, absolute);
  requireInteger("postgres.port", postgres.port, 1, 65535);
  requireMatch("postgres.database", postgres.database, IDENTIFIER, "use a lower-case SQL identifier");
  requireMatch("postgres.configDir", postgres.configDir, ABSOLUTE_PATH, absolute);
  requireMatch("postgres.service", postgres.service, SERVICE, "use a systemd unit name such as postgresql@15-main, or empty for none");

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
  const patroni = resolvePatroni(params.patroni, postgres.port);
  const replicationClients = params.replicationClients ?? ["all"];
  if (replicationClients.length === 0) fail("replicationClients", replicationClients, 'give at least one address, or ["all"]');
  replicationClients.forEach((address, i) => requireMatch(`replicationClients[${i}]`, address, HBA_ADDRESS, hbaAddressFix));

  return {
    stanza: requireMatch("stanza", params.stanza ?? "crazy-gary", STANZA, "use 1-64 letters, digits, - or _"),
    environment: requireMatch("environment", params.environment, ENVIRONMENT, "use a stack name of lower-case letters, digits and -"),
    hostRegion,
    patroni,
    repositories: params.repositories,
    localRepo: local[0]!.index,
    fullRetentionDays: requireInteger("fullRetentionDays", params.fullRetentionDays, 1, 9999),
    archiveTimeoutSeconds: requireInteger("archiveTimeoutSeconds", params.archiveTimeoutSeconds, 1, 3600),
    processMax: requireInteger("processMax", params.processMax ?? 2, 1, 64),
    restoreProcessMax: requireInteger("restoreProcessMax", params.restoreProcessMax ?? 8, 1, 64),
    // At least one 16 MiB segment; at most 1 TiB (pgBackRest's own example value).
    archivePushQueueMaxMiB: requireInteger("archivePushQueueMaxMiB", params.archivePushQueueMaxMiB, 16, 1024 * 1024),
    archivePushIoTimeoutSeconds: requireInteger("archivePushIoTimeoutSeconds", params.archivePushIoTimeoutSeconds ?? ARCHIVE_PUSH_IO_TIMEOUT_SECONDS, 1, 3600),
    schedules: params.schedules,
    postgres,
    restoreTestPort,
    verifyTables,
    heartbeatTable: requireMatch("heartbeatTable", params.heartbeatTable ?? "crazy_gary_dr.heartbeat", SCHEMA_TABLE, "use schema.table in lower case"),
    paths,
    replicationClients,
  };
}

/** Checks this member's Patroni settings (the timing rule with domain/patroni.ts). */
function resolvePatroni(patroni: HostPatroni, postgresPort: number): HostPatroni {
  if (patroni === undefined || patroni === null) fail("patroni", patroni, "give the host's Patroni member settings");
  requireMatch("patroni.scope", patroni.scope, STANZA, "use 1-64 letters, digits, - or _");
  requireMatch("patroni.member", patroni.member, REGION, "use the host's AWS region code such as us-east-1");
  if (patroni.etcdHosts.length !== 3) fail("patroni.etcdHosts", patroni.etcdHosts, "list the three etcd members' client endpoints (primary, secondary and witness region)");
  patroni.etcdHosts.forEach((host, i) => requireMatch(`patroni.etcdHosts[${i}]`, host, HOST_PORT, "use host:port, e.g. db-use1.internal:2379"));
  requireInteger("patroni.restApiPort", patroni.restApiPort, 1, 65535);
  if (patroni.restApiPort === postgresPort) fail("patroni.restApiPort", patroni.restApiPort, `use a port other than postgres.port (${postgresPort})`);
  const problem = patroniTimingProblem(patroni.timings);
  if (problem) fail("patroni.timings", patroni.timings, problem);
  requireInteger("patroni.maximumLagOnFailoverBytes", patroni.maximumLagOnFailoverBytes, 0, Number.MAX_SAFE_INTEGER);
  requireMatch("patroni.connectHost", patroni.connectHost, HOST_NAME, "use the host name or IP address the other region reaches this host at");
  requireMatch("patroni.restApiSecret", patroni.restApiSecret, SECRET_NAME, "use a Secrets Manager secret name such as crazy-gary/prod/patroni/rest-api");
  if (typeof patroni.noFailover !== "boolean") fail("patroni.noFailover", patroni.noFailover, "use true or false");
  return patroni;
}
