/**
 * `PatroniTls`: one CA for the Patroni cluster and its etcd quorum, and for each member
 * (`primary`, `secondary`, `witness`) a key and a certificate signed by it, made by `@pulumi/tls`:
 * the keys stay Pulumi secrets in the stack's state (`privateKeyPem` is an additional secret output
 * of `tls.PrivateKey`), the certificates are declared, and renewal is a plan like any other change;
 * nothing runs openssl on a host. The rules (SANs, usages, validity, key sizes) are plain values in
 * domain/memberCertificates.ts, which the real-component harness signs with too.
 *
 * Used by: Patroni's REST API (restapi certfile/keyfile/cafile: HTTPS, and the client certificate
 * of member-to-member calls), every etcd member's client and peer TLS, Patroni's etcd3 client
 * (cacert/cert/key), and the flip, which verifies the candidate's certificate against the CA.
 *
 * Renewal ("Automatic Renewal", https://www.pulumi.com/registry/packages/tls/api-docs/locallysignedcert/):
 * a certificate inside its `earlyRenewalHours` (or past its validity) has `readyForRenewal` true and
 * "applying the [...] configuration will cause a new certificate to be generated". So the first
 * `pulumi up` in a member's last 90 days signs a new one, and the hosts receive it in the same run;
 * in the CA's last year the CA is renewed and every member re-signed with it (a member's
 * `caCertPem` input changes, and `tls.LocallySignedCert` replaces on any input change).
 * Keys are kept across a renewal (`tls.PrivateKey` has no expiry).
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CA_CERTIFICATE, MEMBER_CERTIFICATE, TLS_MEMBERS, memberSubjectAltNames, type CertificateRule, type TlsMember } from "../domain/memberCertificates";

export const patroniTlsType = "crazygary:dr:PatroniTls";

/** Where a member is reached. */
export interface MemberAddress {
  /** IP address or DNS name the other members dial; it goes into the certificate's SANs. @example "10.0.1.5" */
  address: string;
  /** The config key the address comes from, named in the error on a bad one. @example "databases.primary.pgHost" */
  from: string;
}

export interface PatroniTlsArgs {
  /** The `@pulumi/tls` provider. */
  provider: tls.Provider;
  /** Stack environment, in the CA's name. @example "prod" */
  environment: string;
  /** Each member's address (`databases.<role>.pgHost`, `witness.etcdHost`). */
  members: Record<TlsMember, MemberAddress>;
  /** The CA's key, validity and renewal. @default {@link CA_CERTIFICATE} (RSA 3072, 10 years, renewed in its last year) */
  caRule?: CertificateRule;
  /** Each member's key, validity and renewal. @default {@link MEMBER_CERTIFICATE} (RSA 2048, 1 year, renewed in its last 90 days) */
  memberRule?: CertificateRule;
}

/** One member's certificate and key (PEM). */
export interface MemberTls {
  certPem: pulumi.Output<string>;
  /** A Pulumi secret. */
  keyPem: pulumi.Output<string>;
}

export class PatroniTls extends pulumi.ComponentResource {
  /** The CA certificate (PEM): what every member and the flip trust. */
  readonly caCertPem: pulumi.Output<string>;
  readonly members: Record<TlsMember, MemberTls>;

  constructor(name: string, args: PatroniTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(patroniTlsType, name, {}, opts);
    const caRule = args.caRule ?? CA_CERTIFICATE;
    const memberRule = args.memberRule ?? MEMBER_CERTIFICATE;
    // Every address is checked before any resource is declared.
    const sans = Object.fromEntries(TLS_MEMBERS.map((member) => [member, memberSubjectAltNames(args.members[member].address, args.members[member].from)]));
    const child = { parent: this, provider: args.provider };

    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: caRule.key.algorithm, rsaBits: caRule.key.rsaBits }, child);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: `Crazy-Gary ${args.environment} Patroni and etcd CA`, organization: "Crazy-Gary" },
        isCaCertificate: true,
        validityPeriodHours: caRule.validityHours,
        earlyRenewalHours: caRule.earlyRenewalHours,
        allowedUses: [...caRule.allowedUses],
        setSubjectKeyId: true,
      },
      child,
    );
    this.caCertPem = ca.certPem;

    const signed = (member: TlsMember): MemberTls => {
      const key = new tls.PrivateKey(`${name}-${member}-key`, { algorithm: memberRule.key.algorithm, rsaBits: memberRule.key.rsaBits }, child);
      const request = new tls.CertRequest(
        `${name}-${member}-csr`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: args.members[member].address, organization: "Crazy-Gary", organizationalUnit: `${args.environment} ${member}` },
          ipAddresses: sans[member]!.ipAddresses,
          dnsNames: sans[member]!.dnsNames,
        },
        child,
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${member}-cert`,
        {
          certRequestPem: request.certRequestPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          caCertPem: ca.certPem,
          validityPeriodHours: memberRule.validityHours,
          earlyRenewalHours: memberRule.earlyRenewalHours,
          allowedUses: [...memberRule.allowedUses],
          setSubjectKeyId: true,
        },
        child,
      );
      return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
    };
    this.members = { primary: signed("primary"), secondary: signed("secondary"), witness: signed("witness") };
    this.registerOutputs({ caCertPem: this.caCertPem, members: this.members });
  }
}
