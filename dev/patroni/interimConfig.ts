/**
 * Interim: patroni.yml and the etcd member's config for the harness, shaped as the product's
 * renderer (domain/patroni*, written by the `patroni` helper, #21) will render them. Replaced by
 * that renderer as soon as it lands; until then the harness proves the same settings.
 *
 * Settings that matter to the proofs, with their sources (/tmp/citations.md):
 * - `ttl`, `loop_wait`, `retry_timeout` with `loop_wait + 2 * retry_timeout <= ttl`
 *   (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html, P2);
 * - `use_pg_rewind` with `wal_log_hints` so a former primary rejoins as a replica
 *   (https://patroni.readthedocs.io/en/latest/yaml_configuration.html#postgresql, P7);
 * - `nofailover` on the passive member (P4); the flip lifts it on the candidate;
 * - `archive_mode = always` so the standby archives the WAL it receives
 *   (https://www.postgresql.org/docs/15/warm-standby.html#CONTINUOUS-ARCHIVING-IN-STANDBY, P10),
 *   with pgBackRest's `archive-mode-check=n`, without which check and backup refuse it
 *   (pgbackrest/pgbackrest release/2.45 src/command/check/common.c, P12d);
 * - `create_replica_methods: [pgbackrest, basebackup]`
 *   (https://patroni.readthedocs.io/en/latest/replica_bootstrap.html#building-replicas, P8).
 */
import { stringify } from "yaml";

/** Patroni and etcd timings, in seconds and milliseconds. */
export interface ClusterTimings {
  /** Leader lock TTL, in seconds. */
  ttl: number;
  /** Seconds between HA loop runs. */
  loopWait: number;
  /** Seconds a DCS or PostgreSQL operation is retried before it counts as failed. */
  retryTimeout: number;
  /** etcd heartbeat interval, in ms. */
  heartbeatIntervalMs: number;
  /** etcd election timeout, in ms. */
  electionTimeoutMs: number;
}

/** Everything one member's patroni.yml depends on. */
export interface MemberConfigParams {
  scope: string;
  /** Member name: its region code. */
  name: string;
  /** Address of this host (REST API, PostgreSQL). */
  address: string;
  /** Every etcd member's client address, `host:port`. */
  etcdHosts: readonly string[];
  /**
   * `caFile`: every member's certificate. Patroni 3.0.2 presents `restapi.certfile` as its client
   * certificate on member-to-member calls and then verifies the peer (patroni/patroni v3.0.2
   * patroni/request.py `reload_config`: "With client certificate the cert_reqs must be set to
   * CERT_REQUIRED even if insecure option is used"), so a switchover's candidate check fails with
   * "certificate verify failed" unless each member trusts the others' self-signed certificates.
   */
  restApi: { port: number; certFile: string; keyFile: string; caFile: string; username: string; password: string };
  postgres: {
    port: number;
    dataDir: string;
    binDir: string;
    socketDir: string;
    passFile: string;
    superuserPassword: string;
    replicatorPassword: string;
    /** The subnet of the hosts (replication and clients, scram-sha-256). */
    network: string;
    /** Extra PostgreSQL parameters (e.g. a tuned max_connections). */
    parameters?: Record<string, string | number>;
    /** pg_hba.conf lines placed before the others (first match wins). */
    hbaFirst?: readonly string[];
  };
  /** pgBackRest config file and stanza for archive, restore and replica creation; `localRepo`: the index of this region's repository. */
  pgbackrest: { config: string; stanza: string; localRepo: number };
  timings: ClusterTimings;
  /** Maximum bytes a candidate may lag and still be promoted automatically. */
  maximumLagOnFailover: number;
  /** The member may not become leader (the passive region, until the flip lifts it). */
  nofailover: boolean;
}

