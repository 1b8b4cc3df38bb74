/**
 * The rules of the certificates Patroni and etcd run with, as plain values: one CA for the whole
 * cluster, and per member (`primary`, `secondary`, `witness`) one key and one certificate signed by
 * it. The component (components/patroniTls.ts, `@pulumi/tls`) and the real-component harness
 * (dev/patroni/tls.ts, openssl) both read them from here, so the lab's certificates follow the
 * production rules.
 *
 * What the certificates must carry, and why:
 * - Subject alternative names: the member's address as the others dial it (`databases.<role>.pgHost`,
 *   `witness.etcdHost`), plus `127.0.0.1` and `localhost` for the host's own calls (Patroni's
 *   `GET https://127.0.0.1:<port>/primary`, `etcdctl` on the host). An address that is an IP goes
 *   into the IP SANs, a name into the DNS SANs: TLS clients check an IP literal only against IP
 *   SANs (RFC 6125 section 3.1.3.2 / RFC 2818 section 3.1; Go's `crypto/x509` `VerifyHostname`,
 *   which etcd uses, and Python's `ssl.match_hostname`, which Patroni uses, both do so).
 * - Extended key usage serverAuth AND clientAuth on every member: an etcd member's peer certificate
 *   "will be used both for listening on the peer address as well as sending requests to other
 *   peers", and with `client-cert-auth` "etcd will check all incoming HTTPS requests for a client
 *   certificate signed by the trusted CA" (https://etcd.io/docs/v3.4/op-guide/security/); Go's TLS
 *   stack checks the extended key usage against the direction of use. Patroni 3.0.2 presents its
 *   `restapi.certfile` as the client certificate of its member-to-member REST calls
 *   (patroni/request.py `PatroniRequest.reload_config`) and its etcd3 `cert` to etcd.
 * - Key usage digitalSignature + keyEncipherment (RSA key exchange and signatures).
 */
import { isIP } from "node:net";

/** The members that get a certificate: one per region role, and the witness. */
export const TLS_MEMBERS = Object.freeze(["primary", "secondary", "witness"] as const);
export type TlsMember = (typeof TLS_MEMBERS)[number];

/**
 * Key usages (RFC 5280 4.2.1.3 and 4.2.1.12), in the names `@pulumi/tls` `allowedUses` takes:
 * the Terraform provider's snake_case values (hashicorp/terraform-provider-tls
 * `internal/provider/types.go` `supportedKeyUsages`; its docs and every example write
 * "key_encipherment", "digital_signature", "server_auth"). The camelCase list in the SDK's JSDoc
 * is a docs-generator artefact: the provider refuses those values.
 */
export type KeyUsage = "digital_signature" | "key_encipherment" | "server_auth" | "client_auth" | "cert_signing" | "crl_signing";

/** How one kind of certificate is made. */
export interface CertificateRule {
  /** Key algorithm and size. */
  key: { algorithm: "RSA"; rsaBits: number };
  /** Validity from signing, in hours. */
  validityHours: number;
  /**
   * Hours before the end of validity from which `@pulumi/tls` counts the certificate as expired
   * (`readyForRenewal`) and the next `pulumi up` replaces it.
   */
  earlyRenewalHours: number;
  allowedUses: readonly KeyUsage[];
  /** A CA certificate (basicConstraints CA:TRUE), which may sign others. */
  isCa: boolean;
}

const HOURS_PER_YEAR = 24 * 365;

/**
 * The CA: RSA 3072 (NIST SP 800-57 Part 1: 128-bit security, acceptable beyond 2030), valid 10
 * years, renewed by the first `pulumi up` in its last year. Renewing the CA re-signs every member
 * in the same run (their `caCertPem` input changes, which `@pulumi/tls` replaces).
 */
export const CA_CERTIFICATE: Readonly<CertificateRule> = Object.freeze({
  key: { algorithm: "RSA" as const, rsaBits: 3072 },
  validityHours: 10 * HOURS_PER_YEAR,
  earlyRenewalHours: HOURS_PER_YEAR,
  allowedUses: Object.freeze(["cert_signing", "crl_signing", "digital_signature"] as const),
  isCa: true,
});

