/**
 * One member's `patroni.yml`, as a plain object (components/databaseHost/patroniFile.ts writes
 * it as YAML; the real-component harness dev/patroni uses the very same object). Pure: plain
 * values in, the configuration out; no secret ever goes into it.
 *
 * Patroni behaviours this file relies on (Patroni 3.0.2; https://patroni.readthedocs.io/en/latest/):
 * - Secrets come from the environment, never from the file: PATRONI_RESTAPI_USERNAME/PASSWORD
 *   (`restapi.authentication`), PATRONI_SUPERUSER_USERNAME/PASSWORD and
 *   PATRONI_REPLICATION_USERNAME/PASSWORD (`postgresql.authentication`), and the environment
 *   overrides the file (patroni/config.py `_build_environment_configuration`, patched over the
 *   file in `_load_config_file`; ENVIRONMENT.html). The host's unit reads them from an
 *   EnvironmentFile written from Secrets Manager.
 * - `restapi.certfile`/`keyfile` turn on HTTPS; "the unsafe endpoints can be protected with
 *   HTTP basic-auth by setting restapi.authentication" (security.html; citations P3). GET
 *   /primary answers 200 on the leader only (rest_api.html; citations P3), already while its
 *   promotion still runs (domain/patroniFlip.ts `primaryReadiness`).
 * - `bootstrap.dcs` is written to the DCS `/config` key once, when the cluster is initialised;
 *   later changes go through PATCH /config (dynamic_configuration.html). The host's configure
 *   step PATCHes {@link dynamicConfig} on every deploy so stack config keeps governing it.
 * - Local `postgresql.parameters` apply on reload, except the settings Patroni passes on the
 *   command line (max_connections, max_wal_senders, max_worker_processes, wal_level,
 *   wal_log_hints, ...: `CMDLINE_OPTIONS` in patroni/postgresql/config.py), which come from the
 *   dynamic configuration only; Patroni always sets `wal_log_hints = on`, which `use_pg_rewind`
 *   needs (yaml_configuration.html#postgresql; citations P7).
 * - `create_replica_methods` are tried in order, "Patroni will stop on the first one that
 *   returns 0"; the pgbackrest method with `keep_data: True, no_params: True` is the docs' own
 *   example (replica_bootstrap.html#building-replicas; citations P8).
 * - `recovery_conf.restore_command` is written into postgresql.conf on PostgreSQL 12+ ("Patroni
 *   handles it transparently", dynamic_configuration.html; citations P8).
 * - `archive_mode: always`: "the standby will call the archive command for every WAL segment it
 *   receives", so a promoted standby leaves no gap in the archive, which with `on` it would
 *   ("will not archive any WAL or timeline history files that it did not generate itself"):
 *   PostgreSQL 15 docs 27.2.9 "Continuous Archiving in Standby",
 *   https://www.postgresql.org/docs/15/warm-standby.html#CONTINUOUS-ARCHIVING-IN-STANDBY
 *   (26.2.9 from PostgreSQL 16; citations P10). Both members then push the same segments into
 *   the same repositories: pgBackRest 2.45 archive-push succeeds without a second copy when the
 *   segment is already there with the same checksum, and fails with ArchiveDuplicateError when
 *   it differs, never overwriting (src/command/archive/push/file.c at release/2.45; citations
 *   P12d). Its `check` and `backup` refuse `archive_mode=always` unless `archive-mode-check=n`
 *   (src/command/check/common.c; https://pgbackrest.org/configuration.html#section-archive/option-archive-mode-check),
 *   which the rendered pgbackrest.conf sets.
 */
import type { PatroniTimings } from "./patroni";

