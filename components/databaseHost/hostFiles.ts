/**
 * What the stack writes to a database host, as plain types: where its repositories live, the
 * host's paths and PostgreSQL settings, the parameters of every rendered file, and the names
 * of its scripts and systemd units. Rendering is in ./render.ts, validation in ./resolveParams.ts.
 */
import { repositoryPath } from "../repositoryFiles";
import type { HostSchedules } from "../../domain/hostSchedules";
import type { PatroniTimings } from "../../domain/patroni";

/** Folder of the templates and scripts rendered here. */
export const FILES_DIR = repositoryPath("components", "databaseHost", "files");

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
export const REPOSITORY_ROLES = ["primary", "secondary"] as const;

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
  /** Patroni's configuration, the file Debian's `patroni.service` runs with. @default "/etc/patroni/config.yml" */
  patroniConfig: string;
  /**
   * Patroni's secrets (PATRONI_* variables), mode 0600 root, written on the host from Secrets
   * Manager by configure-postgres.sh; Debian's `patroni.service` reads it (`EnvironmentFile=-/etc/patroni_env.conf`).
   * @default "/etc/patroni_env.conf"
   */
  patroniEnvFile: string;
  /** Patroni's dynamic (cluster-wide) configuration as JSON, PATCHed to `/config` by configure-postgres.sh. @default "/etc/patroni/dynamic.json" */
  patroniDynamicConfig: string;
  /** Folder of the TLS files: `ca.pem`, `cert.pem`, `key.pem` (the REST API's and etcd client's). @default "/etc/patroni/tls" */
  tlsDir: string;
  /** The password file Patroni writes for its replication and rewind connections (Patroni's own, never the scripts'). @default "/var/lib/postgresql/patroni.pgpass" */
  patroniPgpass: string;
  /**
   * libpq password file of the `postgres` OS user, mode 0600, written by configure-postgres.sh
   * from Secrets Manager: the `pgbackrest`, `monitor` and `replicator` passwords. The default is
   * that user's `~/.pgpass`, which libpq reads without `PGPASSFILE` (so the standby's WAL
   * receiver finds the replicator's password too).
   * @default "/var/lib/postgresql/.pgpass"
   */
  passwordFile: string;
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
  passwordFile: "/var/lib/postgresql/.pgpass",
  patroniConfig: "/etc/patroni/config.yml",
  patroniEnvFile: "/etc/patroni_env.conf",
  patroniDynamicConfig: "/etc/patroni/dynamic.json",
  tlsDir: "/etc/patroni/tls",
  patroniPgpass: "/var/lib/postgresql/patroni.pgpass",
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
  /** Folder of postgresql.conf and pg_hba.conf (Debian keeps them outside the data directory). @default "/etc/postgresql/15/main" */
  configDir?: string;
  /**
   * Debian's systemd unit of the cluster, which runs PostgreSQL until Patroni takes over: on the
   * first deploy PostgreSQL is restarted through Patroni while this unit still holds it, so the
   * unit ends and only Patroni runs the server. Empty: no such unit (the tests' servers).
   * @default "postgresql@15-main"
   */
  service?: string;
}

/**
 * Patroni on the host: this member of the one cluster (a member per region). Patroni's
 * behaviours relied on are cited in domain/patroniConfig.ts and domain/patroni.ts.
 */