/**
 * A member: RSA 2048 (RSA rather than ECDSA so that any TLS client of the REST API can talk to
 * it, Route53's health checkers included, whose cipher suites AWS does not list: guess), valid 1
 * year, renewed by the first `pulumi up` in its last 90 days. A stack that sees no `pulumi up`
 * for 9 months keeps valid certificates until the 12th.
 */
export const MEMBER_CERTIFICATE: Readonly<CertificateRule> = Object.freeze({
  key: { algorithm: "RSA" as const, rsaBits: 2048 },
  validityHours: HOURS_PER_YEAR,
  earlyRenewalHours: 90 * 24,
  allowedUses: Object.freeze(["digital_signature", "key_encipherment", "server_auth", "client_auth"] as const),
  isCa: false,
});

/** A certificate's subject alternative names. */
export interface SubjectAltNames {
  ipAddresses: string[];
  dnsNames: string[];
}

const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * The SANs of a member reached at `address`: the address (IP or DNS by its form), 127.0.0.1 and
 * localhost. `key` names the config key the address comes from, for the error on a bad one.
 */
export function memberSubjectAltNames(address: string, key: string): SubjectAltNames {
  const sans: SubjectAltNames = { ipAddresses: ["127.0.0.1"], dnsNames: ["localhost"] };
  if (isIP(address) !== 0) {
    if (!sans.ipAddresses.includes(address)) sans.ipAddresses.unshift(address);
  } else if (DNS_NAME.test(address)) {
    const name = address.replace(/\.$/, "").toLowerCase();
    if (!sans.dnsNames.includes(name)) sans.dnsNames.unshift(name);
  } else {
    throw new Error(`${key}: ${JSON.stringify(address)} is neither an IP address nor a DNS name; use the address the other members reach this host at (e.g. 10.0.1.5 or db-use1.ops.example.com)`);
  }
  return sans;
}

/** openssl names of the key usages (x509v3_config(5)). */
const OPENSSL_USAGE: Record<KeyUsage, { kind: "keyUsage" | "extendedKeyUsage"; name: string }> = {
  digital_signature: { kind: "keyUsage", name: "digitalSignature" },
  key_encipherment: { kind: "keyUsage", name: "keyEncipherment" },
  cert_signing: { kind: "keyUsage", name: "keyCertSign" },
  crl_signing: { kind: "keyUsage", name: "cRLSign" },
  server_auth: { kind: "extendedKeyUsage", name: "serverAuth" },
  client_auth: { kind: "extendedKeyUsage", name: "clientAuth" },
};

/**
 * The same rule as openssl `-extfile` lines (x509v3_config(5)), for the harness that signs with
 * openssl: SANs, key usages, extended key usages, and `basicConstraints` for a CA.
 */
export function opensslExtensions(rule: CertificateRule, sans?: SubjectAltNames): string {
  const of = (kind: "keyUsage" | "extendedKeyUsage") => rule.allowedUses.filter((u) => OPENSSL_USAGE[u].kind === kind).map((u) => OPENSSL_USAGE[u].name);
  const lines = [`basicConstraints = critical, CA:${rule.isCa ? "TRUE" : "FALSE"}`, `keyUsage = critical, ${of("keyUsage").join(", ")}`];
  if (of("extendedKeyUsage").length > 0) lines.push(`extendedKeyUsage = ${of("extendedKeyUsage").join(", ")}`);
  if (sans) lines.push(`subjectAltName = ${[...sans.ipAddresses.map((ip) => `IP:${ip}`), ...sans.dnsNames.map((dns) => `DNS:${dns}`)].join(", ")}`);
  lines.push("subjectKeyIdentifier = hash");
  return `${lines.join("\n")}\n`;
}

/** Validity in whole days, for openssl `-days` (rounded up). */
export const validityDays = (rule: CertificateRule): number => Math.ceil(rule.validityHours / 24);
