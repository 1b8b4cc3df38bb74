/**
 * The product's etcd member files on real etcd 3.4 (Debian's etcd-server): three members, one per
 * region (each in its own network namespace, as dev/patroni does), each started as Debian's
 * etcd.service starts it (user `etcd`, the package's ETCD_NAME and ETCD_DATA_DIR in the
 * environment) plus the product's drop-in (ETCD_CONFIG_FILE), from the files
 * components/etcdMemberFiles.ts renders and installFilesScript installs, with certificates made
 * by the product's rules (domain/memberCertificates.ts; openssl signs here, @pulumi/tls in the
 * stack). Proves: the members form a quorum over TLS (the product's bounded health wait passes in
 * every region), each under its region's name in its own data directory; a client without a
 * certificate, with one of another CA, or over plain http is refused.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installFilesScript } from "../../components/databaseHost";
import { etcdDataDirCommand, etcdHealthScript, etcdMemberFiles, etcdTlsFiles, etcdTlsFilePaths, type EtcdHostPaths } from "../../components/etcdMemberFiles";
import { defaultEtcdSettings } from "../../domain/etcd";
import { Daemon } from "../../dev/patroni/daemon";
import { REGION_ROLES, RegionNetwork, type RegionRole } from "../../dev/patroni/network";
import { certificateAuthority, hostCertificate, type CertificateAuthority } from "../../dev/patroni/tls";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import { waitFor } from "../../dev/postgres/waitFor";

const REGION_CODES: Record<RegionRole, string> = { primary: "us-east-1", secondary: "us-west-2", witness: "us-east-2" };
/** What Debian 12's /lib/systemd/system/etcd.service sets (etcd-server 3.4.23-4): the product's config file must win over both. */
const debianUnitEnvironment = { ETCD_NAME: "debian-hostname", ETCD_DATA_DIR: "/var/lib/etcd/default", DAEMON_ARGS: "" };

let network: RegionNetwork;
let root = "";
let ca: CertificateAuthority;
const paths = {} as Record<RegionRole, EtcdHostPaths>;
const daemons: Daemon[] = [];

/** `bash -s` with `script` on stdin, as root inside the region (as the remote commands run it on the host). */
function asRoot(role: RegionRole, script: string): Promise<CommandResult> {
  return runCommand("ip", ["netns", "exec", network.namespace(role), "bash", "-s"], { input: script, timeoutMs: 300_000 });
}

/** `etcdctl` from inside `role` against `endpoint`, with the given TLS flags. */
const etcdctl = (role: RegionRole, args: readonly string[]) =>
  runCommand("ip", ["netns", "exec", network.namespace(role), "etcdctl", "--dial-timeout=3s", "--command-timeout=5s", ...args], { env: { ETCDCTL_API: "3" }, timeoutMs: 30_000 });

