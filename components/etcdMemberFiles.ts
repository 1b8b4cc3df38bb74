/**
 * One etcd member's files and scripts, rendered once for both kinds of host: the witness
 * (components/etcdWitness.ts) and each database host (components/databaseHost, beside Patroni).
 * Pure: plain values in, `HostFile`s and shell text out; written with `installFilesScript`.
 *
 * On a Debian 12 host with `etcd-server` 3.4.23 (its package, read with `apt-get download
 * etcd-server` and `dpkg -x`/`dpkg -e`):
 * - `/lib/systemd/system/etcd.service` runs `/usr/bin/etcd $DAEMON_ARGS` as user `etcd`,
 *   `Type=notify`, `Restart=on-abnormal`, with `ETCD_NAME=%H`, `ETCD_DATA_DIR=/var/lib/etcd/default`
 *   and `EnvironmentFile=-/etc/default/etcd` (comments only). Its unit stays the package's; a
 *   drop-in sets `ETCD_CONFIG_FILE`, which etcd 3.4 reads when no `--config-file` flag is given
 *   ("loaded server configuration, other configuration command line flags and environment
 *   variables will be ignored": etcd-io/etcd release-3.4 etcdmain/config.go `parse`), so the
 *   package's ETCD_NAME and ETCD_DATA_DIR do not apply.
 * - The package's postinst enables and starts `etcd.service` on install (dh_installsystemd's
 *   `deb-systemd-invoke start`): with no configuration that is a one-member cluster named after
 *   the host, in /var/lib/etcd/default. A data directory that already holds a cluster ignores
 *   every `initial-*` key (https://etcd.io/docs/v3.4/op-guide/configuration/#--initial-cluster-state),
 *   so this member keeps its data in its own directory, {@link defaultEtcdHostPaths}.dataDir,
 *   and the package's default one is never read.
 * - `Type=notify`: etcd tells systemd it is ready only once it has joined a cluster with a leader
 *   (etcdmain/etcd.go `notifySystemd` after `ReadyNotify`). A first member waits for its peers,
 *   which other hosts start; so the start does not block (`--no-block`), the unit has no start
 *   timeout, and the wait for a healthy member is a separate, bounded step.
 */
import { etcdYaml } from "./databaseHost/patroniFile";
import type { HostFile } from "./databaseHost/hostFiles";
import type { EtcdConfigParams, EtcdTlsFiles } from "../domain/etcd";

/** Debian's etcd unit. */
export const ETCD_UNIT = "etcd.service";

/** Where one member's files live on its host. */
export interface EtcdHostPaths {
  /** etcd's `--config-file` (YAML). @default "/etc/etcd/crazy-gary.yml" */
  configFile: string;
  /** Folder of the member's CA, certificate and key (PEM). @default "/etc/etcd/tls" */
  tlsDir: string;
  /** Data directory, owned by `etcd`, not the package's /var/lib/etcd/default (see the module comment). @default "/var/lib/etcd/crazy-gary" */
  dataDir: string;
  /** Folder of systemd units; the drop-in goes into `etcd.service.d/` there. @default "/etc/systemd/system" */
  systemdDir: string;
}

export const defaultEtcdHostPaths: Readonly<EtcdHostPaths> = Object.freeze({
  configFile: "/etc/etcd/crazy-gary.yml",
  tlsDir: "/etc/etcd/tls",
  dataDir: "/var/lib/etcd/crazy-gary",
  systemdDir: "/etc/systemd/system",
});

/** The member's TLS file paths in `tlsDir`. */
export const etcdTlsFilePaths = (paths: Pick<EtcdHostPaths, "tlsDir">): EtcdTlsFiles => ({
  trustedCaFile: `${paths.tlsDir}/ca.pem`,
  certFile: `${paths.tlsDir}/cert.pem`,
  keyFile: `${paths.tlsDir}/key.pem`,
});

/** What one member's files are rendered from: the cluster, this member, and where its files go. */
export interface EtcdMemberFilesParams extends Omit<EtcdConfigParams, "dataDir" | "tls"> {
  /** Host paths. @default {@link defaultEtcdHostPaths} */
  paths?: Partial<EtcdHostPaths>;
}

const resolvePaths = (paths?: Partial<EtcdHostPaths>): EtcdHostPaths => ({ ...defaultEtcdHostPaths, ...paths });

/** The drop-in's path. */
export const etcdDropInPath = (paths: Pick<EtcdHostPaths, "systemdDir">): string => `${paths.systemdDir}/${ETCD_UNIT}.d/crazy-gary.conf`;

/**
 * The drop-in for Debian's etcd.service: the config file; restart after any failure (the package
 * restarts only on signals and timeouts) within 5 s; no start timeout (a member waits for its
 * peers' quorum; see the module comment).
 */
export function etcdDropIn(paths: Pick<EtcdHostPaths, "configFile">): string {
  return [
    "# etcd member of the Crazy-Gary DR stack (Patroni's DCS). Rendered by components/etcdMemberFiles.ts;",
    "# edits on the host are overwritten by the next `pulumi up`.",
    "[Service]",
    `Environment=ETCD_CONFIG_FILE=${paths.configFile}`,
    "Restart=on-failure",
    "RestartSec=5s",
    "TimeoutStartSec=infinity",
    "",
  ].join("\n");
}