/** patroni.yml for one member. */
export function renderPatroniYaml(p: MemberConfigParams): string {
  const pgbackrest = `pgbackrest --config=${p.pgbackrest.config} --stanza=${p.pgbackrest.stanza}`;
  // WAL and replicas come from this region's repository only, and archive-get runs in the
  // foreground: an unreachable repository then costs nothing, and pgBackRest 2.45's async
  // archive-get shares the archive lock with async archive-push (archive_mode = always), so its
  // foreground process waited out archive-timeout (60 s) per segment here, and a promotion
  // waited for it (pgbackrest/pgbackrest#2423, fixed after 2.45 by #2806).
  const fetch = `${pgbackrest} --repo=${p.pgbackrest.localRepo}`;
  const config = {
    scope: p.scope,
    name: p.name,
    log: { level: "INFO" },
    restapi: {
      listen: `${p.address}:${p.restApi.port}`,
      connect_address: `${p.address}:${p.restApi.port}`,
      certfile: p.restApi.certFile,
      keyfile: p.restApi.keyFile,
      cafile: p.restApi.caFile,
      authentication: { username: p.restApi.username, password: p.restApi.password },
    },
    ctl: { insecure: true },
    etcd3: { hosts: [...p.etcdHosts], protocol: "http" },
    bootstrap: {
      dcs: {
        ttl: p.timings.ttl,
        loop_wait: p.timings.loopWait,
        retry_timeout: p.timings.retryTimeout,
        maximum_lag_on_failover: p.maximumLagOnFailover,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: "replica",
            hot_standby: "on",
            wal_log_hints: "on",
            archive_timeout: 60,
            max_wal_senders: 10,
            max_replication_slots: 10,
            ...p.postgres.parameters,
          },
        },
      },
      initdb: [{ encoding: "UTF8" }, { locale: "C" }, "data-checksums"],
    },
    postgresql: {
      listen: `${p.address},127.0.0.1:${p.postgres.port}`,
      connect_address: `${p.address}:${p.postgres.port}`,
      use_unix_socket: true,
      data_dir: p.postgres.dataDir,
      bin_dir: p.postgres.binDir,
      pgpass: p.postgres.passFile,
      authentication: {
        superuser: { username: "postgres", password: p.postgres.superuserPassword },
        replication: { username: "replicator", password: p.postgres.replicatorPassword },
      },
      // Local, not dynamic: the command names this host's config file.
      parameters: { unix_socket_directories: p.postgres.socketDir, fsync: "off", archive_mode: "always", archive_command: `${pgbackrest} archive-push %p` },
      pg_hba: [
        ...(p.postgres.hbaFirst ?? []),
        "local all all trust",
        `host replication replicator ${p.postgres.network} scram-sha-256`,
        // Patroni reads a replica's timeline over a local replication connection.
        "host replication replicator 127.0.0.1/32 scram-sha-256",
        `host all all ${p.postgres.network} scram-sha-256`,
        "host all all 127.0.0.1/32 scram-sha-256",
      ],
      create_replica_methods: ["pgbackrest", "basebackup"],
      pgbackrest: { command: `${fetch} --delta restore`, keep_data: true, no_params: true },
      basebackup: [{ checkpoint: "fast" }],
      recovery_conf: { restore_command: `${fetch} --no-archive-async archive-get %f "%p"` },
    },
    tags: { nofailover: p.nofailover },
  };
  return stringify(config);
}

/** One etcd member of the three-region quorum. */
export interface EtcdMemberParams {
  name: string;
  address: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** Every member as name -> address. */
  members: Readonly<Record<string, string>>;
  clusterToken: string;
  timings: ClusterTimings;
}

/** etcd's YAML config file (`etcd --config-file`) for one member. */
export function renderEtcdConfig(p: EtcdMemberParams): string {
  return stringify({
    name: p.name,
    "data-dir": p.dataDir,
    "listen-peer-urls": `http://${p.address}:${p.peerPort}`,
    "listen-client-urls": `http://${p.address}:${p.clientPort},http://127.0.0.1:${p.clientPort}`,
    "initial-advertise-peer-urls": `http://${p.address}:${p.peerPort}`,
    "advertise-client-urls": `http://${p.address}:${p.clientPort}`,
    "initial-cluster": Object.entries(p.members).map(([name, address]) => `${name}=http://${address}:${p.peerPort}`).join(","),
    "initial-cluster-state": "new",
    "initial-cluster-token": p.clusterToken,
    "heartbeat-interval": p.timings.heartbeatIntervalMs,
    "election-timeout": p.timings.electionTimeoutMs,
    // Patroni's etcd3 client speaks etcd's gRPC gateway (JSON over HTTP, patroni/patroni#3630),
    // which etcd 3.4 turns on for command-line flags but not for a config file (etcd-io/etcd#12093).
    "enable-grpc-gateway": true,
  });
}
