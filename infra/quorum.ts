/**
 * The etcd quorum's wiring (called by `stack.ts`): one CA and a certificate per member for Patroni
 * and etcd (components/patroniTls.ts), which the database hosts (infra/backups.ts), the etcd
 * witness and the flip (infra/failover.ts) all use; and the witness region's etcd member
 * (components/etcdWitness.ts). The database hosts' members are rendered from the same
 * `etcdMembers` and `etcdClusterToken`.
 */
import { EtcdWitness } from "../components/etcdWitness";
import { PatroniTls, type MemberAddress } from "../components/patroniTls";
import type { EtcdMember } from "../domain/etcd";
import type { TlsMember } from "../domain/memberCertificates";
import type { StackConfig } from "./config";
import type { RegionProviders } from "./regions";

/** Each member's address as the others dial it, with the config key it comes from. */
export function memberAddresses(config: Pick<StackConfig, "databases" | "witness">): Record<TlsMember, MemberAddress> {
  return {
    primary: { address: config.databases.primary.pgHost, from: "databases.primary.pgHost" },
    secondary: { address: config.databases.secondary.pgHost, from: "databases.secondary.pgHost" },
    witness: { address: config.witness.etcdHost, from: "witness.etcdHost" },
  };
}

/** The three etcd members, named by their region codes: the primary's and secondary's database hosts, and the witness. */
export function etcdMembers(config: Pick<StackConfig, "regions" | "databases" | "witness">): EtcdMember[] {
  const addresses = memberAddresses(config);
  return (["primary", "secondary", "witness"] as const).map((member) => ({ name: config.regions[member], host: addresses[member].address }));
}

/** The cluster token: one per stack, so prod's and dr's members never join each other. */
export const etcdClusterToken = (environment: string): string => `crazy-gary-${environment}`;

export function declareQuorum(config: StackConfig, providers: RegionProviders) {
  const tls = new PatroniTls("patroni-tls", { provider: providers.tls, environment: config.environment, members: memberAddresses(config) });
  const witness = new EtcdWitness("etcd-witness", {
    provider: providers.command,
    connection: { host: config.witness.sshHost, user: config.witness.sshUser, port: config.witness.sshPort, privateKey: config.witnessSecrets.sshPrivateKey },
    etcd: { members: etcdMembers(config), self: config.regions.witness, clusterToken: etcdClusterToken(config.environment), settings: config.etcd },
    tls: { caCertPem: tls.caCertPem, ...tls.members.witness },
  });
  return {
    tls,
    witness,
    outputs: {
      /** The CA every Patroni and etcd member's certificate is signed by (PEM): `curl --cacert`, `etcdctl --cacert`. */
      patroniCaCertPem: tls.caCertPem,
    },
  };
}
