import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { etcdClientHosts, etcdSettingsProblems, renderEtcdConfig, defaultEtcdSettings } from "../domain/etcd";
import { maximumLagOnFailoverBytes, memberNoFailover, patroniTimingProblem, defaultPatroniTimings } from "../domain/patroni";
import { dynamicConfig, renderPatroniConfig, type PatroniConfigParams } from "../domain/patroniConfig";
import { etcdYaml, patroniYaml, pgbackrestCommands } from "../components/databaseHost/patroniFile";

const members = [
  { name: "us-east-1", host: "db-use1.ops.crazy-gary.app" },
  { name: "us-west-2", host: "db-usw2.ops.crazy-gary.app" },
  { name: "us-east-2", host: "etcd-use2.ops.crazy-gary.app" },
];

const params = (over: Partial<PatroniConfigParams> = {}): PatroniConfigParams => ({
  scope: "crazy-gary-prod",
  member: "us-west-2",
  etcdHosts: etcdClientHosts(members, defaultEtcdSettings),
  timings: defaultPatroniTimings,
  maximumLagOnFailoverBytes: maximumLagOnFailoverBytes(5),
  noFailover: true,
  restApi: { port: 8008, connectHost: "db-usw2.ops.crazy-gary.app", certFile: "/etc/patroni/rest.crt", keyFile: "/etc/patroni/rest.key", caFile: "/etc/patroni/members.crt" },
  postgres: {
    connectHost: "db-usw2.ops.crazy-gary.app",
    port: 5432,
    dataDir: "/var/lib/postgresql/15/main",
    binDir: "/usr/lib/postgresql/15/bin",
    configDir: "/etc/postgresql/15/main",
    socketDir: "/var/run/postgresql",
    pgpassFile: "/var/lib/postgresql/.pgpass.patroni",
  },
  // us-west-2's repository is repo2 (repositories in role order: primary us-east-1, secondary us-west-2).
  ...pgbackrestCommands("/etc/pgbackrest/pgbackrest.conf", "crazy-gary", 2),
  archiveTimeoutSeconds: 60,
  pgHba: ["local all postgres peer", "host replication replicator all scram-sha-256"],
  ...over,
});

describe("Patroni's timing rule loop_wait + 2 x retry_timeout <= ttl", () => {
  it("accepts Patroni's defaults 30 / 10 / 10 (10 + 2 x 10 = 30)", () => {
    expect(patroniTimingProblem({ ttl: 30, loopWait: 10, retryTimeout: 10 })).toBeUndefined();
  });
  it("refuses ttl 30 with retryTimeout 15, naming the sum and the fix", () => {
    expect(patroniTimingProblem({ ttl: 30, loopWait: 10, retryTimeout: 15 })).toBe(
      "loopWait + 2 x retryTimeout = 10 + 2 x 15 = 40 s is more than ttl 30 s; Patroni needs loop_wait + 2 x retry_timeout <= ttl: raise ttl (e.g. ttl: 40) or lower loopWait or retryTimeout",
    );
  });
});

describe("maximum_lag_on_failover from the RPO", () => {
  it("is one RPO of WAL at the design peak rate: 5 min x 64 MiB/min = 335544320 bytes", () => {
    expect(maximumLagOnFailoverBytes(5)).toBe(335544320);
  });
  it("follows a tighter RPO: 2 min -> 134217728 bytes", () => {
    expect(maximumLagOnFailoverBytes(2)).toBe(134217728);
  });
});

describe("nofailover", () => {
  it.each([
    [true, false, false],
    [false, false, true],
    [false, true, false],
    [true, true, false],
  ])("active %s, automatic cross-region failover %s -> nofailover %s", (isActive, automatic, expected) => {
    expect(memberNoFailover({ isActive }, automatic)).toBe(expected);
  });
});

