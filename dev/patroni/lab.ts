/**
 * A Patroni cluster across three regions on one machine, for the #21 proofs: etcd 3.4 with one
 * member per region (primary, secondary, witness), Patroni 3.0.2 members in the primary and
 * secondary regions managing PostgreSQL 15, and one s3rver per database region holding that
 * region's pgBackRest repository over TLS. Each region is a network namespace made by the test
 * (dev/patroni/network.ts); the host files (pgbackrest.conf, backup.sh, restore-test.sh) are the
 * stack's own, rendered by components/databaseHost/render.ts.
 *
 * @example
 * const lab = await PatroniLab.create({ label: "switchover" });
 * afterAll(() => lab?.destroy());
 * await lab.switchover(lab.members.secondary);
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PgNode, PG_BIN, type PgSandbox } from "../postgres/cluster";
import { PgSandbox as Sandbox } from "../postgres/cluster";
import { databaseRolesSql, testRolePassword } from "../postgres/databaseRoles";
import { DrHost, PRIMARY_REGION, SECONDARY_REGION, waitFor } from "../postgres/pgbackrest";
import { writeOwnedFile } from "../postgres/cluster";
import { runCommand } from "../../tools/process/exec";
import { signalProcess, waitUntilGone } from "../postgres/processes";
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, EtcdMember } from "./etcd";
import { parse, stringify } from "yaml";
import { etcdYaml, patroniYaml, pgbackrestCommands } from "../../components/databaseHost/patroniFile";
import { resolveParams } from "../../components/databaseHost/resolveParams";
import type { EtcdSettings, EtcdTlsFiles } from "../../domain/etcd";
import { memberNoFailover, type PatroniTimings } from "../../domain/patroni";
import { PatroniMember, POSTGRES_PORT, REST_API_PORT } from "./member";
import { REGION_ROLES, REGION_SUBNET, RegionNetwork, type RegionRole } from "./network";
import { patroniRoleEnvironment } from "./roleEnvironment";
import { RegionS3 } from "./s3";
import { certificateAuthority, hostCertificate } from "./tls";

/** The two database regions (the witness runs etcd only). */
export type DatabaseRole = Exclude<RegionRole, "witness">;

/** Region codes by role, as prod's stack names them (members are named by region code). */
export const REGION_CODES: Readonly<Record<RegionRole, string>> = { primary: PRIMARY_REGION, secondary: SECONDARY_REGION, witness: "us-east-2" };

/** Patroni's and etcd's timings of one lab. */
export type ClusterTimings = PatroniTimings & Pick<EtcdSettings, "heartbeatIntervalMs" | "electionTimeoutMs">;

/**
 * Timings scaled down for tests, valid by Patroni's rule `loop_wait + 2 * retry_timeout <= ttl`
 * (2 + 2 x 5 = 12 <= 20, and ttl at Patroni's documented minimum of 20;
 * https://patroni.readthedocs.io/en/latest/dynamic_configuration.html) and etcd's (election
 * timeout >= 5-10 x heartbeat, https://etcd.io/docs/v3.5/tuning/); the heartbeat is longer than
 * etcd's 100 ms default so a busy 2-core machine does not start needless elections.
 */
export const TEST_TIMINGS: ClusterTimings = { ttl: 20, loopWait: 2, retryTimeout: 5, heartbeatIntervalMs: 200, electionTimeoutMs: 2000 };

/**
 * The pg_hba.conf lines the lab's members run with: the `postgres` OS user's peer connections
 * trusted (the host scripts and the test's clients on the Unix socket), password (scram) from
 * the hosts' subnet and loopback; Patroni reads a replica's timeline over a loopback
 * replication connection. `rewinder` (Patroni's pg_rewind role) logs in to `postgres` only, as
 * the line configure-postgres.sh writes for it (`host postgres rewinder <client> scram-sha-256`),
 * and nowhere else.
 */
const HBA = [
  "local all all trust",
  `host postgres rewinder ${REGION_SUBNET} scram-sha-256`,
  "host all rewinder all reject",
  `host replication replicator ${REGION_SUBNET} scram-sha-256`,
  "host replication replicator 127.0.0.1/32 scram-sha-256",
  "host replication replicator ::1/128 scram-sha-256",
  `host all all ${REGION_SUBNET} scram-sha-256`,
  "host all all 127.0.0.1/32 scram-sha-256",
  "host all all ::1/128 scram-sha-256",
];

