/**
 * S3 on loopback for pgBackRest's real S3 code path: one `s3rver` (npm, 3.7.1) per region,
 * over TLS with a self-signed certificate made here with `openssl req -x509`, each on a free
 * loopback port. Started as `node node_modules/s3rver/bin/s3rver.js` (never through npx,
 * which leaves a parent process behind) and stopped by its own pid, so a test can take one
 * region's S3 down and bring it back with its objects intact (same data folder).
 *
 * pgBackRest 2.45 talks to it with `repoN-s3-endpoint=127.0.0.1`, `repoN-storage-port`,
 * `repoN-s3-uri-style=path`, `repoN-storage-verify-tls=n` and s3rver's fixed credentials
 * (/work/shared/TOOLCHAIN.md "pgBackRest against S3 on loopback"). Those reach pgBackRest as
 * `PGBACKREST_*` environment variables, which override the config file ("Command-line
 * options override environment options which override config file options", pgBackRest
 * command reference, src/build/help/help.xml in pgbackrest/pgbackrest), so the host keeps the
 * very file `render.ts` renders for production.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { runChecked } from "../../tools/process/exec";
import { freeLoopbackPort } from "./ports";
import { isAlive, signalProcess, waitUntilGone } from "./processes";
import { waitFor } from "./waitFor";

/** s3rver's built-in access key and secret (its default account). */
export const S3RVER_CREDENTIALS = Object.freeze({ key: "S3RVER", secret: "S3RVER" });

const S3RVER_BIN = resolve(__dirname, "../../node_modules/s3rver/bin/s3rver.js");

/** A self-signed certificate for 127.0.0.1, valid one day. */
export interface TlsFiles {
  key: string;
  cert: string;
}

/** Writes a fresh self-signed key and certificate into `dir` with openssl. */
export async function selfSignedCertificate(dir: string): Promise<TlsFiles> {
  const files = { key: join(dir, "s3rver-key.pem"), cert: join(dir, "s3rver-cert.pem") };
  await runChecked("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", files.key, "-out", files.cert,
  ]);
  return files;
}

/** Answers whether an HTTPS request to `port` on 127.0.0.1 gets any HTTP response. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", method: "GET", rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** One region's S3: an s3rver process serving one bucket from a data folder that outlives it. */
export class S3Region {
  private child: ChildProcess | undefined;
  private output = "";

  private constructor(
    /** The region the server stands in for. */
    readonly region: string,
    readonly bucket: string,
    readonly port: number,
    /** s3rver's data folder (kept across stop and start). */
    readonly dataDir: string,
    private readonly tls: TlsFiles,
  ) {}

  /** Starts a server for `bucket` on a free loopback port and waits until it answers. */
  static async start(region: string, bucket: string, dataDir: string, tls: TlsFiles): Promise<S3Region> {
    const server = new S3Region(region, bucket, await freeLoopbackPort(), dataDir, tls);
    await server.start();
    return server;
  }

  /** The server's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (again) on the same port and data folder; resolves once it answers HTTPS. */
  async start(): Promise<void> {
    if (this.child && isAlive(this.child.pid!)) throw new Error(`s3rver ${this.region} is already running (pid ${this.child.pid})`);
    const args = [S3RVER_BIN, "--directory", this.dataDir, "--address", "127.0.0.1", "--port", String(this.port),
      "--key", this.tls.key, "--cert", this.tls.cert, "--configure-bucket", this.bucket, "--silent"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.child = child;
    await waitFor(`s3rver ${this.region} on port ${this.port} to answer`, 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`s3rver ${this.region} exited with ${child.exitCode}:\n${this.output}`);
      return answers(this.port);
    });
  }

  /** Stops the server (SIGTERM to its pid, SIGKILL after 10 s) and waits until the port is closed. */
  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || !isAlive(pid)) return;
    signalProcess(pid, "SIGTERM");
    if (!(await waitUntilGone([pid], 10_000))) {
      signalProcess(pid, "SIGKILL");
      if (!(await waitUntilGone([pid], 10_000))) throw new Error(`s3rver ${this.region} (pid ${pid}) did not stop`);
    }
    await waitFor(`s3rver ${this.region} port ${this.port} to stop answering`, 30_000, async () => !(await answers(this.port)));
  }

  /**
   * The `PGBACKREST_*` variables that point repository `repo` (1 or 2) at this server:
   * endpoint, port, path-style URIs, no certificate check (self-signed), s3rver's key.
   */
  pgbackrestEnv(repo: number): Record<string, string> {
    const prefix = `PGBACKREST_REPO${repo}_`;
    return {
      [`${prefix}S3_ENDPOINT`]: "127.0.0.1",
      [`${prefix}STORAGE_PORT`]: String(this.port),
      [`${prefix}S3_URI_STYLE`]: "path",
      [`${prefix}STORAGE_VERIFY_TLS`]: "n",
      [`${prefix}S3_KEY_TYPE`]: "shared",
      [`${prefix}S3_KEY`]: S3RVER_CREDENTIALS.key,
      [`${prefix}S3_KEY_SECRET`]: S3RVER_CREDENTIALS.secret,
    };
  }
}
