/**
 * Certificates of the Patroni harness, made the way production's are: one CA, and per host a key
 * and a certificate signed by it with the product's SANs and usages (domain/memberCertificates.ts,
 * which components/patroniTls.ts gives `@pulumi/tls`); openssl signs here.
 */
import { join } from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { runChecked } from "../../tools/process/exec";
import { writeOwnedFile } from "../postgres/cluster";
import { CA_CERTIFICATE, MEMBER_CERTIFICATE, memberSubjectAltNames, opensslExtensions, validityDays, type CertificateRule } from "../../domain/memberCertificates";

/** Key and certificate files (PEM), readable by `postgres`. */
export interface HostCertificate {
  key: string;
  cert: string;
}

/** A CA: its key and its self-signed certificate (PEM files). */
export type CertificateAuthority = HostCertificate;

const newKey = (file: string, rule: CertificateRule) => runChecked("openssl", ["genpkey", "-algorithm", rule.key.algorithm, "-pkeyopt", `rsa_keygen_bits:${rule.key.rsaBits}`, "-out", file]);

/** Writes a CA key and self-signed CA certificate into `dir` ({@link CA_CERTIFICATE}'s key size, usages and validity). */
export async function certificateAuthority(dir: string, commonName = "Crazy-Gary lab Patroni and etcd CA"): Promise<CertificateAuthority> {
  const files = { key: join(dir, "ca-key.pem"), cert: join(dir, "ca.pem") };
  const config = join(dir, "ca.cnf");
  await writeFile(config, `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = ${commonName}\n[ext]\n${opensslExtensions(CA_CERTIFICATE)}`);
  await newKey(files.key, CA_CERTIFICATE);
  await runChecked("openssl", ["req", "-x509", "-new", "-key", files.key, "-config", config, "-extensions", "ext", "-days", String(validityDays(CA_CERTIFICATE)), "-out", files.cert]);
  return files;
}

/**
 * Writes a key and a certificate for `address` signed by `ca` into `dir`, with the member rules
 * ({@link MEMBER_CERTIFICATE}: SANs = the address, 127.0.0.1, localhost; server and client auth),
 * owned by `postgres` (Patroni reads them as that user). `name` tells files of two certificates
 * in one folder apart.
 */
export async function hostCertificate(ca: CertificateAuthority, dir: string, address: string, name = "host"): Promise<HostCertificate> {
  const files = { key: join(dir, `${name}-key.pem`), cert: join(dir, `${name}-cert.pem`) };
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, opensslExtensions(MEMBER_CERTIFICATE, memberSubjectAltNames(address, "lab address")));
  await newKey(files.key, MEMBER_CERTIFICATE);
  await runChecked("openssl", ["req", "-new", "-key", files.key, "-subj", `/CN=${address}`, "-out", request]);
  await runChecked("openssl", [
    "x509", "-req", "-in", request, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", String(validityDays(MEMBER_CERTIFICATE)), "-extfile", extensions, "-out", files.cert,
  ]);
  for (const file of [files.key, files.cert]) await writeOwnedFile(file, await readFile(file, "utf8"));
  return files;
}