export interface HostPatroni {
  /** Cluster name (Patroni `scope`), the same on every member. @default none; the stack's is `crazy-gary-<environment>` (domain/patroni.ts `patroniScope`) @example "crazy-gary-prod" */
  scope: string;
  /** This member's name: the host's region code. @default none @example "us-east-1" */
  member: string;
  /** Tag `nofailover`: the passive region's member carries it unless automatic cross-region failover is on (domain/patroni.ts `memberNoFailover`). @default none */
  noFailover: boolean;
  /** `host:port` of every etcd member's client endpoint, all three regions (the database hosts' pgHost and the witness's etcdHost, port `etcd.clientPort`). @default none @example ["db-use1.internal:2379", "db-usw2.internal:2379", "etcd-use2.internal:2379"] */
  etcdHosts: readonly string[];
  /** ttl, loop_wait, retry_timeout, in seconds, with `loop_wait + 2 x retry_timeout <= ttl`. @default none; the stack's `patroni.*` (30, 10, 10) */
  timings: PatroniTimings;
  /** Port of the REST API (HTTPS), also the port of GET /primary the scripts ask on 127.0.0.1. @default 8008 (`patroni.restApiPort`) */
  restApiPort: number;
  /** `maximum_lag_on_failover`, in bytes. @default none; the stack's one RPO of WAL at the design peak (335544320) */
  maximumLagOnFailoverBytes: number;
  /** Address the other member, the flip and Route53 reach this host's REST API and PostgreSQL at (`databases.<role>.pgHost`). @default none */
  connectHost: string;
  /** Secrets Manager name of the REST API's basic-auth secret (components/patroniRestCredentials.ts). @default none @example "crazy-gary/prod/patroni/rest-api" */
  restApiSecret: string;
}

/** Everything that differs between hosts, stacks and tests. */
export interface DatabaseHostFilesParams {
  /** pgBackRest stanza name. @default "crazy-gary" */
  stanza?: string;
  /** Stack name, the CloudWatch `Environment` dimension. @example "prod" */
  environment: string;
  /** This host's region, the CloudWatch `Region` dimension. @example "us-east-1" */
  hostRegion: string;
  /** Patroni on this host. */
  patroni: HostPatroni;
  /**
   * The repositories, primary region's first (repo1), secondary region's second (repo2).
   * Exactly one must be in `hostRegion`: the host's monitor and restore test use it.
   */
  repositories: readonly RepositoryLocation[];
  /** Full backups are kept this long, in days (runbook: 30). */
  fullRetentionDays: number;
  /** `archive_timeout`: WAL is switched and archived at least this often, in seconds (runbook: RPO / 5 = 60). */
  archiveTimeoutSeconds: number;
  /** pgBackRest parallel processes for backups and async archiving (PostgreSQL keeps serving meanwhile). @default 2 */
  processMax?: number;
  /**
   * pgBackRest parallel processes for a restore (`[global:restore] process-max`): PostgreSQL is
   * down while it runs, so it may take every CPU, and more processes than CPUs overlap the
   * repository's latency (S3) with decompression and writes.
   * @default 8 (for hosts of 8 cores or more: use the host's core count; measured in docs/guides/recovery-tests.md)
   */
  restoreProcessMax?: number;
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
   * Where the standby's streaming connection (`replicator`) may come from, as pg_hba.conf
   * addresses (CIDRs, or "all"); configure-postgres.sh writes one `host replication replicator
   * <address> scram-sha-256` line each. The password is required from every address.
   * @default ["all"] (the other region's host address is not known to the stack)
   * @example ["10.1.0.0/16"]
   */
  replicationClients?: readonly string[];
}

/** A file to write on the host. */
export interface HostFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  /** Octal permission bits. */
  mode: "0644" | "0640" | "0600" | "0755";
  /** Owner group (the owner is root). @default "postgres" for mode 0640 (pgBackRest and Patroni run as postgres), else "root" */
  group?: "root" | "postgres" | "etcd";
}

/** The host's timer jobs: one per schedule. */
export type HostJob = keyof HostSchedules;

/** Names of the systemd units (each a `.service` started by a `.timer`). */
export const UNIT_NAMES = Object.freeze({
  fullBackup: "crazy-gary-backup-full",
  incrementalBackup: "crazy-gary-backup-incr",
  restoreTest: "crazy-gary-restore-test",
  monitor: "crazy-gary-monitor",
  heartbeat: "crazy-gary-heartbeat",
} as const satisfies Record<HostJob, string>);

/** The scripts installed in {@link HostPaths.binDir}. */
export const SCRIPT_NAMES = Object.freeze([
  "lib.sh",
  "backup.sh",
  "restore-test.sh",
  "monitor.sh",
  "heartbeat.sh",
  "configure-postgres.sh",
] as const);

/** Debian 12's Patroni unit (package patroni 3.0.2: /lib/systemd/system/patroni.service), run with a drop-in of the stack's. */
export const PATRONI_UNIT = "patroni.service";
export type ScriptName = (typeof SCRIPT_NAMES)[number];