/** The member's non-secret files: its config (TLS on clients and peers, client certificates required) and the unit's drop-in. */
export function etcdMemberFiles(params: EtcdMemberFilesParams): HostFile[] {
  const { paths: given, ...config } = params;
  const paths = resolvePaths(given);
  return [
    { path: paths.configFile, mode: "0644", content: etcdYaml({ ...config, dataDir: paths.dataDir, tls: etcdTlsFilePaths(paths) }) },
    { path: etcdDropInPath(paths), mode: "0644", content: etcdDropIn(paths) },
  ];
}

/** The member's CA, certificate and key (PEM). */
export interface EtcdTlsPems {
  caCertPem: string;
  certPem: string;
  /** A secret. */
  keyPem: string;
}

/** The TLS files: CA and certificate world-readable, the key 0640 root:etcd (etcd runs as `etcd`). Their install script carries the key: keep it secret. */
export function etcdTlsFiles(paths: Partial<Pick<EtcdHostPaths, "tlsDir">> | undefined, pems: EtcdTlsPems): HostFile[] {
  const files = etcdTlsFilePaths(resolvePaths(paths));
  const withNewline = (pem: string) => (pem.endsWith("\n") ? pem : `${pem}\n`);
  return [
    { path: files.trustedCaFile, mode: "0644", content: withNewline(pems.caCertPem) },
    { path: files.certFile, mode: "0644", content: withNewline(pems.certPem) },
    { path: files.keyFile, mode: "0640", group: "etcd", content: withNewline(pems.keyPem) },
  ];
}

/** The command that makes the member's data directory, `etcd`'s alone (0700), before etcd starts. */
export const etcdDataDirCommand = (paths: Pick<EtcdHostPaths, "dataDir">): string => `install -d -o etcd -g etcd -m 0700 '${paths.dataDir}'`;

/**
 * The script (root, `bash -s`) that (re)starts the member on its current files: its data
 * directory, the drop-in loaded, the unit enabled and restarted without waiting for the quorum.
 * Run when the config, the drop-in or the CA change; a renewed certificate or key alone needs no
 * restart (etcd reads them on every new connection; domain/etcd.ts `etcdTransportSecurity`).
 */
export function etcdStartScript(paths?: Partial<EtcdHostPaths>): string {
  const p = resolvePaths(paths);
  return [
    "set -euo pipefail",
    etcdDataDirCommand(p),
    "systemctl daemon-reload",
    `systemctl enable ${ETCD_UNIT}`,
    `systemctl restart --no-block ${ETCD_UNIT}`,
    `echo 'restarted ${ETCD_UNIT} on ${p.configFile}'`,
    "",
  ].join("\n");
}

/** What the health wait needs. */
export interface EtcdHealthWait {
  /** The member's name, in messages. @example "us-east-2" */
  member: string;
  /** Client port on the host. @default 2379 (`etcd.clientPort`) */
  clientPort: number;
  /** Seconds to wait for `endpoint health` before failing (the command then shows the unit's status and last log lines). @default 600 */
  timeoutSeconds?: number;
  /** Host paths (the TLS files etcdctl authenticates with). @default {@link defaultEtcdHostPaths} */
  paths?: Partial<EtcdHostPaths>;
}

/**
 * The script (root, `bash -s`) that waits, at most `timeoutSeconds`, until the local member
 * answers `etcdctl endpoint health` over TLS with its own certificate: healthy means it serves a
 * linearizable read, so the cluster has a leader and a quorum. A first member is healthy only
 * once one other member runs too.
 */
export function etcdHealthScript(wait: EtcdHealthWait): string {
  const timeout = wait.timeoutSeconds ?? 600;
  if (!Number.isInteger(timeout) || timeout < 10 || timeout > 3600) throw new Error(`etcd health timeoutSeconds: ${timeout} is not allowed; use whole seconds from 10 to 3600`);
  const tls = etcdTlsFilePaths(resolvePaths(wait.paths));
  const etcdctl = [
    "ETCDCTL_API=3 etcdctl",
    `--endpoints=https://127.0.0.1:${wait.clientPort}`,
    `--cacert='${tls.trustedCaFile}' --cert='${tls.certFile}' --key='${tls.keyFile}'`,
    "--dial-timeout=3s --command-timeout=5s endpoint health",
  ].join(" ");
  return [
    "set -euo pipefail",
    `deadline=$((SECONDS + ${timeout}))`,
    `until out=$(${etcdctl} 2>&1); do`,
    "  if (( SECONDS >= deadline )); then",
    `    echo "etcd member ${wait.member} is not healthy after ${timeout} s (it needs one other member for a quorum): $out" >&2`,
    `    systemctl --no-pager status ${ETCD_UNIT} >&2 || true`,
    `    journalctl -u ${ETCD_UNIT} -n 20 --no-pager >&2 || true`,
    "    exit 1",
    "  fi",
    "  sleep 2",
    "done",
    'echo "$out"',
    "",
  ].join("\n");
}
