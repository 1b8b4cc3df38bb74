/**
 * The instance-profile check (components/databaseHost/preflight/instance-profile.sh) with real
 * curl against an instance metadata service at its real address, 169.254.169.254:80, inside a
 * network namespace this test makes (no EC2 here). The stand-in serves IMDSv2 as AWS documents
 * it (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html and
 * configuring-instance-metadata-options.html): `PUT /latest/api/token` needs
 * X-aws-ec2-metadata-token-ttl-seconds (1 to 21600, else 400); with HttpTokens required a GET
 * without a valid X-aws-ec2-metadata-token gets 401; `iam/info` exists only while an instance
 * profile is attached (404 otherwise: instancedata-data-categories.html). Proves the script's
 * curl calls (the PUT, the headers, --write-out status, --output body) work as the unit test's
 * stand-in curl assumes.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instanceProfileCheckScript } from "../../components/databaseHost/preflight";
import { Daemon } from "../../dev/patroni/daemon";
import { waitFor } from "../../dev/postgres/waitFor";
import { runChecked, runCommand } from "../../tools/process/exec";

const namespace = `${process.env.CG_NETNS_PREFIX || "cgpr-"}${randomBytes(3).toString("hex")}-imds`;
const expected = "arn:aws:iam::123456789012:instance-profile/database-host-iam-secondary-profile-9f8e7d6";
let dir = "";
let server: Daemon | undefined;

/** The IMDSv2 stand-in; the attached profile is read from a file the test writes (absent: none). */
const serverSource = (profileFile: string) => String.raw`
const http = require("node:http");
const fs = require("node:fs");
const token = "AQAEAimdsv2-token";
http.createServer((req, res) => {
  const answer = (status, body = "") => { res.writeHead(status, { "Content-Type": "text/plain" }); res.end(body); };
  if (req.method === "PUT" && req.url === "/latest/api/token") {
    const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
    return Number.isInteger(ttl) && ttl >= 1 && ttl <= 21600 ? answer(200, token) : answer(400);
  }
  if (req.method !== "GET") return answer(405);
  if (req.headers["x-aws-ec2-metadata-token"] !== token) return answer(401);
  if (req.url === "/latest/meta-data/instance-id") return answer(200, "i-0fedcba9876543210");
  if (req.url === "/latest/meta-data/iam/info") {
    let arn;
    try { arn = fs.readFileSync(${JSON.stringify(profileFile)}, "utf8").trim(); } catch { return answer(404, "<title>404 - Not Found</title>"); }
    return answer(200, JSON.stringify({ Code: "Success", LastUpdated: "2026-12-07T12:00:00Z", InstanceProfileArn: arn, InstanceProfileId: "AIPAEXAMPLE" }, null, 2));
  }
  return answer(404);
}).listen(80, "169.254.169.254", () => console.log("imds ready"));
`;

const profileFile = () => join(dir, "attached-profile");
const check = () =>
  runCommand("ip", ["netns", "exec", namespace, "bash", "-s"], {
    input: instanceProfileCheckScript({ host: "database-host-secondary (db-usw2.ops.crazy-gary.app)", region: "us-west-2", expectedArn: expected }),
    timeoutMs: 60_000,
  });

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("instanceProfileImds: network namespaces need root (run the postgres tests as root, as .ci/run does)");
  dir = await mkdtemp(join(tmpdir(), "imds-"));
  await runChecked("ip", ["netns", "add", namespace]);
  await runChecked("ip", ["-n", namespace, "link", "set", "lo", "up"]);
  await runChecked("ip", ["-n", namespace, "addr", "add", "169.254.169.254/32", "dev", "lo"]);
  await writeFile(join(dir, "imds.js"), serverSource(profileFile()));
  server = Daemon.start("imds", ["ip", ["netns", "exec", namespace, process.execPath, join(dir, "imds.js")]], { logFile: join(dir, "imds.log") });
  await waitFor("the IMDS stand-in to listen", 30_000, async () => (await runCommand("ip", ["netns", "exec", namespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/latest/meta-data/instance-id"])).stdout === "401");
});

afterAll(async () => {
  await server?.stop();
  await runCommand("ip", ["netns", "del", namespace]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("instance-profile.sh with real curl against IMDSv2", () => {
  it("without a profile: exit 1, the associate command for this instance", async () => {
    await rm(profileFile(), { force: true });
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `instance-profile: ERROR: database-host-secondary (db-usw2.ops.crazy-gary.app) (i-0fedcba9876543210) has no instance profile; the stack's is ${expected}: nothing else runs on this host.`,
    );
    expect(result.stderr).toContain("aws ec2 associate-iam-instance-profile --region us-west-2 --instance-id i-0fedcba9876543210 --iam-instance-profile Name=database-host-iam-secondary-profile-9f8e7d6");
  });

  it("with another profile: exit 1, naming both", async () => {
    await writeFile(profileFile(), "arn:aws:iam::123456789012:instance-profile/legacy-db\n");
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`carries the instance profile arn:aws:iam::123456789012:instance-profile/legacy-db, not the stack's ${expected}`);
  });

  it("with the stack's profile attached: exit 0", async () => {
    await writeFile(profileFile(), `${expected}\n`);
    const result = await check();
    expect([result.code, result.stdout]).toEqual([0, `instance-profile: database-host-secondary (db-usw2.ops.crazy-gary.app) (i-0fedcba9876543210) carries the instance profile ${expected}\n`]);
  });
});