/** The cluster (Patroni scope) and the test passwords. */
const SCOPE = "crazy-gary";
/** The leader lock's key in etcd: Patroni's namespace (domain/patroniConfig.ts's default "/crazy-gary/"), the scope, "leader". */
export const LEADER_KEY = `/crazy-gary/${SCOPE}/leader`;
const SUPERUSER_PASSWORD = "Pw-patroni-superuser";
const REST_USER = "patroni";
// Letters and digits, as the stack generates it (components/patroniRestCredentials.ts): configure-postgres.sh reads only such a password from the secret.
const REST_PASSWORD = "PwPatroniRest1";
/** The lab's `maximum_lag_on_failover` (16 MiB; the stack derives one RPO of WAL), also the flip's RPO bound. */
const MAXIMUM_LAG_ON_FAILOVER_BYTES = 16 * 2 ** 20;

export interface LabOptions {
  /** Goes into the sandbox folder's name (1-12 letters, digits, "-"). */
  label: string;
  /** @default {@link TEST_TIMINGS} */
  timings?: ClusterTimings;
  /** Extra PostgreSQL parameters for every member (Patroni's dynamic configuration). @default {} */
  postgresParameters?: Record<string, string | number>;
  /** pg_hba.conf lines matched before the harness's own (local trust, scram from the hosts' subnet). @default [] */
  hbaFirst?: readonly string[];
  /** Start the secondary's Patroni and wait until it streams. @default true */
  startSecondary?: boolean;
  /**
   * Start Patroni at all. Off: etcd, S3 and every member's files are in place but no PostgreSQL
   * runs, for a test that starts servers of its own for Patroni to adopt (the first deploy).
   * @default true
   */
  startPatroni?: boolean;
  /** Start of the lab's network namespace names (dev/patroni/network.ts). @default "cgpr-" */
  namespacePrefix?: string;
  /**
   * pgBackRest `io-timeout` of archive-push and of the scripts' repository probes, in seconds: a
   * test with one region's S3 down shortens what every archive-push run spends on it (about 8 x
   * this, pgbackrest.conf) and so its waits. @default the product's (domain/walArchive.ts)
   */
  archivePushIoTimeoutSeconds?: number;
}

export class PatroniLab {
  private constructor(
    readonly sandbox: PgSandbox,
    readonly network: RegionNetwork,
    readonly etcd: Readonly<Record<RegionRole, EtcdMember>>,
    readonly s3: Readonly<Record<DatabaseRole, RegionS3>>,
    readonly members: Readonly<Record<DatabaseRole, PatroniMember>>,
    readonly timings: ClusterTimings,
    /** The CA every host's certificate is signed by (PEM file): what the flip trusts. */
    readonly caFile: string,
  ) {}

