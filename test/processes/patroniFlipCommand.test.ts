/**
 * The flip's command line, run exactly as the `patroni-flip-command` local Command runs it (a shell
 * in the project folder), against a Patroni REST API stand-in on loopback that reports the candidate
 * as the running leader: the loader the line names must exist and the program must start, decide
 * "already the leader" and exit 0 (a rerun is a no-op). A loader that is gone (as
 * tools/cli/register.js once was) fails here, not at 3 a.m.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flipCommandLine } from "../../components/patroniFlip";

const root = path.resolve(__dirname, "../..");
const candidate = "us-west-2";
const requests: string[] = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "GET" && req.url === "/cluster") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ members: [
        { name: candidate, role: "leader", state: "running", timeline: 2 },
        { name: "us-east-1", role: "replica", state: "streaming", timeline: 2, lag: 0 },
      ] }));
    } else if (req.method === "GET" && req.url === "/primary") {
      res.end("{}");
    } else {
      res.statusCode = 405;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function runCommandLine(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", flipCommandLine], { cwd: root, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the flip's command line", () => {
  it("starts the flip program from the project folder and, with the candidate already leading, exits 0 without an unsafe call", async () => {
    const result = await runCommandLine({
      FLIP_API_URL: `http://127.0.0.1:${port}`,
      FLIP_CANDIDATE: candidate,
      FLIP_REGION_DOWN: "false",
      FLIP_FORCE: "false",
      FLIP_MAX_LAG_BYTES: "335544320",
      FLIP_TIMEOUT_SECONDS: "60",
      PATRONI_RESTAPI_USERNAME: "patroni",
      PATRONI_RESTAPI_PASSWORD: "not-used",
    });
    expect(result.output).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    expect(result.code).toBe(0);
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect(requests).toContain("GET /cluster");
  });
});
