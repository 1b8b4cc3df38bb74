/**
 * The etcd v3 cluster Patroni uses as its DCS: one member in the primary region, one in the
 * secondary, one in the witness region, so losing any one region leaves a quorum ("For a
 * cluster with n members, quorum is (n/2)+1": 3 members tolerate 1 failure; etcd FAQ,
 * https://etcd.io/docs/v3.4/faq/#why-an-odd-number-of-cluster-members; citations P13).
 * Pure: plain values in, the member's configuration (etcd's `--config-file` keys) out.
 *
 * Timing (https://etcd.io/docs/v3.4/tuning/#time-parameters; citations P13): the heartbeat
 * interval "around the maximum of average round-trip time (RTT) between members, normally
 * around 0.5-1.5x the round-trip time"; "Election timeouts must be at least 10 times the
 * round-trip time"; both "should be the same for all members in one cluster". etcd 3.4 refuses
 * to start when `5 x heartbeat > election` ("--election-timeout[..] should be at least as 5 times
 * as --heartbeat-interval") or election > 50000 ms (etcd-io/etcd `embed/config.go`
 * `Config.Validate`): the stack refuses the same values first.
 */

/** etcd's timing and ports, the same on every member. */
export interface EtcdSettings {
  /** Raft heartbeat interval, in ms. */
  heartbeatIntervalMs: number;
  /** Raft election timeout, in ms. */
  electionTimeoutMs: number;
  /** Client port (Patroni connects here). */
  clientPort: number;
  /** Peer port (members replicate here). */
  peerPort: number;
}

/**
 * Round trip between the farthest two members the defaults are sized for, in ms: us-east-1 to
 * us-west-2 is about 70 ms (guess: typical published inter-region figures; measure with the
 * hosts' own `etcdctl check perf` once they exist).
 */
export const DESIGN_CROSS_REGION_RTT_MS = 70;

/**
 * Defaults for members about 70 ms apart: heartbeat 100 ms (1.4 x RTT, inside 0.5-1.5x),
 * election 1000 ms (14 x RTT >= 10 x RTT, 10 x heartbeat). These happen to be etcd's own
 * defaults, which its docs size for RTTs up to about 100 ms.
 */
export const defaultEtcdSettings: Readonly<EtcdSettings> = Object.freeze({ heartbeatIntervalMs: 100, electionTimeoutMs: 1000, clientPort: 2379, peerPort: 2380 });

/** etcd's upper bound on the election timeout, in ms (`maxElectionMs`, embed/config.go). */
export const ETCD_MAX_ELECTION_MS = 50000;

/** Why these timings would be refused by etcd or break its tuning rules, each with its key and fix; empty when fine. */
export function etcdSettingsProblems(settings: EtcdSettings, rttMs: number = DESIGN_CROSS_REGION_RTT_MS): { key: keyof EtcdSettings; message: string }[] {
  const problems: { key: keyof EtcdSettings; message: string }[] = [];
  const { heartbeatIntervalMs: heartbeat, electionTimeoutMs: election } = settings;
  if (heartbeat < rttMs * 0.5) {
    problems.push({ key: "heartbeatIntervalMs", message: `is below half the ${rttMs} ms cross-region round trip; etcd's tuning guide asks for 0.5-1.5 x RTT: use at least ${Math.ceil(rttMs * 0.5)}, e.g. ${Math.max(Math.ceil(rttMs * 0.5), defaultEtcdSettings.heartbeatIntervalMs)}` });
  }
  if (election < 5 * heartbeat) {
    problems.push({ key: "electionTimeoutMs", message: `is less than 5 x heartbeatIntervalMs (${5 * heartbeat}); etcd refuses to start: use at least ${5 * heartbeat}, e.g. ${10 * heartbeat} (10 x heartbeatIntervalMs)` });
  }
  if (election < 10 * rttMs) {
    problems.push({ key: "electionTimeoutMs", message: `is less than 10 x the ${rttMs} ms cross-region round trip; etcd's tuning guide asks for at least ${10 * rttMs}: use e.g. ${Math.max(10 * rttMs, 10 * heartbeat)}` });
  }
  if (election > ETCD_MAX_ELECTION_MS) {
    problems.push({ key: "electionTimeoutMs", message: `is more than etcd's limit of ${ETCD_MAX_ELECTION_MS} ms; use a smaller value, e.g. ${Math.min(ETCD_MAX_ELECTION_MS, Math.max(10 * heartbeat, defaultEtcdSettings.electionTimeoutMs))}` });
  }
  if (settings.clientPort === settings.peerPort) {
    problems.push({ key: "peerPort", message: `is the same as clientPort (${settings.clientPort}); use two different ports, e.g. ${settings.clientPort + 1}` });
  }
  return problems;
}

/** One etcd member: its name and the address the other members and Patroni reach it at. */
export interface EtcdMember {
  /** Member name: the region code of its host. @example "us-east-2" */
  name: string;
  /** Host name or IP address the others reach it at. @example "etcd-use2.ops.crazy-gary.app" */
  host: string;
}

