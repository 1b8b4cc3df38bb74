/**
 * Patroni's REST API and `systemctl` on a {@link DrHost} where no Patroni runs: the host-script
 * tests on plain PostgreSQL (backups, restore test, monitor, WAL outage). The scripts ask Patroni
 * whether this host leads (GET /primary on 127.0.0.1 over HTTPS, verified with the cluster's CA)
 * and configure-postgres.sh starts or reloads `patroni.service`; here both answer from the
 * server's own state:
 * - GET /primary: 200 when the node runs as a primary (no standby.signal or recovery.signal in
 *   its data directory), else 503, as Patroni answers on the leader and on a replica
 *   (rest_api.html; citations P3);
 * - GET /patroni: `{"state": "running", "role": ..., "pending_restart": ...}` while the node runs,
 *   pending_restart from pg_settings as Patroni reports it;
 * - PATCH /config and POST /restart with the basic auth of the host's REST secret: 200, recorded
 *   (a restart restarts the node); without it 401, as Patroni's unsafe endpoints answer;
 * - `systemctl`: records its arguments; `is-active` succeeds once `enable --now` has run; `cat`
 *   prints the unit's drop-ins from the host's systemd folder (as systemd shows the files on
 *   disk); `enable` and `restart` "start Patroni": from then on the unsafe endpoints take the REST
 *   credentials of the environment file as it was then, as Patroni reads its environment only at
 *   start.
 * The real Patroni 3.0.2 answers the same scripts in test/postgres/patroniRestoreTest.test.ts and
 * patroniPartition.test.ts (backup.sh backs up on the leader, does nothing on a replica).
 */
import { createServer, type Server } from "node:https";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PgNode } from "./pgNode";
import type { PgSandbox } from "./sandbox";
import { writeOwnedFile } from "./serverTools";
import { runChecked } from "../../tools/process/exec";

/** One unsafe call the stand-in took. */
export interface RestCall {
  method: string;
  path: string;
  body: string;
}

export class PatroniStandIn {
  private constructor(
    private readonly server: Server,
    /** The REST API's port on 127.0.0.1. */
    readonly port: number,
    /** PEM of the self-signed certificate the scripts verify it with (their CA file). */
    readonly caCertPem: string,
    private readonly systemctlLog: string,
    /** Unsafe calls so far, oldest first. */
    readonly calls: readonly RestCall[],
  ) {}

  /**
   * Starts the REST API for `node` with basic auth `user:password` (until `systemctl` starts
   * "Patroni" with the host's environment file), and writes the fake `systemctl` into `binDir`
   * (first on the scripts' PATH).
   */
  static async start(
    sandbox: PgSandbox,
    name: string,
    node: PgNode,
    auth: { user: string; password: string },
    host: { binDir: string; systemdDir: string; patroniEnvFile: string },
  ): Promise<PatroniStandIn> {
    const dir = await sandbox.makeDir(`${name}/patroni-stand-in`);
    const startedEnv = join(dir, "started-with.env");
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    await runChecked("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]);
    const [keyPem, certPem] = await Promise.all([readFile(key, "utf8"), readFile(cert, "utf8")]);
    const calls: RestCall[] = [];
    const server = createServer({ key: keyPem, cert: certPem }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        void expectedAuth(startedEnv, auth).then((expected) =>
          answer(node, request.method ?? "GET", request.url ?? "/", Buffer.concat(chunks).toString("utf8"), request.headers.authorization === expected, calls),
        ).then(
          ({ status, body }) => response.writeHead(status, { "Content-Type": "application/json" }).end(body),
          (error: Error) => response.writeHead(500).end(error.message),
        );
      });
    });
    server.unref();
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    const systemctlLog = join(dir, "systemctl.log");
    await writeOwnedFile(systemctlLog, "", 0o666);
    await writeOwnedFile(
      join(host.binDir, "systemctl"),
      [
        "#!/bin/sh",
        "# Test stand-in for systemctl: records its arguments; is-active succeeds once enable --now ran;",
        "# cat prints the unit's drop-ins; enable and restart keep the environment file Patroni would start with.",
        `printf '%s\\n' "$*" >> '${systemctlLog}'`,
        'case "$1" in',
        `  is-active) grep -q '^enable --now' '${systemctlLog}'; exit $? ;;`,
        `  cat) cat '${host.systemdDir}'/"$2".d/*.conf 2>/dev/null; exit 0 ;;`,
        `  enable|restart) if [ -r '${host.patroniEnvFile}' ]; then cp '${host.patroniEnvFile}' '${startedEnv}'; fi ;;`,
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      0o755,
    );
    return new PatroniStandIn(server, port, certPem, systemctlLog, calls);
  }

  /** Every `systemctl` call so far, each as its argument line. */
  async systemctlCalls(): Promise<string[]> {
    return (await readFile(this.systemctlLog, "utf8")).split("\n").filter(Boolean);
  }

  /** Stops answering. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The basic auth the unsafe endpoints take: the REST credentials "Patroni" was last started with, else `initial`. */
async function expectedAuth(startedEnv: string, initial: { user: string; password: string }): Promise<string> {
  const text = await readFile(startedEnv, "utf8").catch(() => "");
  const user = /^PATRONI_RESTAPI_USERNAME=(.*)$/m.exec(text)?.[1] ?? initial.user;
  const password = /^PATRONI_RESTAPI_PASSWORD=(.*)$/m.exec(text)?.[1] ?? initial.password;
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

async function answer(node: PgNode, method: string, path: string, body: string, authorized: boolean, calls: RestCall[]): Promise<{ status: number; body: string }> {
  const running = (await node.postmasterPid()) !== undefined;
  // In recovery while a signal file is there (PostgreSQL removes it on promotion): read from the
  // data directory, so the stand-in never logs in beside the script being tested.
  const signalled = await Promise.all(["standby.signal", "recovery.signal"].map((file) => access(join(node.dataDir, file)).then(() => true, () => false)));
  const primary = running && !signalled.includes(true);
  if (method === "GET" && path === "/primary") return { status: primary ? 200 : 503, body: JSON.stringify({ role: primary ? "master" : "replica" }) };
  if (method === "GET" && path === "/patroni") {
    const pendingRestart = running && (await node.sqlValue("SELECT bool_or(pending_restart) FROM pg_settings")) === "t";
    return { status: running ? 200 : 503, body: JSON.stringify({ state: running ? "running" : "stopped", role: primary ? "master" : "replica", pending_restart: pendingRestart }) };
  }
  if ((method === "PATCH" && path === "/config") || (method === "POST" && path === "/restart")) {
    if (!authorized) return { status: 401, body: "no auth header received" };
    calls.push({ method, path, body });
    if (path === "/restart") await node.restart();
    return { status: 200, body: method === "PATCH" ? body : "restarted" };
  }
  return { status: 404, body: `the stand-in does not answer ${method} ${path}` };
}
