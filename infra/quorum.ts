/**
 * The etcd quorum's wiring (called by `stack.ts`): one CA and a certificate per member for Patroni
 * and etcd (components/patroniTls.ts), which the database hosts (infra/backups.ts), the etcd
 * witness and the flip (infra/failover.ts) all use.
 */
import { PatroniTls, type MemberAddress } from "../components/patroniTls";
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

export function declareQuorum(config: StackConfig, providers: RegionProviders) {
  const tls = new PatroniTls("patroni-tls", { provider: providers.tls, environment: config.environment, members: memberAddresses(config) });
  return {
    tls,
    outputs: {
      /** The CA every Patroni and etcd member's certificate is signed by (PEM): `curl --cacert`, `etcdctl --cacert`. */
      patroniCaCertPem: tls.caCertPem,
    },
  };
}