const url = (scheme: "http" | "https", host: string, port: number) => `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;

/** `host:port` of every member's client endpoint: Patroni's `etcd3.hosts`. */
export const etcdClientHosts = (members: readonly EtcdMember[], settings: Pick<EtcdSettings, "clientPort">): string[] =>
  members.map((m) => `${m.host.includes(":") ? `[${m.host}]` : m.host}:${settings.clientPort}`);

/** What `renderEtcdConfig` needs for one member. */
export interface EtcdConfigParams {
  /** Every member of the cluster, this one included. */
  members: readonly EtcdMember[];
  /** Name of the member this file is for. */
  self: string;
  /** Cluster token; the same for all members, different per stack so two stacks never join. @example "crazy-gary-prod" */
  clusterToken: string;
  /** etcd's data directory. @default "/var/lib/etcd/default" (Debian's etcd-server) */
  dataDir?: string;
  /** Address to listen on. @default "0.0.0.0" */
  listenAddress?: string;
  /** Timing and ports. @default {@link defaultEtcdSettings} */
  settings?: EtcdSettings;
  /**
   * TLS for clients and peers, with client certificates required on both (the product always
   * sets it: components/etcdMemberFiles.ts). @default none: plain http (the dev/patroni lab)
   */
  tls?: EtcdTlsFiles;
}

/** PEM files of one member's TLS, readable by the `etcd` user. */
export interface EtcdTlsFiles {
  /** The CA every member's and client's certificate is signed by. */
  trustedCaFile: string;
  /** This member's certificate: served to clients and peers, and presented as its client certificate to peers. */
  certFile: string;
  /** Its private key. */
  keyFile: string;
}

/**
 * etcd 3.4's `client-transport-security` / `peer-transport-security` block (the `--config-file`
 * keys of `securityConfig`, etcd-io/etcd release-3.4 embed/config.go and etcd.conf.yml.sample).
 * `client-cert-auth`: "etcd will check all incoming HTTPS requests for a client certificate signed
 * by the trusted CA, requests that don't supply a valid client certificate will fail"; the peer
 * options "work the same way", the peer certificate being "used both for listening on the peer
 * address as well as sending requests to other peers" (https://etcd.io/docs/v3.4/op-guide/security/).
 * A renewed certificate and key are read again on every new connection ("Since v3.2.0, TLS
 * certificates get reloaded on every client connection", same page, Notes): no restart; a new CA
 * is only read at start.
 */
export const etcdTransportSecurity = (tls: EtcdTlsFiles) => ({
  "cert-file": tls.certFile,
  "key-file": tls.keyFile,
  "trusted-ca-file": tls.trustedCaFile,
  "client-cert-auth": true,
  "auto-tls": false,
});

/**
 * The member's configuration, as etcd's `--config-file` YAML keys (a plain object; the caller
 * writes it as YAML). `initial-cluster-state: new` is only read when the data directory is
 * empty; a member that already holds data ignores the initial-* keys (etcd clustering guide,
 * https://etcd.io/docs/v3.4/op-guide/configuration/#--initial-cluster-state).
 */
export function renderEtcdConfig(params: EtcdConfigParams): Record<string, string | number | boolean | ReturnType<typeof etcdTransportSecurity>> {
  const settings = params.settings ?? defaultEtcdSettings;
  const problems = etcdSettingsProblems(settings);
  if (problems.length > 0) throw new Error(`etcd settings: ${problems.map((p) => `${p.key} ${p.message}`).join("; ")}`);
  const names = params.members.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new Error(`etcd members: names ${names.join(", ")} repeat one; give each member its own region code`);
  if (params.members.length % 2 === 0) throw new Error(`etcd members: ${params.members.length} members; use an odd number (3: primary, secondary, witness) so a quorum survives one loss`);
  const self = params.members.find((m) => m.name === params.self);
  if (!self) throw new Error(`etcd self: "${params.self}" is not a member; members are ${names.join(", ")}`);
  const listen = params.listenAddress ?? "0.0.0.0";
  const scheme = params.tls ? "https" : "http";
  return {
    name: self.name,
    "data-dir": params.dataDir ?? "/var/lib/etcd/default",
    "heartbeat-interval": settings.heartbeatIntervalMs,
    "election-timeout": settings.electionTimeoutMs,
    "listen-peer-urls": url(scheme, listen, settings.peerPort),
    "listen-client-urls": url(scheme, listen, settings.clientPort),
    "initial-advertise-peer-urls": url(scheme, self.host, settings.peerPort),
    "advertise-client-urls": url(scheme, self.host, settings.clientPort),
    "initial-cluster": params.members.map((m) => `${m.name}=${url(scheme, m.host, settings.peerPort)}`).join(","),
    "initial-cluster-token": params.clusterToken,
    "initial-cluster-state": "new",
    // Patroni 3.0.2 speaks the v3 API through its etcd3 section, over etcd's JSON gateway: etcd 3.4
    // started from a --config-file leaves the gateway off unless asked, and Patroni then gets 404
    // (etcd-io/etcd#12093, patroni/patroni#3630; seen in dev/patroni). v2 stays off.
    "enable-grpc-gateway": true,
    "enable-v2": false,
    // Raft pre-vote: a member cut off from the others keeps starting elections at ever higher
    // terms, and without pre-vote the first message it sends when its region comes back makes
    // the healthy leader step down ("PreVote ... prevents disruption when a node that has been
    // partitioned away rejoins the cluster", raft/raft.go; Raft thesis section 9.6). etcd 3.4
    // leaves it off (embed/config.go `PreVote: false, // TODO: enable by default in v3.5`, on by
    // default from 3.5; https://etcd.io/docs/v3.4/op-guide/configuration/#--pre-vote). Seen in
    // dev/patroni: after a region-down failover the old region's member returned at term 10
    // against the quorum's 2, etcd had no leader for ~5 s on a busy machine, Patroni could not
    // update its lock within retry_timeout, demoted the new leader and cut a running backup
    // (pgBackRest 2.45 then reports only "[101] NULL result required to complete request";
    // pgbackrest/pgbackrest#2789).
    "pre-vote": true,
    ...(params.tls ? { "client-transport-security": etcdTransportSecurity(params.tls), "peer-transport-security": etcdTransportSecurity(params.tls) } : {}),
  };
}