describe("renderPatroniConfig", () => {
  const config = renderPatroniConfig(params());

  it("names the member by region and lists all three etcd members", () => {
    expect(config.name).toBe("us-west-2");
    expect(config.scope).toBe("crazy-gary-prod");
    expect(config.etcd3.hosts).toEqual(["db-use1.ops.crazy-gary.app:2379", "db-usw2.ops.crazy-gary.app:2379", "etcd-use2.ops.crazy-gary.app:2379"]);
  });

  it("bootstraps the DCS with ttl 30, loop_wait 10, retry_timeout 10, maximum_lag_on_failover 335544320 and pg_rewind", () => {
    expect(config.bootstrap.dcs).toEqual({ ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 335544320, postgresql: { use_pg_rewind: true } });
    expect(dynamicConfig(params({ timings: { ttl: 40, loopWait: 10, retryTimeout: 15 } })).ttl).toBe(40);
  });

  it("serves the REST API over HTTPS on 8008 at the host's address", () => {
    expect(config.restapi).toEqual({
      listen: "0.0.0.0:8008",
      connect_address: "db-usw2.ops.crazy-gary.app:8008",
      certfile: "/etc/patroni/rest.crt",
      keyfile: "/etc/patroni/rest.key",
      cafile: "/etc/patroni/members.crt",
    });
  });

  it("archives with archive_mode always through pgBackRest, restores and builds replicas from it first", () => {
    expect(config.postgresql.parameters).toEqual({
      archive_mode: "always",
      archive_command: "pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary archive-push %p",
      archive_timeout: 60,
      unix_socket_directories: "/var/run/postgresql",
    });
    // Its own region's repository only, in the foreground (pgbackrest/pgbackrest#2423 under archive_mode=always).
    expect(config.postgresql.recovery_conf).toEqual({ restore_command: 'pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary --repo=2 --no-archive-async archive-get %f "%p"' });
    expect(config.postgresql.create_replica_methods).toEqual(["pgbackrest", "basebackup"]);
    expect(config.postgresql.pgbackrest).toEqual({ command: "pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=crazy-gary --delta restore", keep_data: true, no_params: true });
    expect(config.postgresql.use_pg_rewind).toBe(true);
  });

  it.each([0, 257, 1.5])("refuses localRepo %s, naming the allowed range", (localRepo) => {
    expect(() => pgbackrestCommands("/etc/pgbackrest/pgbackrest.conf", "crazy-gary", localRepo)).toThrow(
      `pgbackrestCommands: localRepo is ${localRepo}; use the index (1-256) of the repository in the host's region`,
    );
  });

  it("tags the passive member nofailover", () => {
    expect(config.tags.nofailover).toBe(true);
    expect(renderPatroniConfig(params({ noFailover: false })).tags.nofailover).toBe(false);
  });

  it("holds no secret: authentication comes from the environment", () => {
    const text = patroniYaml(params());
    expect(text).not.toMatch(/password/i);
    expect(parse(text)).toEqual(config);
  });

  it("refuses fewer than three etcd members", () => {
    expect(() => renderPatroniConfig(params({ etcdHosts: ["a:2379", "b:2379"] }))).toThrow(
      "patroni etcdHosts: 2 given; list all three etcd members (primary, secondary and witness region)",
    );
  });
});

describe("etcd", () => {
  it("defaults to heartbeat 100 ms and election 1000 ms for a 70 ms cross-region round trip", () => {
    expect(defaultEtcdSettings).toEqual({ heartbeatIntervalMs: 100, electionTimeoutMs: 1000, clientPort: 2379, peerPort: 2380 });
    expect(etcdSettingsProblems(defaultEtcdSettings)).toEqual([]);
  });

  it.each([
    [{ heartbeatIntervalMs: 300, electionTimeoutMs: 1000 }, "electionTimeoutMs", "is less than 5 x heartbeatIntervalMs (1500); etcd refuses to start"],
    [{ heartbeatIntervalMs: 100, electionTimeoutMs: 600 }, "electionTimeoutMs", "is less than 10 x the 70 ms cross-region round trip; etcd's tuning guide asks for at least 700"],
    [{ heartbeatIntervalMs: 20, electionTimeoutMs: 1000 }, "heartbeatIntervalMs", "is below half the 70 ms cross-region round trip"],
    [{ heartbeatIntervalMs: 1000, electionTimeoutMs: 60000 }, "electionTimeoutMs", "is more than etcd's limit of 50000 ms"],
  ])("refuses %j", (timing, key, message) => {
    expect(etcdSettingsProblems({ ...defaultEtcdSettings, ...timing })).toEqual([{ key, message: expect.stringContaining(message) }]);
  });

  it("renders a member with all three peers, the same timings everywhere", () => {
    const config = renderEtcdConfig({ members, self: "us-east-2", clusterToken: "crazy-gary-prod" });
    expect(config).toMatchObject({
      name: "us-east-2",
      "heartbeat-interval": 100,
      "election-timeout": 1000,
      "listen-client-urls": "http://0.0.0.0:2379",
      "advertise-client-urls": "http://etcd-use2.ops.crazy-gary.app:2379",
      "initial-advertise-peer-urls": "http://etcd-use2.ops.crazy-gary.app:2380",
      "initial-cluster":
        "us-east-1=http://db-use1.ops.crazy-gary.app:2380,us-west-2=http://db-usw2.ops.crazy-gary.app:2380,us-east-2=http://etcd-use2.ops.crazy-gary.app:2380",
      "initial-cluster-token": "crazy-gary-prod",
      "enable-grpc-gateway": true,
      // A member whose region comes back must not depose the leader the others elected meanwhile.
      "pre-vote": true,
    });
    expect(parse(etcdYaml({ members, self: "us-east-2", clusterToken: "crazy-gary-prod" }))).toEqual(config);
  });

  it("refuses a member list that cannot keep a quorum through one loss", () => {
    expect(() => renderEtcdConfig({ members: members.slice(0, 2), self: "us-east-1", clusterToken: "t" })).toThrow("etcd members: 2 members; use an odd number");
    expect(() => renderEtcdConfig({ members, self: "eu-west-1", clusterToken: "t" })).toThrow('etcd self: "eu-west-1" is not a member');
  });
});