  /** Builds the three regions, starts etcd and S3 everywhere, bootstraps the primary and (by default) joins the secondary. */
  static async create(options: LabOptions): Promise<PatroniLab> {
    const timings = options.timings ?? TEST_TIMINGS;
    const sandbox = await Sandbox.create(`pat-${options.label}`);
    let network: RegionNetwork | undefined;
    const started: { etcd: EtcdMember[]; s3: RegionS3[]; members: PatroniMember[] } = { etcd: [], s3: [], members: [] };
    try {
      network = await RegionNetwork.create(options.namespacePrefix);
      const net = network;
      for (const role of REGION_ROLES) await sandbox.makeDir(role);
      // One CA for every host, as in production (components/patroniTls.ts).
      const ca = await certificateAuthority(await sandbox.makeDir("ca"));
      const certs = Object.fromEntries(
        await Promise.all(REGION_ROLES.map(async (role) => [role, await hostCertificate(ca, await sandbox.makeDir(`${role}/tls`), net.address(role))] as const)),
      ) as Record<RegionRole, Awaited<ReturnType<typeof hostCertificate>>>;

      const buckets = { primary: "crazy-gary-prod-wal-use1", secondary: "crazy-gary-prod-wal-usw2" };
      const s3 = {
        primary: new RegionS3(net, "primary", buckets.primary, await sandbox.makeDir("primary/s3"), join(sandbox.root, "primary", "s3rver.log"), certs.primary),
        secondary: new RegionS3(net, "secondary", buckets.secondary, await sandbox.makeDir("secondary/s3"), join(sandbox.root, "secondary", "s3rver.log"), certs.secondary),
      };
      started.s3.push(s3.primary, s3.secondary);
      await Promise.all([s3.primary.start(), s3.secondary.start()]);

      const etcdMembers = REGION_ROLES.map((role) => ({ name: REGION_CODES[role], host: net.address(role) }));
      const etcdSettings: EtcdSettings = { heartbeatIntervalMs: timings.heartbeatIntervalMs, electionTimeoutMs: timings.electionTimeoutMs, clientPort: ETCD_CLIENT_PORT, peerPort: ETCD_PEER_PORT };
      const caFile = join(sandbox.root, "rest-ca.pem");
      const caBundle = await readFile(ca.cert, "utf8");
      await writeOwnedFile(caFile, caBundle);
      // etcd over TLS as in production: each member's certificate for clients and peers, client certificates required.
      const etcdTls = (role: RegionRole): EtcdTlsFiles => ({ trustedCaFile: caFile, certFile: certs[role].cert, keyFile: certs[role].key });
      const etcd = {} as Record<RegionRole, EtcdMember>;
      for (const role of REGION_ROLES) {
        const configFile = join(sandbox.root, role, "etcd.yml");
        await writeOwnedFile(configFile, etcdYaml({
          members: etcdMembers, self: REGION_CODES[role], clusterToken: net.prefix, dataDir: await sandbox.makeDir(`${role}/etcd`), settings: etcdSettings, tls: etcdTls(role),
        }));
        etcd[role] = new EtcdMember(net, role, configFile, join(sandbox.root, role, "etcd.log"), etcdTls(role));
        started.etcd.push(etcd[role]);
        etcd[role].start();
      }
      await Promise.all(REGION_ROLES.map((role) => etcd[role].waitHealthy()));

      const s3Env = { ...s3.primary.pgbackrestEnv(1), ...s3.secondary.pgbackrestEnv(2) };
      const makeMember = async (role: DatabaseRole): Promise<PatroniMember> => {
        const name = REGION_CODES[role];
        const dir = await sandbox.makeDir(`${role}/pg`);
        await sandbox.makeDir(`${role}/pg/run`);
        const node = new PgNode(name, POSTGRES_PORT, dir);
        const host = await DrHost.install(sandbox, {
          name: `${role}/host`, node, hostRegion: name, patroni: { restApiPort: REST_API_PORT, caCertPem: caBundle, scope: SCOPE },
          repositories: { primary: "/nonexistent", secondary: "/nonexistent" }, s3Buckets: buckets, database: "postgres", createRoles: false,
          archivePushIoTimeoutSeconds: options.archivePushIoTimeoutSeconds,
        });
        const configFile = join(sandbox.root, role, "patroni.yml");
        const commands = pgbackrestCommands(host.configFile, "crazy-gary", resolveParams(host.params).localRepo);
        const rendered = patroniYaml({
          scope: SCOPE, member: name, etcdHosts: REGION_ROLES.map((r) => `${net.address(r)}:${ETCD_CLIENT_PORT}`),
          etcdTls: { caFile, certFile: certs[role].cert, keyFile: certs[role].key },
          timings: { ttl: timings.ttl, loopWait: timings.loopWait, retryTimeout: timings.retryTimeout },
          maximumLagOnFailoverBytes: MAXIMUM_LAG_ON_FAILOVER_BYTES, noFailover: memberNoFailover({ isActive: role === "primary" }, false),
          restApi: { port: REST_API_PORT, connectHost: net.address(role), certFile: certs[role].cert, keyFile: certs[role].key, caFile },
          postgres: { connectHost: net.address(role), port: POSTGRES_PORT, dataDir: node.dataDir, binDir: PG_BIN, socketDir: node.socketDir, pgpassFile: join(dir, "patroni.pgpass") },
          archiveCommand: commands.archiveCommand,
          restoreCommand: commands.restoreCommand,
          replicaFromBackupCommand: commands.replicaFromBackupCommand,
          archiveTimeoutSeconds: 60,
          pgHba: [...(options.hbaFirst ?? []), ...HBA],
        });
        await writeOwnedFile(configFile, withDynamicParameters(rendered, options.postgresParameters));
        const env = {
          HOME: "/var/lib/postgresql",
          // Secrets reach Patroni through its environment, as the host's EnvironmentFile gives them (domain/patroniConfig.ts).
          PATRONI_RESTAPI_USERNAME: REST_USER,
          PATRONI_RESTAPI_PASSWORD: REST_PASSWORD,
          PATRONI_SUPERUSER_USERNAME: "postgres",
          PATRONI_SUPERUSER_PASSWORD: SUPERUSER_PASSWORD,
          // Replication and pg_rewind as the product's roles (replicator, rewinder), never the superuser.
          ...(await patroniRoleEnvironment(host, (role) => testRolePassword(sandbox.root, role))),
          PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
          ...s3Env,
        };
        return new PatroniMember(net, role, name, node, host, configFile, join(sandbox.root, role, "patroni.log"), env, `${REST_USER}:${REST_PASSWORD}`);
      };
      const members = { primary: await makeMember("primary"), secondary: await makeMember("secondary") };
      const lab = new PatroniLab(sandbox, net, etcd, s3, members, timings, caFile);
      started.members.push(members.primary, members.secondary);

      if (options.startPatroni ?? true) {
        members.primary.start();
        await lab.waitForRole(members.primary, "primary", 120_000);
        await lab.prepareLeader();
        if (options.startSecondary ?? true) await lab.joinSecondary();
      }
      return lab;
    } catch (error) {
      await teardown(sandbox, network, started);
      throw error;
    }
  }

