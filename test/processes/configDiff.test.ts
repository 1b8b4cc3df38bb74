import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { compareStacks, loadStackView, renderConfigDiff, type ConfigDiff } from "../../tools/cli/configDiffReport";
import { placeholderMark, repositoryRoot } from "../../tools/offline";

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the project's stack files with `edit` applied to the parsed stack file of `stack`. */
function fixture(edits: Record<string, (config: Record<string, unknown>) => void>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-diff-"));
  fixtures.push(dir);
  for (const file of ["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"]) fs.copyFileSync(path.join(repositoryRoot, file), path.join(dir, file));
  for (const [stack, edit] of Object.entries(edits)) {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const parsed = parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    edit(parsed.config);
    fs.writeFileSync(file, stringifyYaml(parsed));
  }
  return dir;
}

const diffOf = (dir?: string): ConfigDiff => compareStacks(loadStackView("prod", { dir }), loadStackView("dr", { dir }));
const row = (diff: ConfigDiff, key: string) => diff.rows.find((r) => r.key === key);
const sharedRetention = { fullDays: 30, incrementalDays: 7, walHours: 48, pitrHours: 24, logDays: 90, noncurrentVersionDays: 7 };

describe("config diff of the stack files as committed", () => {
  const diff = diffOf();

  it("finds no drift", () => {
    expect(diff.drift).toEqual([]);
  });

  it.each([
    ["app.LOG_LEVEL", ["info", "debug"], "overridden", "overridden in dr: restore drills are read from debug logs; prod stays at info"],
    ["app.TASK_QUEUE_CONCURRENCY", [4, 1], "overridden", "overridden in dr: the dr hosts are one size smaller than prod"],
    ["retention.walHours", [48, 48], "shared", ""],
    ["thresholds.unauthorized-access", [100, 100], "shared", ""],
    ["appSecrets", [["SECRET_KEY", "JWT_SECRET_KEY", "OPENAI_API_KEY", "HUGGINGFACE_API_KEY", "OPENROUTER_API_KEY"], ["SECRET_KEY", "JWT_SECRET_KEY", "OPENAI_API_KEY", "HUGGINGFACE_API_KEY", "OPENROUTER_API_KEY"]], "shared", ""],
    ["regions.primary", ["us-east-1", "us-east-2"], "environment-only", ""],
    ["dnsZone.name", ["crazy-gary.app", "dr.crazy-gary.app"], "environment-only", ""],
    ["databaseSecrets.primary.adminPassword", ["[secret]", "[secret]"], "environment-only", ""],
  ])("%s: %j, %s", (key, values, status, note) => {
    expect(row(diff, key)).toEqual({ key, values, status, note });
  });

  it("shows every secret as [secret], never a placeholder", () => {
    const text = renderConfigDiff(diff);
    expect(text).not.toContain(placeholderMark);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).toMatch(/^databaseSecrets\.primary\.sshPrivateKey\s+\[secret\]\s+\[secret\]\s+environment-only$/m);
  });

  it("counts keys per status", () => {
    expect(renderConfigDiff(diff)).toContain("114 keys: 35 shared, 2 overridden, 77 environment-only, 0 drifted");
  });
});

describe("drift in a key that must be shared", () => {
  it("dr's stack file setting a synced key without an override is drift, though dr would deploy prod's value", () => {
    const diff = diffOf(fixture({ dr: (c) => (c["crazy-gary-dr:retention"] = { ...sharedRetention, walHours: 72 }) }));
    expect(diff.drift).toEqual(["retention.walHours"]);
    expect(row(diff, "retention.walHours")).toEqual({
      key: "retention.walHours",
      values: [48, 48],
      status: "drift",
      note: "must be shared: prod configures 48, dr configures 72, and neither overrides it; set it once in Pulumi.yaml, or add sync.overrides.retention.walHours with a reason",
    });
  });

  it("prod's stack file changing a shared key is drift too, and dr follows prod's value", () => {
    const diff = diffOf(fixture({ prod: (c) => (c["crazy-gary-dr:retention"] = { ...sharedRetention, walHours: 96 }) }));
    expect(diff.drift).toEqual(["retention.walHours"]);
    expect(row(diff, "retention.walHours")?.values).toEqual([96, 96]);
  });

  it("an override with a reason turns the difference into an explained one", () => {
    const dir = fixture({
      dr: (c) => {
        const sync = c["crazy-gary-dr:sync"] as { overrides: Record<string, unknown> };
        sync.overrides["retention.walHours"] = { value: 72, reason: "drills replay three days of WAL" };
      },
    });
    const diff = diffOf(dir);
    expect(diff.drift).toEqual([]);
    expect(row(diff, "retention.walHours")).toMatchObject({ values: [48, 72], status: "overridden", note: "overridden in dr: drills replay three days of WAL" });
  });
});

