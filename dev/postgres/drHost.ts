/**
 * Database hosts as the stack configures them, on this machine: the files rendered by
 * `components/databaseHost/render.ts` installed into a {@link PgSandbox}, with two posix
 * pgBackRest repositories standing in for the two regions' buckets. The rendered
 * pgBackRest config differs from production only in the repository type and path (see
 * test/databaseHost.render.test.ts); every script runs as written, as `postgres`, with the
 * AWS CLI replaced at the PATH boundary by a recorder.
 */
import { appendFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { renderSettings } from "./settings";
import { schedulesFromRunbook } from "../../domain/hostSchedules";
import { type DatabaseHostFilesParams, type ScriptName } from "../../components/databaseHost/hostFiles";
import { patroniConfigParams, renderHostFiles, renderTlsFiles } from "../../components/databaseHost/render";
import { renderPatroniConfig } from "../../domain/patroniConfig";
import { defaultPatroniTimings, patroniScope } from "../../domain/patroni";
import { backups, maxArchiveTimeoutSeconds, recoveryObjectives } from "../../domain/runbook";
import { walQueueMaxMiB } from "../../domain/walQueue";
import { databaseRoleSecretName, HOST_DATABASE_ROLES, type DatabaseRoleName } from "../../domain/databaseRoles";
import type { PgNode } from "./pgNode";
import type { PgSandbox } from "./sandbox";
import { makeOwnedDir, PG_BIN, writeOwnedFile } from "./serverTools";
import { FakeAws } from "./fakeAws";
import { databaseRolesSql, testRolePassword } from "./databaseRoles";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { freeLoopbackPort } from "./ports";
import { PatroniStandIn } from "./patroniStandIn";

/** The REST API's secret as the PatroniRestCredentials component names it for prod. */
const REST_API_SECRET = "crazy-gary/prod/patroni/rest-api";

/** The regions the two repositories stand in for (prod's primary and secondary). */
export const PRIMARY_REGION = "us-east-1";
export const SECONDARY_REGION = "us-west-2";

/** The two repositories of one test "deployment": folders standing in for the buckets. */
export interface Repositories {
  /** repo1: the primary region's bucket. */
  primary: string;
  /** repo2: the secondary region's bucket. */
  secondary: string;
}

/** Creates the two repository folders in the sandbox. */
export async function createRepositories(sandbox: PgSandbox): Promise<Repositories> {
  return { primary: await sandbox.makeDir("bucket-use1"), secondary: await sandbox.makeDir("bucket-usw2") };
}

/** Options for {@link DrHost.install}. */
export interface DrHostOptions {
  /** Folder name of the host's files in the sandbox. */
  name: string;
  node: PgNode;
  /** The region this host stands in for (also its Patroni member name). */
  hostRegion: string;
  /**
   * The real Patroni this host's scripts ask (GET /primary on 127.0.0.1): its REST API port and
   * the CA that verifies its certificate, as on a database host.
   * @default a {@link PatroniStandIn} answering from the node's own state
   */
  patroni?: { restApiPort: number; caCertPem: string; scope: string };
  /** Posix folders standing in for the buckets; ignored when `s3Buckets` is given. */
  repositories: Repositories;
  /**
   * Use S3 repositories (the production template) with these bucket names instead of the
   * posix folders; the endpoints come from `PGBACKREST_*` variables (see support/s3rver.ts).
   * @default undefined (posix)
   */
  s3Buckets?: Repositories;
  /** `archive_timeout`, in seconds. @default maxArchiveTimeoutSeconds (runbook: 60) */
  archiveTimeoutSeconds?: number;
  /** pgBackRest `archive-push-queue-max`, in MiB. @default the prod stack's (`walQueueMaxMiB`, infra/backups.ts) */
  archivePushQueueMaxMiB?: number;
  /**
   * pgBackRest `io-timeout` of archive-push and of the scripts' repository probes, in seconds:
   * what a dead repository costs per async run (about 8 x this). A test of an outage sets it
   * low to run in seconds what takes minutes at the stack's value.
   * @default the stack's (ARCHIVE_PUSH_IO_TIMEOUT_SECONDS, domain/walArchive.ts: 5)
   */
  archivePushIoTimeoutSeconds?: number;
  /** The application's database. @default "crazy_gary" */
  database?: string;
  /** Addresses the standby may stream from as `replicator` (pg_hba.conf). @default ["all"] */
  replicationClients?: readonly string[];
  /**
   * Create the database roles on the node now. Off for a node that is not running yet (a
   * Patroni member: its roles are made on the leader once it runs, and reach a replica by replication).
   * @default true when the node is not in recovery
   */
  createRoles?: boolean;
}

/** One database host: a PostgreSQL node plus the files the stack installs next to it. */
export class DrHost {
  private constructor(
    readonly name: string,
    readonly node: PgNode,
    /** The params the files were rendered with (posix repositories, sandbox paths). */
    readonly params: DatabaseHostFilesParams,
    readonly root: string,
    readonly aws: FakeAws,
    /** The stand-in Patroni, when the host has no real one. */
    readonly patroniStandIn: PatroniStandIn | undefined,
  ) {}

  /** Renders every host file with {@link renderHostFiles} and writes it under the sandbox. */
  static async install(sandbox: PgSandbox, options: DrHostOptions): Promise<DrHost> {
    const root = await sandbox.makeDir(options.name);
    const dir = async (relative: string) => sandbox.makeDir(`${options.name}/${relative}`);
    const aws = await FakeAws.install(sandbox, options.name);
    const restAuth = { user: "patroni", password: testRolePassword(sandbox.root, "patroni-rest-api") };
    const systemdDir = await dir("systemd");
    const patroniEnvFile = join(root, "etc", "patroni_env.conf");
    const standIn = options.patroni ? undefined : await PatroniStandIn.start(sandbox, options.name, options.node, restAuth, { binDir: aws.binDir, systemdDir, patroniEnvFile });
    const patroni = options.patroni ?? { restApiPort: standIn!.port, caCertPem: standIn!.caCertPem };
    // A real Patroni runs under the test harness, not systemd: systemctl (configure-postgres.sh
    // starts or reloads patroni.service) succeeds and changes nothing; the harness reloads Patroni.
    if (options.patroni) await writeOwnedFile(join(aws.binDir, "systemctl"), "#!/bin/sh\n# Test stand-in: Patroni runs under the harness; every call succeeds.\nexit 0\n", 0o755);
    const params: DatabaseHostFilesParams = {
      environment: "prod",
      hostRegion: options.hostRegion,
      patroni: {
        scope: options.patroni?.scope ?? patroniScope("prod"),
        member: options.hostRegion,
        noFailover: false,
        etcdHosts: ["127.0.0.1:2379", "127.0.0.2:2379", "127.0.0.3:2379"],
        timings: defaultPatroniTimings,
        restApiPort: patroni.restApiPort,
        maximumLagOnFailoverBytes: 335544320,
        connectHost: "127.0.0.1",
        restApiSecret: REST_API_SECRET,
      },
      repositories: options.s3Buckets
        ? [
            { type: "s3", bucket: options.s3Buckets.primary, region: PRIMARY_REGION },
            { type: "s3", bucket: options.s3Buckets.secondary, region: SECONDARY_REGION },
          ]
        : [
            { type: "posix", path: options.repositories.primary, region: PRIMARY_REGION },
            { type: "posix", path: options.repositories.secondary, region: SECONDARY_REGION },
          ],
      fullRetentionDays: backups.full.retentionDays,
      archiveTimeoutSeconds: options.archiveTimeoutSeconds ?? maxArchiveTimeoutSeconds,
      archivePushIoTimeoutSeconds: options.archivePushIoTimeoutSeconds,
      archivePushQueueMaxMiB: options.archivePushQueueMaxMiB ?? walQueueMaxMiB({ recovery: { databaseRpoMinutes: recoveryObjectives.database.rpoMinutes!, archiveTimeoutSeconds: maxArchiveTimeoutSeconds } }),
      schedules: schedulesFromRunbook(backups),
      postgres: {
        dataDir: options.node.dataDir,
        port: options.node.port,
        socketDir: options.node.socketDir,
        binDir: PG_BIN,
        database: options.database ?? "crazy_gary",
        configDir: options.node.dataDir,
        service: "",
      },
      restoreTestPort: await freeLoopbackPort(),
      paths: {
        pgbackrestConfig: join(await dir("etc"), "pgbackrest.conf"),
        envFile: join(root, "etc", "dr.env"),
        binDir: await dir("bin"),
        systemdDir,
        stateDir: join(root, "state"),
        spoolPath: await dir("spool"),
        logPath: await dir("log"),
        lockPath: await dir("lock"),
        restoreTestDir: join(root, "restore-test"),
        passwordFile: join(root, "pgpass"),
        patroniConfig: join(root, "etc", "patroni.yml"),
        patroniEnvFile,
        patroniDynamicConfig: join(root, "etc", "patroni-dynamic.json"),
        tlsDir: await dir("tls"),
        patroniPgpass: join(root, "patroni.pgpass"),
      },
      replicationClients: options.replicationClients,
    };
    const tls = { caCertPem: patroni.caCertPem, certPem: patroni.caCertPem, keyPem: "-----BEGIN PRIVATE KEY-----\n(the stand-in's own, not used by the scripts)\n-----END PRIVATE KEY-----\n" };
    for (const file of [...renderHostFiles(params), ...renderTlsFiles(params.paths as { tlsDir: string }, tls)]) {
      await makeOwnedDir(dirname(file.path));
      await writeOwnedFile(file.path, file.content, Number.parseInt(file.mode, 8));
    }
    if (standIn) await applyPatroniParameters(options.node, params);
    // The roles as the DatabaseRoles component declares them (created on a primary; a standby
    // receives them through replication) and their secrets as Secrets Manager holds them.
    const password = (role: DatabaseRoleName) => testRolePassword(sandbox.root, role);
    if (options.createRoles ?? !(await options.node.isInRecovery())) await options.node.sql(databaseRolesSql(password));
    for (const role of HOST_DATABASE_ROLES) {
      await aws.storeSecret(databaseRoleSecretName(params.environment, role), JSON.stringify({ username: role, password: password(role) }));
    }
    await aws.storeSecret(REST_API_SECRET, JSON.stringify({ username: restAuth.user, password: restAuth.password }));
    return new DrHost(options.name, options.node, params, root, aws, standIn);
  }

  /** The password file configure-postgres.sh writes for this host (libpq's PGPASSFILE). */
  get passwordFile(): string {
    return this.params.paths!.passwordFile!;
  }

  /** Path of an installed file by its production path's role. */
  get envFile(): string {
    return this.params.paths!.envFile!;
  }

  get configFile(): string {
    return this.params.paths!.pgbackrestConfig!;
  }

  get stateDir(): string {
    return this.params.paths!.stateDir!;
  }

  get restoreTestDir(): string {
    return this.params.paths!.restoreTestDir!;
  }

  get restoreTestPort(): number {
    return this.params.restoreTestPort!;
  }

  /** The scripts' environment as their systemd units give it: the rendered dr.env, and the fake `aws` first on PATH. */
  private get scriptEnv(): Record<string, string> {
    return { CRAZY_GARY_DR_ENV: this.envFile, PATH: `${this.aws.binDir}:${PG_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin` };
  }

  /** Runs an installed script as `postgres`, as its systemd unit would (settings from the rendered dr.env). */
  runScript(script: ScriptName, args: readonly string[] = [], timeoutMs = 600_000): Promise<CommandResult> {
    return runCommand("bash", [join(this.params.paths!.binDir!, script), ...args], {
      asPostgres: true,
      cwd: this.root,
      timeoutMs,
      env: this.scriptEnv,
    });
  }

  /** Like {@link runScript}, throwing with the script's output unless it exits 0. */
  async runScriptChecked(script: ScriptName, args: readonly string[] = [], timeoutMs = 600_000): Promise<CommandResult> {
    const result = await this.runScript(script, args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(`${script} ${args.join(" ")} exited with ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  /** Runs pgBackRest with this host's rendered config, as `postgres`. */
  pgbackrest(args: readonly string[], timeoutMs = 600_000): Promise<CommandResult> {
    return runCommand("pgbackrest", [`--config=${this.configFile}`, "--stanza=crazy-gary", ...args], {
      asPostgres: true,
      cwd: this.root,
      timeoutMs,
      // As on the host: pg1-user=pgbackrest, its password from the password file.
      env: { PGPASSFILE: this.passwordFile },
    });
  }

  /** Like {@link pgbackrest}, throwing with its output unless it exits 0. */
  async pgbackrestChecked(args: readonly string[], timeoutMs = 600_000): Promise<string> {
    const result = await this.pgbackrest(args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(`pgbackrest ${args.join(" ")} exited with ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }

  /** `pgbackrest info --output=json` for one repository: its backups (oldest first) and archive range. */
  async info(repo: 1 | 2): Promise<PgbackrestInfo> {
    const [stanza] = JSON.parse(await this.pgbackrestChecked([`--repo=${repo}`, "--output=json", "info"])) as PgbackrestInfo[];
    return stanza!;
  }
}

/**
 * Where no Patroni runs, writes the PostgreSQL parameters of the host's patroni.yml into the
 * node's postgresql.conf and reloads a running server, as Patroni does when it starts; what needs
 * a restart (archive_mode) shows as pending_restart until configure-postgres.sh asks the
 * stand-in for POST /restart.
 */
async function applyPatroniParameters(node: PgNode, params: DatabaseHostFilesParams): Promise<void> {
  const { unix_socket_directories: _socket, ...parameters } = renderPatroniConfig(patroniConfigParams(params)).postgresql.parameters;
  // Patroni also sets cluster_name to its scope (patroni/postgresql/config.py in 3.0.2).
  const written = { ...parameters, cluster_name: params.patroni.scope };
  await appendFile(join(node.dataDir, "postgresql.conf"), `\n# --- as Patroni writes it (patroni.yml postgresql.parameters) ---\n${renderSettings(written)}`);
  if (await node.isRunning()) await node.reload();
}

/** The parts of `pgbackrest info --output=json` the tests read. */
export interface PgbackrestInfo {
  name: string;
  status: { code: number; message: string };
  backup: {
    label: string;
    type: "full" | "diff" | "incr";
    prior: string | null;
    timestamp: { start: number; stop: number };
    archive: { start: string; stop: string };
    database: { id: number; "repo-key": number };
  }[];
  archive: { id: string; min: string | null; max: string | null; database: { id: number; "repo-key": number } }[];
}
