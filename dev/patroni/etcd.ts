/** One etcd 3.4 member in a region's namespace, started from its rendered config file (over TLS when it has TLS files, as in production). */
import { Daemon } from "./daemon";
import type { RegionNetwork, RegionRole } from "./network";
import { waitFor } from "../postgres/pgbackrest";
import { runCommand, type CommandResult } from "../../tools/process/exec";
import type { EtcdTlsFiles } from "../../domain/etcd";

/** etcd's client and peer ports inside each namespace (etcd's defaults). */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

export class EtcdMember {
  private daemon: Daemon | undefined;

  constructor(
    private readonly network: RegionNetwork,
    readonly role: RegionRole,
    private readonly configFile: string,
    private readonly logFile: string,
    /** The member's TLS files: `etcdctl` then speaks https with this member's certificate. @default none: plain http */
    private readonly tls?: EtcdTlsFiles,
  ) {}

  /** Starts the member (it waits for its peers to form the quorum). */
  start(): void {
    this.daemon = Daemon.start(`etcd ${this.role}`, this.network.wrap(this.role, "etcd", ["--config-file", this.configFile], true), {
      logFile: this.logFile,
      env: { HOME: "/var/lib/postgresql", ETCD_UNSUPPORTED_ARCH: undefined },
    });
  }

  /** `etcdctl` against this member from inside its region. */
  etcdctl(args: readonly string[]): Promise<CommandResult> {
    const tls = this.tls ? [`--cacert=${this.tls.trustedCaFile}`, `--cert=${this.tls.certFile}`, `--key=${this.tls.keyFile}`] : [];
    const [command, argv] = this.network.wrap(this.role, "etcdctl", [`--endpoints=${this.tls ? "https" : "http"}://127.0.0.1:${ETCD_CLIENT_PORT}`, ...tls, "--command-timeout=3s", ...args]);
    return runCommand(command, argv, { env: { ETCDCTL_API: "3" }, timeoutMs: 20_000 });
  }

  /** Waits until the member answers `endpoint health` (it has a leader: the quorum formed). */
  async waitHealthy(timeoutMs = 120_000): Promise<void> {
    await waitFor(`etcd ${this.role} to be healthy`, timeoutMs, async () => {
      if (!this.daemon?.running) throw new Error(`etcd ${this.role} exited:\n${await this.daemon?.logTail()}`);
      return (await this.etcdctl(["endpoint", "health"])).code === 0;
    }, 500);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }
}
