/**
 * One region's S3 inside its namespace: `s3rver` (npm 3.7.1) over TLS on the region's address,
 * its data folder kept across stop and start, so a test can take the region's S3 down and bring
 * it back. pgBackRest reaches it through `PGBACKREST_REPOn_*` variables, which override the
 * rendered config file (as dev/postgres/s3rver.ts explains).
 */
import { resolve } from "node:path";
import { Daemon } from "./daemon";
import type { RegionNetwork, RegionRole } from "./network";
import type { HostCertificate } from "./tls";
import { waitFor } from "../postgres/pgbackrest";
import { S3RVER_CREDENTIALS } from "../postgres/s3rver";
import { runCommand } from "../../tools/process/exec";

const S3RVER_BIN = resolve(__dirname, "../../node_modules/s3rver/bin/s3rver.js");
/** s3rver's port inside each region's namespace. */
export const S3_PORT = 9000;

export class RegionS3 {
  private daemon: Daemon | undefined;

  constructor(
    private readonly network: RegionNetwork,
    readonly role: RegionRole,
    readonly bucket: string,
    private readonly dataDir: string,
    private readonly logFile: string,
    private readonly tls: HostCertificate,
  ) {}

  get address(): string {
    return this.network.address(this.role);
  }

  /** Starts the server and waits until it answers HTTPS from inside its region. */
  async start(): Promise<void> {
    if (this.daemon?.running) throw new Error(`s3rver ${this.role} already runs (pid ${this.daemon.pid})`);
    const args = [S3RVER_BIN, "--directory", this.dataDir, "--address", this.address, "--port", String(S3_PORT),
      "--key", this.tls.key, "--cert", this.tls.cert, "--configure-bucket", this.bucket, "--silent"];
    const daemon = Daemon.start(`s3rver ${this.role}`, this.network.wrap(this.role, process.execPath, args), { logFile: this.logFile });
    this.daemon = daemon;
    await waitFor(`s3rver ${this.role} to answer`, 60_000, async () => {
      if (!daemon.running) throw new Error(`s3rver ${this.role} exited:\n${await daemon.logTail()}`);
      return this.answers();
    });
  }

  /** Stops the server by its pid and waits until its port is closed. */
  async stop(): Promise<void> {
    await this.daemon?.stop();
    await waitFor(`s3rver ${this.role} to stop answering`, 30_000, async () => !(await this.answers()));
  }

  private async answers(): Promise<boolean> {
    const [command, args] = this.network.wrap(this.role, "curl", ["-sk", "-o", "/dev/null", "--max-time", "2", `https://${this.address}:${S3_PORT}/`]);
    return (await runCommand(command, args, { timeoutMs: 10_000 })).code === 0;
  }

  /** The `PGBACKREST_REPO<repo>_*` variables that point repository `repo` at this server. */
  pgbackrestEnv(repo: number): Record<string, string> {
    const prefix = `PGBACKREST_REPO${repo}_`;
    return {
      [`${prefix}S3_ENDPOINT`]: this.address,
      [`${prefix}STORAGE_PORT`]: String(S3_PORT),
      [`${prefix}S3_URI_STYLE`]: "path",
      [`${prefix}STORAGE_VERIFY_TLS`]: "n",
      [`${prefix}S3_KEY_TYPE`]: "shared",
      [`${prefix}S3_KEY`]: S3RVER_CREDENTIALS.key,
      [`${prefix}S3_KEY_SECRET`]: S3RVER_CREDENTIALS.secret,
    };
  }
}