/** What {@link renderPatroniConfig} needs for one member. */
export interface PatroniConfigParams {
  /** Cluster name, the same on every member. @example "crazy-gary-prod" */
  scope: string;
  /** DCS key prefix, the same on every member. @default "/crazy-gary/" */
  namespace?: string;
  /** This member's name: its region code. @example "us-east-1" */
  member: string;
  /** `host:port` of every etcd member's client endpoint (domain/etcd.ts `etcdClientHosts`). */
  etcdHosts: readonly string[];
  /**
   * TLS of Patroni's etcd v3 client: `protocol: https` and these PEM files (Patroni's etcd3
   * section takes `protocol`, `cacert`, `cert`, `key`: yaml_configuration.html#etcd).
   * @default none: plain http (the dev/patroni harness)
   */
  etcdTls?: { caFile: string; certFile: string; keyFile: string };
  /** ttl, loop_wait, retry_timeout, in seconds. */
  timings: PatroniTimings;
  /** `maximum_lag_on_failover`, in bytes (domain/patroni.ts `maximumLagOnFailoverBytes`). */
  maximumLagOnFailoverBytes: number;
  /** Tag `nofailover` of this member (domain/patroni.ts `memberNoFailover`). */
  noFailover: boolean;
  /** The REST API. */
  restApi: {
    /** Port. @default 8008 */
    port: number;
    /** Address the others and Route53 reach this member's API at (no port). */
    connectHost: string;
    /** Listen address. @default "0.0.0.0" */
    listenHost?: string;
    /** PEM certificate (HTTPS). */
    certFile: string;
    /** PEM key. */
    keyFile: string;
    /**
     * PEM of the CA the members' certificates are signed by (`PatroniTls`). Patroni 3.0.2 presents `certfile` as its client
     * certificate on member-to-member calls and verifies the peer against `cafile`
     * (patroni/request.py `reload_config`): with self-signed certificates a switchover fails
     * "no good candidates have been found" unless each member trusts the others' (seen in dev/patroni).
     */
    caFile: string;
  };
  /** PostgreSQL on the member. */
  postgres: {
    /** Address the other member's PostgreSQL reaches this one at (no port). */
    connectHost: string;
    /** Listen address(es). @default "*" */
    listenHost?: string;
    port: number;
    dataDir: string;
    binDir: string;
    /** Folder of postgresql.conf (Debian: /etc/postgresql/15/main). @default dataDir */
    configDir?: string;
    /** Unix socket folder. */
    socketDir: string;
    /** Password file Patroni writes for replication and rewind connections. */
    pgpassFile: string;
  };
  /** `archive_command` (pgBackRest archive-push). */
  archiveCommand: string;
  /** `restore_command` (pgBackRest archive-get). */
  restoreCommand: string;
  /** The pgbackrest replica method's command (a `pgbackrest ... --delta restore`). */
  replicaFromBackupCommand: string;
  /** `archive_timeout`, in seconds (RPO / 5). */
  archiveTimeoutSeconds: number;
  /**
   * pg_hba.conf lines for Patroni to write. Empty: Patroni leaves pg_hba.conf as it is
   * (patroni/postgresql/config.py `replace_pg_hba` in 3.0.2 writes it only when `pg_hba` is
   * given), which the database hosts rely on: their pg_hba.conf keeps the application's lines,
   * and configure-postgres.sh keeps the roles' block in it.
   */
  pgHba: readonly string[];
}

/** The dynamic (cluster-wide, DCS-held) part: `bootstrap.dcs` at first start, PATCH /config afterwards. */
export function dynamicConfig(params: Pick<PatroniConfigParams, "timings" | "maximumLagOnFailoverBytes">) {
  return {
    ttl: params.timings.ttl,
    loop_wait: params.timings.loopWait,
    retry_timeout: params.timings.retryTimeout,
    maximum_lag_on_failover: params.maximumLagOnFailoverBytes,
    postgresql: { use_pg_rewind: true },
  };
}

/** One member's patroni.yml as an object. */
export function renderPatroniConfig(params: PatroniConfigParams) {
  if (params.etcdHosts.length < 3) {
    throw new Error(`patroni etcdHosts: ${params.etcdHosts.length} given; list all three etcd members (primary, secondary and witness region) so one region's loss leaves a quorum`);
  }
  const { restApi, postgres } = params;
  return {
    scope: params.scope,
    namespace: params.namespace ?? "/crazy-gary/",
    name: params.member,
    restapi: {
      listen: `${restApi.listenHost ?? "0.0.0.0"}:${restApi.port}`,
      connect_address: `${restApi.connectHost}:${restApi.port}`,
      certfile: restApi.certFile,
      keyfile: restApi.keyFile,
      cafile: restApi.caFile,
    },
    etcd3: {
      hosts: [...params.etcdHosts],
      ...(params.etcdTls ? { protocol: "https", cacert: params.etcdTls.caFile, cert: params.etcdTls.certFile, key: params.etcdTls.keyFile } : {}),
    },
    bootstrap: { dcs: dynamicConfig(params) },
    postgresql: {
      listen: `${postgres.listenHost ?? "*"}:${postgres.port}`,
      connect_address: `${postgres.connectHost}:${postgres.port}`,
      data_dir: postgres.dataDir,
      bin_dir: postgres.binDir,
      config_dir: postgres.configDir ?? postgres.dataDir,
      pgpass: postgres.pgpassFile,
      // Patroni's own connections to its server go over the Unix socket as the postgres OS user
      // (peer, Debian's default pg_hba line), so no superuser password is needed on the host
      // (patroni/postgresql/config.py `_local_address` in 3.0.2; the superuser's password is
      // optional, validator.py `userattributes`).
      use_unix_socket: true,
      use_pg_rewind: true,
      // A failed rewind leaves the data directory for a person to look at, never deletes it.
      remove_data_directory_on_rewind_failure: false,
      create_replica_methods: ["pgbackrest", "basebackup"],
      pgbackrest: { command: params.replicaFromBackupCommand, keep_data: true, no_params: true },
      basebackup: [{ checkpoint: "fast" }],
      recovery_conf: { restore_command: params.restoreCommand },
      parameters: {
        archive_mode: "always",
        archive_command: params.archiveCommand,
        archive_timeout: params.archiveTimeoutSeconds,
        unix_socket_directories: postgres.socketDir,
      },
      ...(params.pgHba.length > 0 ? { pg_hba: [...params.pgHba] } : {}),
    },
    tags: { nofailover: params.noFailover, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

export type PatroniConfig = ReturnType<typeof renderPatroniConfig>;