describe("npm run config:diff", () => {
  /** A run as from a pipe: no colour or width of the test runner's own, plus `env`. */
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const { FORCE_COLOR: _force, NO_COLOR: _no, COLUMNS: _columns, ...rest } = process.env;
    return spawnSync(process.execPath, ["tools/cli/run.js", "tools/cli/configDiff.ts", ...args], { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000, env: { ...rest, ...env } });
  };
  /** Text with its wrapped lines joined again (a continuation starts with spaces and `… `). */
  const unwrapped = (text: string) => text.replace(/\n +… /g, "");

  it("fits the terminal: 100 columns from a pipe, COLUMNS when set; values too wide for their column on lines of their own", () => {
    for (const [env, width] of [[{}, 100], [{ COLUMNS: "120" }, 120]] as const) {
      const result = cli(["--stack", "dr"], env);
      expect(result.status).toBe(0);
      expect(Math.max(...result.stdout.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(width);
    }
    const lines = cli(["--stack", "dr"]).stdout.split("\n");
    const host = lines.findIndex((l) => /^databases\.primary\.pgHost\s+\(below\)\s+\(below\)\s+environment-only$/.test(l));
    expect(lines.slice(host + 1, host + 3)).toEqual(["    prod: db-use1.ops.crazy-gary.app", "    dr: db-use2.dr.ops.crazy-gary.app"]);
    // Lists of objects as the items that differ, old → new.
    const p3 = lines.findIndex((l) => /^alerts\.P3\s/.test(l));
    expect(lines.slice(p3 + 1, p3 + 3)).toEqual(["    prod → dr:", '      [0].endpoint: "devops@crazy-gary.app" → "dr-drills@crazy-gary.app"']);
    // A key longer than the key column gets a line of its own.
    const sg = lines.indexOf("databases.primary.restApiIngress.securityGroupId");
    expect(lines[sg + 1]).toMatch(/^ +\(below\)\s+\(below\)\s+environment-only$/);
    expect(cli(["--stack", "dr"], { FORCE_COLOR: "1" }).stdout).toContain("\u001b[1mkey");
  });

  it("exit 0 and the report for the committed stacks; --base defaults to the stack dr follows", () => {
    const result = cli(["--stack", "dr"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^app\.LOG_LEVEL\s+info\s+debug\s+overridden$/m);
    expect(result.stdout).toContain("    overridden in dr: restore drills are read from debug logs; prod stays at info");
    expect(result.stdout).toMatch(/^retention\.walHours\s+48\s+48\s+shared$/m);
    expect(result.stdout).toMatch(/^regions\.primary\s+us-east-1\s+us-east-2\s+environment-only$/m);
    expect(result.stdout).not.toContain(placeholderMark);
  });

  it("exit 1 when a key that must be shared differs without an override", () => {
    const dir = fixture({ dr: (c) => (c["crazy-gary-dr:app"] = { LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: 600 }) });
    const result = cli(["--stack", "dr", "--base", "prod", "--dir", dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^retention\.walHours\s+48\s+48\s+shared$/m);
    expect(unwrapped(result.stdout)).toContain("drift in keys that must be shared: app.MODEL_FALLBACK_PROVIDER, app.MODEL_PROVIDER, app.MODEL_TIMEOUT_SECONDS, app.RATE_LIMIT_PER_MINUTE, app.REDIS_ENABLED, app.SESSION_TIMEOUT_MINUTES");
  });

  it("still takes two positional stacks (base, then stack), with a hint to the flags", () => {
    const result = cli(["prod", "dr"]);
    expect(result.status).toBe(0);
    expect(result.stderr.trim()).toBe("hint: positional stacks still work; the documented form is npm run -s config:diff -- --stack dr --base prod");
    expect(result.stdout).toBe(cli(["--stack", "dr", "--base", "prod"]).stdout);
  });

  it.each([
    ["an unknown stack", ["--stack", "staging", "--base", "prod"], 'config:diff: unknown stack "staging" (no Pulumi.staging.yaml); stacks found: dr, prod'],
    ["a mistyped stack", ["--stack", "dr", "--base", "prdo"], 'config:diff: unknown stack "prdo" (no Pulumi.prdo.yaml); did you mean prod? stacks found: dr, prod'],
    ["one positional stack", ["dr"], "dr: unexpected argument; did you mean --stack dr?"],
    ["a stack that follows none, without --base", ["--stack", "prod"], "--base: required for prod, which follows no stack (no sync.source); e.g. npm run -s config:diff -- --stack prod --base dr"],
    ["a mistyped flag", ["--stakc", "dr"], "--stakc: unknown flag; did you mean --stack? allowed: --stack, --base, --dir, --out (--help shows each with an example)"],
  ])("exit 2 on %s", (_case, args, message) => {
    const result = cli(args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(message);
    expect(result.stdout).toBe("");
  });
});
