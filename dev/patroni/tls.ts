/** A self-signed certificate per host of the Patroni harness (REST API over HTTPS, S3 over TLS). */
import { join } from "node:path";
import { runChecked } from "../../tools/process/exec";
import { writeOwnedFile } from "../postgres/cluster";
import { readFile } from "node:fs/promises";

/** Key and certificate files (PEM), readable by `postgres`. */
export interface HostCertificate {
  key: string;
  cert: string;
}

/**
 * Writes a fresh key and self-signed certificate for `address` (CN and IP SANs `address` and 127.0.0.1) into `dir`,
 * owned by `postgres` (Patroni reads them as that user). Route53 HTTPS health checks do not
 * validate certificates (citations P15), so a self-signed one per host is what production runs.
 */
export async function hostCertificate(dir: string, address: string): Promise<HostCertificate> {
  const files = { key: join(dir, "host-key.pem"), cert: join(dir, "host-cert.pem") };
  await runChecked("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${address}`,
    // 127.0.0.1 too: the host scripts ask GET https://127.0.0.1:<port>/primary, verified (COORDINATION.md contract).
    "-addext", `subjectAltName=IP:${address},IP:127.0.0.1`, "-keyout", files.key, "-out", files.cert,
  ]);
  for (const file of [files.key, files.cert]) await writeOwnedFile(file, await readFile(file, "utf8"));
  return files;
}