/** The `Environment=` settings of a rendered systemd drop-in. */
const dropInEnvironment = (text: string): Record<string, string> =>
  Object.fromEntries([...text.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

beforeAll(async () => {
  network = await RegionNetwork.create("cgwt-");
  root = await mkdtemp(join(tmpdir(), "cg-etcd-tls-"));
  await chmod(root, 0o755);
  ca = await certificateAuthority(await mkdtemp(join(root, "ca-")));
  const members = REGION_ROLES.map((role) => ({ name: REGION_CODES[role], host: network.address(role) }));
  for (const role of REGION_ROLES) {
    const base = join(root, role);
    paths[role] = { configFile: `${base}/etc/etcd/crazy-gary.yml`, tlsDir: `${base}/etc/etcd/tls`, dataDir: `${base}/var/lib/etcd/crazy-gary`, systemdDir: `${base}/etc/systemd/system` };
    const certDir = await mkdtemp(join(root, `${role}-certs-`));
    const cert = await hostCertificate(ca, certDir, network.address(role));
    const pems = { caCertPem: await readFile(ca.cert, "utf8"), certPem: await readFile(cert.cert, "utf8"), keyPem: await readFile(cert.key, "utf8") };
    const files = [...etcdMemberFiles({ members, self: REGION_CODES[role], clusterToken: `crazy-gary-${network.prefix}`, settings: defaultEtcdSettings, paths: paths[role] }), ...etcdTlsFiles(paths[role], pems)];
    const installed = await asRoot(role, `${installFilesScript(files)}install -d -m 0755 '${base}/var/lib/etcd'\n${etcdDataDirCommand(paths[role])}\n`);
    if (installed.code !== 0) throw new Error(`installing ${role}'s files failed:\n${installed.stderr}`);
    const dropIn = dropInEnvironment(files.find((f) => f.path.endsWith("etcd.service.d/crazy-gary.conf"))!.content);
    daemons.push(
      Daemon.start(
        `etcd ${role}`,
        ["ip", ["netns", "exec", network.namespace(role), "setpriv", "--reuid=etcd", "--regid=etcd", "--init-groups", "/usr/bin/etcd"]],
        { logFile: join(root, `${role}-etcd.log`), env: { HOME: "/var/lib/etcd", ...debianUnitEnvironment, ...dropIn } },
      ),
    );
  }
});

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop();
  await network?.destroy();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("three etcd members from the product's files, over TLS", () => {
  it("form a quorum: the product's bounded health wait passes in every region", async () => {
    const results = await Promise.all(REGION_ROLES.map((role) => asRoot(role, etcdHealthScript({ member: REGION_CODES[role], clientPort: defaultEtcdSettings.clientPort, timeoutSeconds: 120, paths: paths[role] }))));
    for (const [i, result] of results.entries()) {
      const role = REGION_ROLES[i]!;
      expect(result.code, `${role}: ${result.stderr}\n${await daemons[i]!.logTail()}`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:2379 is healthy: successfully committed proposal`));
    }
  });

  it("run under their region's names with https peer and client URLs, in the product's data directory, not Debian's", async () => {
    const tls = etcdTlsFilePaths(paths.witness);
    const list = await etcdctl("witness", ["--endpoints=https://127.0.0.1:2379", `--cacert=${tls.trustedCaFile}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`, "member", "list", "-w", "json"]);
    expect(list.code, list.stderr).toBe(0);
    const members = (JSON.parse(list.stdout) as { members: { name: string; peerURLs: string[]; clientURLs: string[] }[] }).members;
    expect(members.map((m) => [m.name, m.peerURLs, m.clientURLs]).sort()).toEqual(
      REGION_ROLES.map((role) => [REGION_CODES[role], [`https://${network.address(role)}:2380`], [`https://${network.address(role)}:2379`]]).sort(),
    );
    for (const role of REGION_ROLES) expect(existsSync(join(paths[role].dataDir, "member", "wal")), role).toBe(true);
    expect(execFileSync("stat", ["-c", "%a %U:%G", etcdTlsFilePaths(paths.primary).keyFile], { encoding: "utf8" }).trim()).toBe("640 root:etcd");
  });

  it("refuse a client without a certificate, with one signed by another CA, and over plain http", async () => {
    const tls = etcdTlsFilePaths(paths.primary);
    const health = (flags: string[], endpoint = `https://${network.address("primary")}:2379`) => etcdctl("secondary", [`--endpoints=${endpoint}`, ...flags, "endpoint", "health"]);

    // etcdctl only says "unhealthy"; the member's log says why it rejected the connection.
    const rejected = (reason: string) =>
      waitFor(`the primary member to log "${reason}"`, 30_000, async () =>
        (await readFile(daemons[0]!.logFile, "utf8")).split("\n").some((line) => line.includes(`rejected connection from "${network.address("secondary")}:`) && line.includes(reason)), 200);

    const noCertificate = await health([`--cacert=${tls.trustedCaFile}`]);
    expect(noCertificate.code).not.toBe(0);
    await rejected(`(error "tls: client didn't provide a certificate"`);

    const otherCa = await certificateAuthority(await mkdtemp(join(root, "other-ca-")), "another CA");
    const stranger = await hostCertificate(otherCa, await mkdtemp(join(root, "stranger-")), network.address("secondary"));
    const wrongCa = await health([`--cacert=${tls.trustedCaFile}`, `--cert=${stranger.cert}`, `--key=${stranger.key}`]);
    expect(wrongCa.code).not.toBe(0);
    await rejected(`(error "tls: failed to verify client certificate: x509: certificate signed by unknown authority"`);

    const plain = await health([], `http://${network.address("primary")}:2379`);
    expect(plain.code).not.toBe(0);
    await rejected(`(error "tls: first record does not look like a TLS handshake"`);

    // The same client with the member's own CA-signed certificate is let in: the refusals are about the certificate.
    const secondary = etcdTlsFilePaths(paths.secondary);
    const trusted = await health([`--cacert=${secondary.trustedCaFile}`, `--cert=${secondary.certFile}`, `--key=${secondary.keyFile}`]);
    expect(trusted.code, trusted.stderr).toBe(0);
  });
});
