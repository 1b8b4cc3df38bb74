/**
 * The Patroni/etcd CA and member certificates as the prod and dr plans declare them
 * (components/patroniTls.ts), and the rules behind them (domain/memberCertificates.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CA_CERTIFICATE, MEMBER_CERTIFICATE, memberSubjectAltNames, opensslExtensions } from "../domain/memberCertificates";
import type { Plan } from "../tools/offline";
import { sharedPlan } from "./support/plans";

const hosts = {
  prod: { primary: "db-use1.ops.crazy-gary.app", secondary: "db-usw2.ops.crazy-gary.app", witness: "etcd-use2.ops.crazy-gary.app" },
  dr: { primary: "db-use2.dr.ops.crazy-gary.app", secondary: "db-usw1.dr.ops.crazy-gary.app", witness: "etcd-usw2.dr.ops.crazy-gary.app" },
} as const;

describe.each(["prod", "dr"] as const)("%s plan", (stack) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await sharedPlan(stack);
  });
  const named = (name: string) => {
    const found = plan.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource ${name} in the ${stack} plan`);
    return found;
  };

  it("makes one CA: an RSA 3072 key, a self-signed CA certificate valid 10 years (87600 h), renewed from its last year (8760 h)", () => {
    expect(named("patroni-tls-ca-key").inputs).toEqual({ algorithm: "RSA", rsaBits: 3072 });
    expect(named("patroni-tls-ca").inputs).toEqual({
      privateKeyPem: "[secret]",
      subject: { commonName: `Crazy-Gary ${stack} Patroni and etcd CA`, organization: "Crazy-Gary" },
      isCaCertificate: true,
      validityPeriodHours: 87600,
      earlyRenewalHours: 8760,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      setSubjectKeyId: true,
    });
    expect(plan.outputs.patroniCaCertPem).toBe("-----BEGIN CERTIFICATE-----\nmock patroni-tls-ca\n-----END CERTIFICATE-----\n");
  });

  describe.each(["primary", "secondary", "witness"] as const)("member %s", (member) => {
    it("asks for a certificate naming its address, 127.0.0.1 and localhost, with its own RSA 2048 key", () => {
      expect(named(`patroni-tls-${member}-key`).inputs).toEqual({ algorithm: "RSA", rsaBits: 2048 });
      expect(named(`patroni-tls-${member}-csr`).inputs).toEqual({
        privateKeyPem: "[secret]",
        subject: { commonName: hosts[stack][member], organization: "Crazy-Gary", organizationalUnit: `${stack} ${member}` },
        ipAddresses: ["127.0.0.1"],
        dnsNames: [hosts[stack][member], "localhost"],
      });
    });

    it("is signed by the CA for server and client auth, valid 1 year (8760 h), renewed from its last 90 days (2160 h)", () => {
      const cert = named(`patroni-tls-${member}-cert`);
      expect(cert.inputs).toEqual({
        certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nmock patroni-tls-${member}-csr\n-----END CERTIFICATE REQUEST-----\n`,
        caPrivateKeyPem: "[secret]",
        caCertPem: "-----BEGIN CERTIFICATE-----\nmock patroni-tls-ca\n-----END CERTIFICATE-----\n",
        validityPeriodHours: 8760,
        earlyRenewalHours: 2160,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
        setSubjectKeyId: true,
      });
      expect(cert.parent).toBe(named("patroni-tls").urn);
    });
  });

  it("makes every key, request and certificate through the tls provider, under the component", () => {
    const tlsResources = plan.resources.filter((r) => r.type.startsWith("tls:index/"));
    expect(tlsResources.map((r) => r.name).sort()).toEqual(
      ["ca", "ca-key", ...["primary", "secondary", "witness"].flatMap((m) => [`${m}-cert`, `${m}-csr`, `${m}-key`])].map((n) => `patroni-tls-${n}`).sort(),
    );
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:tls")!;
    for (const r of tlsResources) expect(r.provider?.startsWith(`${provider.urn}::`), r.name).toBe(true);
  });
});

describe("an address that is an IP", () => {
  it("goes into the IP SANs (an IP literal is matched against IP SANs only), the plan included", async () => {
    expect(memberSubjectAltNames("10.0.1.5", "databases.primary.pgHost")).toEqual({ ipAddresses: ["10.0.1.5", "127.0.0.1"], dnsNames: ["localhost"] });
    expect(memberSubjectAltNames("fd00::5", "witness.etcdHost")).toEqual({ ipAddresses: ["fd00::5", "127.0.0.1"], dnsNames: ["localhost"] });
    const plan = await sharedPlan("prod", ["witness.etcdHost=10.3.0.7"]);
    expect(plan.resources.find((r) => r.name === "patroni-tls-witness-csr")!.inputs).toMatchObject({ ipAddresses: ["10.3.0.7", "127.0.0.1"], dnsNames: ["localhost"] });
  });

  it("is not repeated when it is 127.0.0.1 or localhost, and a name is lower-cased without its final dot", () => {
    expect(memberSubjectAltNames("127.0.0.1", "k")).toEqual({ ipAddresses: ["127.0.0.1"], dnsNames: ["localhost"] });
    expect(memberSubjectAltNames("DB-1.Example.com.", "k")).toEqual({ ipAddresses: ["127.0.0.1"], dnsNames: ["db-1.example.com", "localhost"] });
  });

  it("refuses an address that is neither, naming the key and the value", () => {
    expect(() => memberSubjectAltNames("db host", "databases.secondary.pgHost")).toThrow(
      'databases.secondary.pgHost: "db host" is neither an IP address nor a DNS name; use the address the other members reach this host at (e.g. 10.0.1.5 or db-use1.ops.example.com)',
    );
  });
});

describe("the same rules for openssl (the real-component harness)", () => {
  it("a member: not a CA, digitalSignature + keyEncipherment, serverAuth + clientAuth, its SANs", () => {
    expect(opensslExtensions(MEMBER_CERTIFICATE, memberSubjectAltNames("10.0.1.5", "k"))).toBe(
      [
        "basicConstraints = critical, CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        "extendedKeyUsage = serverAuth, clientAuth",
        "subjectAltName = IP:10.0.1.5, IP:127.0.0.1, DNS:localhost",
        "subjectKeyIdentifier = hash",
        "",
      ].join("\n"),
    );
  });
  it("the CA: a CA that signs certificates and CRLs", () => {
    expect(opensslExtensions(CA_CERTIFICATE)).toBe("basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign, digitalSignature\nsubjectKeyIdentifier = hash\n");
  });
});
