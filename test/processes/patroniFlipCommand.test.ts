/**
 * The flip's command line, run exactly as the `patroni-flip-command` local Command runs it (a shell
 * in the project folder), against a Patroni REST API stand-in on loopback over HTTPS that reports
 * the candidate as the running leader: the loader the line names must exist and the program must
 * start, decide "already the leader" and exit 0 (a rerun is a no-op). A loader that is gone (as
 * tools/cli/register.js once was) fails here, not at 3 a.m. The stand-in's certificate is signed
 * by a CA made with the product's rules (dev/patroni/tls.ts): trusted with that CA as FLIP_CA_PEM,
 * refused (nothing sent) with another CA.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flipCommandLine } from "../../components/patroniFlip";
import { certificateAuthority, hostCertificate } from "../../dev/patroni/tls";

const root = path.resolve(__dirname, "../..");
const candidate = "us-west-2";
const requests: string[] = [];
let server: Server;
let port = 0;
let dir = "";
const caPem = { signer: "", other: "" };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cg-flip-tls-"));
  const [signer, other] = await Promise.all([certificateAuthority(await mkdtemp(path.join(dir, "a-"))), certificateAuthority(await mkdtemp(path.join(dir, "b-")), "another CA")]);
  const served = await hostCertificate(signer, dir, "127.0.0.1");
  caPem.signer = await readFile(signer.cert, "utf8");
  caPem.other = await readFile(other.cert, "utf8");
  server = createServer({ key: await readFile(served.key), cert: await readFile(served.cert) }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "GET" && req.url === "/cluster") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ members: [
        { name: candidate, role: "leader", state: "running", timeline: 2 },
        { name: "us-east-1", role: "replica", state: "streaming", timeline: 2, lag: 0 },
      ] }));
    } else if (req.method === "GET" && req.url === "/primary") {
      // Patroni 3.0.2's status body of a leader out of recovery (patroni/api.py get_postgresql_status).
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ state: "running", role: "master", timeline: 2 }));
    } else {
      res.statusCode = 405;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function runCommandLine(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", flipCommandLine], { cwd: root, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

const flipEnv = (ca: string): NodeJS.ProcessEnv => ({
  FLIP_API_URL: `https://127.0.0.1:${port}`,
  FLIP_CA_PEM: ca,
  FLIP_CANDIDATE: candidate,
  FLIP_REGION_DOWN: "false",
  FLIP_FORCE: "false",
  FLIP_MAX_LAG_BYTES: "335544320",
  FLIP_TIMEOUT_SECONDS: "60",
  PATRONI_RESTAPI_USERNAME: "patroni",
  PATRONI_RESTAPI_PASSWORD: "not-used",
});

describe("the flip's command line", () => {
  it("refuses a candidate whose certificate another CA signed: exit 1, nothing sent", async () => {
    const result = await runCommandLine(flipEnv(caPem.other));
    expect(result.code).toBe(1);
    expect(result.output).toContain(`GET https://127.0.0.1:${port}/cluster: its certificate is not trusted (`);
    expect(result.output).toContain("Nothing was sent.");
    expect(requests).toEqual([]);
  });

  it("starts the flip program from the project folder and, trusting the candidate's CA, with the candidate already leading, exits 0 without an unsafe call", async () => {
    const result = await runCommandLine(flipEnv(caPem.signer));
    expect(result.output).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    expect(result.code).toBe(0);
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect(requests).toContain("GET /cluster");
  });
});