  /** The superuser's password (Patroni logs in with it over loopback TCP). */
  readonly superuserPassword = SUPERUSER_PASSWORD;

  /** Basic auth of the members' REST APIs (what the stack keeps in Secrets Manager, crazy-gary/<env>/patroni/rest-api). */
  readonly restApi = Object.freeze({ user: REST_USER, password: REST_PASSWORD });

  /** Most bytes a failover candidate may lag: the members' `maximum_lag_on_failover`, and the flip's bound. */
  readonly maxLagOnFailoverBytes = MAXIMUM_LAG_ON_FAILOVER_BYTES;

  /** The pg_hba.conf lines every member runs with. */
  readonly hba: readonly string[] = HBA;

  /** On the primary: the stack's database roles (domain/databaseRoles.ts) and the stanza in both repositories. */
  async prepareLeader(): Promise<void> {
    const { primary } = this.members;
    await primary.node.sql(databaseRolesSql((role) => testRolePassword(this.sandbox.root, role)));
    await this.checked(primary.pgbackrest(["stanza-create"]), "stanza-create");
  }

  /** Starts the secondary's Patroni and waits until it is a replica streaming from the leader. */
  async joinSecondary(): Promise<void> {
    this.members.secondary.start();
    await this.waitForRole(this.members.secondary, "replica", 180_000);
  }

  /** Waits until the member's REST API answers 200 on `/primary` or `/replica` (from its own region). */
  async waitForRole(member: PatroniMember, role: "primary" | "replica", timeoutMs = 120_000): Promise<void> {
    await waitFor(`${member.name} to be ${role}`, timeoutMs, async () => {
      if (!member.patroniRunning) throw new Error(`patroni ${member.name} exited:\n${await member.logTail()}`);
      return (await member.rest(`/${role}`)).status === 200;
    }, 500).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await member.logTail()}`);
    });
  }

  /** Throws with the command's output unless it exited 0. */
  async checked<T extends { code: number | null; stdout: string; stderr: string }>(run: Promise<T>, what: string): Promise<T> {
    const result = await run;
    if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** Stops every process by pid, removes the namespaces and the sandbox. Safe to call twice. */
  async destroy(): Promise<void> {
    await teardown(this.sandbox, this.network, {
      etcd: Object.values(this.etcd),
      s3: Object.values(this.s3),
      members: Object.values(this.members),
    });
  }
}

/**
 * Adds PostgreSQL settings to the dynamic configuration a new cluster bootstraps with (where
 * Patroni takes max_connections and its other command-line settings from): a test's tuned source.
 */
function withDynamicParameters(yamlText: string, parameters: Record<string, string | number> | undefined): string {
  if (!parameters || Object.keys(parameters).length === 0) return yamlText;
  const config = parse(yamlText) as { bootstrap: { dcs: { postgresql: { parameters?: Record<string, string | number> } } } };
  config.bootstrap.dcs.postgresql.parameters = { ...config.bootstrap.dcs.postgresql.parameters, ...parameters };
  return stringify(config, { lineWidth: 0 });
}

/** Stops Patroni members, etcd and S3, ends whatever still runs in the namespaces (by pid), deletes them and the sandbox. */
async function teardown(
  sandbox: PgSandbox,
  network: RegionNetwork | undefined,
  started: { etcd: readonly EtcdMember[]; s3: readonly RegionS3[]; members: readonly PatroniMember[] },
): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (step: () => Promise<unknown>) => step().catch((error: unknown) => errors.push(error));
  await Promise.all(started.members.map((member) => attempt(() => member.stop())));
  await Promise.all(started.etcd.map((member) => attempt(() => member.stop())));
  await Promise.all(started.s3.map((server) => attempt(() => server.stop())));
  if (network) {
    const namespaces = [...REGION_ROLES.map((role) => network.namespace(role)), network.hubNamespace];
    for (const ns of namespaces) {
      const pids = (await runCommand("ip", ["netns", "pids", ns])).stdout.split("\n").filter(Boolean).map(Number);
      for (const pid of pids) signalProcess(pid, "SIGKILL");
      await waitUntilGone(pids, 10_000);
    }
    await attempt(() => network.destroy());
  }
  await attempt(() => sandbox.destroy());
  if (errors.length > 0) throw new AggregateError(errors, "PatroniLab teardown");
}
