/**
 * Config mistakes as a user makes them, through the tools' command lines: each exits 2, names
 * the key and the fix, prints nothing on stdout (nothing was planned) and never echoes a
 * secret-looking value.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../../tools/offline";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const tool = (script: string, args: string[]) => {
  const result = spawnSync(process.execPath, ["tools/cli/run.js", `tools/cli/${script}.ts`, ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The project's stack files plus `Pulumi.staging.yaml` holding `text`. */
function projectWithStaging(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-mistakes-"));
  dirs.push(dir);
  for (const file of ["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"]) fs.copyFileSync(path.join(repositoryRoot, file), path.join(dir, file));
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), text);
  return dir;
}

const prodFile = fs.readFileSync(path.join(repositoryRoot, "Pulumi.prod.yaml"), "utf8");
/** dr's stack file as a new stack: its own zone and hosts, following prod. */
const ownStack = fs.readFileSync(path.join(repositoryRoot, "Pulumi.dr.yaml"), "utf8").replace(/dr\.crazy-gary\.app/g, "staging.crazy-gary.app").replace(/dr\.ops/g, "staging.ops").replace(/Z0CRAZYGARYDR001/g, "Z0CRAZYGARYSTG01");

function expectRefusal(result: ReturnType<typeof tool>, ...messages: string[]) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  for (const message of messages) expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("stack-file mistakes (npm run config:diff -- --stack staging --dir ...)", () => {
  it("a key without the project prefix", () => {
    const dir = projectWithStaging(`${ownStack}  retention:\n    walHours: 72\n`);
    expectRefusal(tool("configDiff", ["--stack", "staging", "--dir", dir]), "Pulumi.staging.yaml: retention: has no project prefix, so the program never reads it; write it as crazy-gary-dr:retention");
  });

  it("a dotted key set without --path", () => {
    const dir = projectWithStaging(`${ownStack}  crazy-gary-dr:retention.walHours: "72"\n`);
    expectRefusal(
      tool("configDiff", ["--stack", "staging", "--dir", dir]),
      "Pulumi.staging.yaml: crazy-gary-dr:retention.walHours: a dotted key is one literal name (set without --path), not retention's walHours; run pulumi config rm 'retention.walHours' and pulumi config set --path 'retention.walHours' <value>",
    );
  });

  it("an unedited copy of Pulumi.prod.yaml, naming both stacks and the shared values", () => {
    const dir = projectWithStaging(prodFile);
    expectRefusal(
      tool("configDiff", ["--stack", "staging", "--base", "prod", "--dir", dir]),
      `stacks prod and staging share dnsZone.name "crazy-gary.app", dnsZone.id "Z0CRAZYGARYPROD1", endpoints.api.primary.loadBalancer.dnsName "api-use1-1234567890.us-east-1.elb.amazonaws.com"`,
      "every stack needs its own DNS zone, endpoints and database hosts (planning prod would change staging's): edit the copy, Pulumi.prod.yaml or Pulumi.staging.yaml",
    );
  });

  it("the same stack with its own zone and hosts is accepted", () => {
    const result = tool("configDiff", ["--stack", "staging", "--dir", projectWithStaging(ownStack)]);
    // stderr carries only the plan's own warnings (e-mail subscriptions pending confirmation).
    expect(result.stderr).not.toMatch(/FEATURE_TOKEN_LIMIT|secret/i);
    expect(result.code).toBe(0);
  });
});

describe("--set mistakes (npm run plan)", () => {
  it("a --set that prod's synced value would override in dr", () => {
    expectRefusal(
      tool("plan", ["--stack", "dr", "--set", "retention.walHours=72"]),
      `--set retention.walHours=72: dr takes its synced settings from prod (sync.source crazy-gary/crazy-gary-dr/prod), so this value would be ignored. For dr only: --set 'sync.overrides["retention.walHours"]={value: 72, reason: "<why dr differs>"}'; for both: --stack prod --set retention.walHours=72`,
    );
  });

  it("a --set of a whole map that would drop keys", () => {
    expectRefusal(
      tool("plan", ["--stack", "prod", "--set", "app={LOG_LEVEL: debug}"]),
      "--set app={...}: replaces the whole map and would drop 7 key(s) (RATE_LIMIT_PER_MINUTE, SESSION_TIMEOUT_MINUTES, MODEL_PROVIDER, MODEL_FALLBACK_PROVIDER, MODEL_TIMEOUT_SECONDS, TASK_QUEUE_CONCURRENCY, REDIS_ENABLED); set one key at a time: --set app.LOG_LEVEL=debug",
    );
  });

  it("a secret-looking value is refused without being echoed, naming the rule", () => {
    const result = tool("plan", ["--stack", "prod", "--set", "app.STRIPE_API_KEY=sk_live_abc123"]);
    expectRefusal(result, "crazy-gary-dr:app.STRIPE_API_KEY: [secret] looks like a secret (its name contains KEY and its value is text, not a number or true/false)");
    expect(result.stderr).not.toContain("sk_live_abc");
  });

  it("a limit whose name contains TOKEN is not a secret", () => {
    const result = tool("policy", ["--stack", "prod", "--set", "app.FEATURE_TOKEN_LIMIT=500", "--format", "markdown", "--max-chars", "500"]);
    // stderr carries only the plan's own warnings (e-mail subscriptions pending confirmation).
    expect(result.stderr).not.toMatch(/FEATURE_TOKEN_LIMIT|secret/i);
    expect(result.code).toBe(0);
  });
});

describe("policy-config mistakes (npm run policy -- --config FILE)", () => {
  it("an entry that names no policy", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    dirs.push(dir);
    const config = path.join(dir, "pack.json");
    fs.writeFileSync(config, JSON.stringify({ all: "mandatory", "retention-lifecycle-cover-engine": { enforcementLevel: "advisory" } }));
    const plan = path.join(dir, "plan.json");
    fs.writeFileSync(plan, JSON.stringify({ stack: "x", resources: [], outputs: {} }));
    expectRefusal(
      tool("policy", ["--plan", plan, "--config", config]),
      `--config ${config}: "retention-lifecycle-cover-engine" names no policy of this pack; did you mean retention-lifecycle-covers-engine? the pack's policies:`,
    );
  });
});
