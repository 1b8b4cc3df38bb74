import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot, secretMarker } from "../../tools/offline";
import { runTool, unwrapped } from "../support/cliRuns";

/** `npm run plan` with `args`, and terminal settings from `env` only (test/support/cliRuns.ts). */
const planWith = (env: Record<string, string>, ...args: string[]) => runTool("plan", args, { env });

const plan = (...args: string[]) => planWith({}, ...args);

describe("npm run plan", () => {
  it("prints the same JSON on two runs, with secrets as [secret] and stable order", () => {
    const first = plan("--stack", "prod", "--format", "json");
    const second = plan("--stack", "prod", "--format", "json");
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const json = JSON.parse(first.stdout);
    expect(Object.keys(json)).toEqual(["stack", "resources", "outputs"]);
    expect(json.stack).toBe("prod");
    const urns = json.resources.map((r: { urn: string }) => r.urn);
    expect(urns).toEqual([...urns].sort((a: string, b: string) => a.localeCompare(b)));
    const postgres = json.resources.find((r: { name: string }) => r.name === "postgres-writable");
    expect(postgres.inputs.password).toBe(secretMarker);
    expect(Object.keys(postgres)).toEqual(["urn", "type", "name", "region", "parent", "provider", "custom", "inputs", "options", "propertyDependencies"]);
    // What a later --diff --base needs: the provider reference (its region) and whether the engine creates anything.
    const bucket = json.resources.find((r: { name: string }) => r.name === "wal-archive-primary-bucket");
    expect(bucket).toMatchObject({ custom: true, provider: "urn:pulumi:prod::crazy-gary-dr::pulumi:pulumi:Stack$pulumi:providers:aws::aws-primary::aws-primary-provider-id" });
    expect(json.resources.find((r: { name: string }) => r.name === "wal-archive-primary")).toMatchObject({ type: "crazygary:dr:WalArchiveBucket", custom: false, provider: null });
    expect(Object.keys(postgres.options)).toEqual(["protect", "retainOnDelete", "dependsOn"]);
    expect(first.stdout).not.toContain("PLACEHOLDER");
  });

  it("shows a flip with --set", () => {
    const flipped = JSON.parse(plan("--stack", "prod", "--format", "json", "--set", "activeRegion=secondary").stdout);
    expect(flipped.outputs.activeRegion).toBe("us-west-2");
  });

  it("--format markdown: the header as a heading, the table fenced, --filter applied", () => {
    const text = plan("--stack", "dr", "--filter", "route53");
    const markdown = plan("--stack", "dr", "--filter", "route53", "--format", "markdown");
    expect(markdown.code).toBe(0);
    const [header, ...rest] = text.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^Plan of stack dr: \d+ of \d+ resources whose type or name contains "route53"$/);
    expect(markdown.stdout).toBe(`### ${header}\n\n\`\`\`\n${rest.join("\n").replace(/^\n+/, "")}\n\`\`\`\n`);
  });

  it("prints a table grouped by region, with outputs and the placeholder note", () => {
    const table = plan("--stack", "dr");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^== us-east-2 \| /m);
    expect(table.stdout).toMatch(/^== us-west-1 \| /m);
    expect(table.stdout).toContain("Outputs:");
    expect(unwrapped(table.stdout)).toContain("Secrets stood in by placeholders (set the real ones with `pulumi config set --secret --path <key> ...`): databaseSecrets");
    // Fits a terminal: 100 columns from a pipe, scripts as line count and hash, rows cut with a marker, a summary by type last.
    expect(Math.max(...table.stdout.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100);
    expect(table.stdout).toMatch(/ patroni-flip-command +addPreviousOutputInEnv=fals…$/m);
    expect(planWith({ COLUMNS: "200" }, "--stack", "dr").stdout).toMatch(/ patroni-flip-command +addPreviousOutputInEnv=false {2}create=node -r ts-node\/register\/transpile-only /);
    expect(table.stdout).toMatch(/\n\d+ resources: \d+ Parameter, \d+ MetricAlarm, [^\n]*\n(  [^\n]*\n)*$/);
  });

  it.each([
    [["--stack", "staging"], '--stack "staging": no Pulumi.staging.yaml; stacks found: dr, prod'],
    [[], "--stack: required; e.g. npm run plan -- --stack prod"],
    [["--stack", "prod", "--region", "x"], "--region: unknown flag; allowed: --stack, --set, --format, --base, --filter, --out, --diff, --detailed-exitcode, --verbose (--help shows each with an example)"],
    [["--stak", "prod"], "--stak: unknown flag; did you mean --stack?"],
    [["--stack", "prdo"], '--stack "prdo": no Pulumi.prdo.yaml; did you mean prod? stacks found: dr, prod'],
    [["prod"], "prod: unexpected argument; did you mean --stack prod?"],
    [["--stack", "prod", "--set", "regions.secondary=us-west2"], 'crazy-gary-dr:regions.secondary: "us-west2" is not an AWS region code; did you mean us-west-2? (46 region codes in all)'],
    [["--stack", "prod", "--set", "retention.walHours=12"], "crazy-gary-dr:retention.walHours: 12 is looser than the runbook's 48 h (Backup Types & Retention); use a value >= 48, e.g. 48"],
    [["--stack", "prod", "--set", "regions.primary=us-west-2"], 'crazy-gary-dr:regions.primary: "us-west-2" conflicts with regions.secondary ("us-west-2"), which is the same as regions.primary; use a different region so one outage cannot take both, e.g. us-east-1'],
    [["--stack", "prod", "--set", "healthCheck.failureThreshold=11"], "crazy-gary-dr:healthCheck.failureThreshold: 11 is more than 10; use a whole number from 1 to 10, e.g. 2"],
    [["--stack", "prod", "--set", "sync.source={a"], '--set "sync.source={a": the value is not YAML (Flow map must end with a }); quote text with spaces or braces'],
    [["--stack", "prod", "--set", "activeRegion"], '--set "activeRegion": expected key=value, e.g. --set activeRegion=secondary'],
    [["--stack", "prod", "--diff"], "--diff: compares the stack files with the same stack under --set overrides, or a saved plan (--base FILE) with this checkout; give one, e.g. --set activeRegion=secondary"],
    [["--stack", "prod", "--filter", "route53", "--format", "json"], "--filter: narrows the table (--format text or markdown) only; JSON and --diff keep the whole plan (filter the JSON with jq)"],
    [["--stack", "prod", "--json"], "--json: no longer taken; give --format json instead (one flag for every tool), e.g. npm run -s plan -- --stack prod --format json"],
    [["--stack", "prod", "--format", "yaml"], '--format: "yaml" is not allowed; use text, json, markdown, e.g. --format markdown'],
    [["--stack", "prod", "--filter", "route35"], '--filter "route35": matches no resource type or name; did you mean route53?'],
    [["--stack", "prod", "--base", "main-prod.json"], "--base: only with --diff, e.g. npm run -s plan -- --stack prod --diff --base main-prod.json"],
    [["--stack", "prod", "--diff", "--base", "no-such-plan.json"], `--base "no-such-plan.json": no such file (${path.join(repositoryRoot, "no-such-plan.json")}); make it with \`npm run -s plan -- --stack NAME --out FILE\` on the base branch`],
  ])("%j exits 2 with a clear message and no stack trace", (args, message) => {
    const result = plan(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("--diff prints each changed resource with its operation, causes and changed values, the outputs, the Route 53 check, and the summary line last", () => {
    const result = plan("--stack", "prod", "--set", "activeRegion=secondary", "--diff");
    expect(result.code).toBe(0);
    const lines = unwrapped(result.stdout).trimEnd().split("\n");
    // 18 updates include the four repository-wal-age alarms: actions and breaching on silence only where the active primary publishes.
    expect(lines.at(-1)).toBe("18 to update, 5 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0");
    expect(lines.slice(0, 3)).toEqual([
      "Stack prod: its stack files -> with --set activeRegion=secondary",
      "Offline: two evaluations of the program; `pulumi preview --diff` diffs against the real state.",
      "Order: as `pulumi up` runs them, each after what it depends on; deletions last.",
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^~ {2}update {2}alarms-repository-wal-age-primary-primary {2}aws:cloudwatch:MetricAlarm$/));
    // The schema version is read from the newly active database at the next up (an update, not a replace), with its password.
    expect(lines).toContainEqual(expect.stringMatching(/^~ {2}update {2}schema-version-read +command:local:Command$/));
    expect(lines).toContain('     environment.SOURCE_HOST: "db-use1.ops.crazy-gary.app" → "db-usw2.ops.crazy-gary.app"');
    expect(lines).toContain("     environment.SOURCE_PASSWORD: [secret] (changed; value not shown)");
    // The flip's own values, key by key: the candidate and its API, never the REST password (unchanged).
    expect(lines).toContainEqual(expect.stringMatching(/^\+- replace patroni-flip-command +command:local:Command \[replace: triggers\] \[rule \d\]$/));
    expect(lines).toContain('     environment.FLIP_CANDIDATE: "us-east-1" → "us-west-2"');
    // Too long for one line of 100 columns (the default without a TTY): old and new on lines of their own.
    const api = lines.indexOf("     environment.FLIP_API_URL:");
    expect(lines.slice(api, api + 3)).toEqual(["     environment.FLIP_API_URL:", '       - "https://db-use1.ops.crazy-gary.app:8008"', '       + "https://db-usw2.ops.crazy-gary.app:8008"']);
    expect(lines).toContain('     triggers[0]: "primary" → "secondary"');
    expect(result.stdout).not.toContain("PATRONI_RESTAPI_PASSWORD");
    // A host's files as a line diff: the candidate's Patroni may now take the leader lock.
    expect(lines).toContain("       -  nofailover: true");
    expect(lines).toContain("       +  nofailover: false");
    // In the order pulumi up runs them: the candidate's files and configuration, the flip, then the old leader's.
    const replaced = lines.filter((l) => l.startsWith("+- replace ")).map((l) => l.split(/ +/)[2]);
    expect(replaced).toEqual(["database-host-secondary-files", "database-host-secondary-configure", "patroni-flip-command", "database-host-primary-files", "database-host-primary-configure"]);
    expect(lines).toContain('     insecureValue: "us-east-1" → "us-west-2"');
    expect(lines).toContain('     tags.Severity: "P0" → "P1"');
    // The stack outputs that change.
    expect(lines.slice(lines.indexOf("Outputs:"))).toContain('  activeRegion: "us-east-1" → "us-west-2"');
    // DNS follows the Patroni leader through health checks alone: no Route 53 resource changes on a flip.
    expect(lines.filter((l) => l.includes("aws:route53/"))).toEqual([]);
    expect(lines.filter((l) => /^\+- replace \S+ +aws:/.test(l))).toEqual([]);
    expect(lines).toContain("Route 53 during the update: 0 DNS steps, 1 states checked (every order the dependencies allow), 0 refused or unsafe");
    expect(result.stdout).not.toContain("PLACEHOLDER");
    expect(result.stdout).not.toContain("\u001b[");
    // Each warning once, with its count (two plans, two severities).
    expect(result.stderr.match(/^warning: /gm)).toHaveLength(1);
    expect(unwrapped(result.stderr)).toContain("warning: alerts.P2, alerts.P3: email devops@crazy-gary.app stays \"pending confirmation\"");
    expect(unwrapped(result.stderr)).toContain("(4 warnings in one; --verbose prints each)");
  });

  it("--diff at COLUMNS=120 fits 120 columns and shows every changed value the JSON holds", () => {
    const text = planWith({ COLUMNS: "120" }, "--stack", "prod", "--set", "activeRegion=secondary", "--diff");
    const json = JSON.parse(plan("--stack", "prod", "--set", "activeRegion=secondary", "--diff", "--format", "json").stdout);
    expect(text.code).toBe(0);
    expect(Math.max(...text.stdout.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(120);
    expect(Math.max(...text.stderr.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(120);
    const shown = unwrapped(text.stdout);
    type Change = { path: string; kind: string; before?: unknown; after?: unknown; hunks?: { lines: string[] }[] };
    const changes: Change[] = [...json.operations.flatMap((o: { values: Change[] }) => o.values), ...json.outputs];
    expect(changes.length).toBeGreaterThan(60);
    for (const change of changes) {
      expect(shown).toContain(`${change.path}:`);
      if (change.kind === "value") for (const value of [change.before, change.after]) expect(shown).toContain(JSON.stringify(value));
      if (change.kind === "lines") for (const l of change.hunks!.flatMap((h) => h.lines).filter((x) => /^[-+]/.test(x))) expect(shown).toContain(l);
    }
  });

  it("colours only when asked: FORCE_COLOR into a pipe colours the text (each escape whole), never the JSON; NO_COLOR alone changes nothing off a TTY", () => {
    const forced = planWith({ FORCE_COLOR: "1", NO_COLOR: "1" }, "--stack", "prod", "--set", "activeRegion=secondary", "--diff");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('\u001b[31m"us-east-1"\u001b[39m → \u001b[32m"us-west-2"\u001b[39m');
    // eslint-disable-next-line no-control-regex
    const visible = forced.stdout.replace(/\u001b\[\d+m/g, "");
    expect(visible).not.toContain("\u001b");
    expect(Math.max(...visible.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100);
    const json = planWith({ FORCE_COLOR: "1" }, "--stack", "prod", "--set", "activeRegion=secondary", "--diff", "--format", "json");
    expect(json.stdout).not.toContain("\u001b[");
    expect(planWith({ NO_COLOR: "1" }, "--stack", "prod", "--set", "activeRegion=secondary", "--diff").stdout).not.toContain("\u001b[");
  });

  it("--verbose prints every warning as it came", () => {
    const result = plan("--stack", "prod", "--set", "activeRegion=secondary", "--diff", "--verbose");
    expect(result.code).toBe(0);
    expect(result.stderr.match(/^warning: alerts\.P[23]: /gm)).toHaveLength(4);
  });

  it("--diff --format json gives the operations with old and new values per changed path, and the changed outputs", () => {
    const result = plan("--stack", "dr", "--set", "activeRegion=secondary", "--diff", "--format", "json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(["stack", "set", "operations", "outputs", "summary", "typesWithoutRule", "route53"]);
    expect(json.set).toEqual(["activeRegion=secondary"]);
    expect(json.summary).toEqual({ update: 19, replace: 5, create: 0, delete: 0, statefulReplacedOrDeleted: 0 });
    const flip = json.operations.find((o: { name: string }) => o.name === "patroni-flip-command");
    expect(flip).toMatchObject({ urn: "urn:pulumi:dr::crazy-gary-dr::crazygary:dr:PatroniFlip$command:local:Command::patroni-flip-command", type: "command:local:Command", op: "replace", properties: ["triggers"], stateful: false });
    expect(flip.values).toContainEqual({ path: "environment.FLIP_CANDIDATE", kind: "value", before: "us-east-2", after: "us-west-1" });
    expect(flip.values).toContainEqual({ path: "triggers[0]", kind: "value", before: "primary", after: "secondary" });
    expect(json.outputs).toContainEqual({ path: "activeRegion", kind: "value", before: "us-east-2", after: "us-west-1" });
    expect(json.operations.filter((o: { type: string }) => o.type.startsWith("aws:route53/"))).toEqual([]);
    expect(json.route53.statesChecked).toBe(1);
  });
});

describe("npm run plan -- --diff --detailed-exitcode (Terraform's -detailed-exitcode, plus 3)", () => {
  it.each([
    ["no changes: the active region the stack file already has", ["--set", "activeRegion=primary"], 0, "0 to update, 0 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0"],
    ["changes: the flip", ["--set", "activeRegion=secondary"], 2, "18 to update, 5 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0"],
    ["a stateful resource replaced: the secondary region moved", ["--set", "regions.secondary=us-west-1"], 3, "stateful replaced or deleted: 14"],
  ])("%s: exit %i", (_what, args, code, summary) => {
    const result = plan("--stack", "prod", ...args, "--diff", "--detailed-exitcode");
    expect(result.code).toBe(code);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toContain(summary);
  });

  it.each([
    ["a configuration mistake", ["--set", "retention.walHours=12", "--diff"], "crazy-gary-dr:retention.walHours: 12 is looser"],
    ["a usage mistake", ["--set", "activeRegion=secondary"], "--detailed-exitcode: only with --diff"],
  ])("%s exits 1 (2 means changes here)", (_what, args, message) => {
    const result = plan("--stack", "prod", ...args, "--detailed-exitcode");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });
});

describe("npm run plan -- --diff --base FILE (a pull request against its base branch)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const basePlan = path.join(dir, "base-prod.json");

  it("against a base plan that had the other region active: the flip back, the same operations as --set, closing with the summary", () => {
    // The base branch's plan, as preview.yml writes it from a worktree of the base branch.
    expect(plan("--stack", "prod", "--set", "activeRegion=secondary", "--out", basePlan).code).toBe(0);
    const result = plan("--stack", "prod", "--diff", "--base", basePlan);
    expect(result.code).toBe(0);
    const lines = unwrapped(result.stdout).trimEnd().split("\n");
    expect(lines[0]).toBe(`Stack prod: the base plan ${basePlan} -> this checkout`);
    expect(lines).toContain('     insecureValue: "us-west-2" → "us-east-1"');
    expect(lines).toContainEqual(expect.stringMatching(/^\+- replace patroni-flip-command +command:local:Command \[replace: triggers\] \[rule \d\]$/));
    // A saved plan holds no fingerprint of a secret: whether it changed cannot be told.
    expect(lines).toContain("     environment.SOURCE_PASSWORD: [secret] (a saved plan cannot tell whether it changed)");
    expect(lines.slice(lines.indexOf("Outputs:"))).toContain('  activeRegion: "us-west-2" → "us-east-1"');
    expect(lines.at(-1)).toBe("18 to update, 5 to replace, 0 to create, 0 to delete; stateful replaced or deleted: 0");
  });

  it("against the base plan of the same files: no changes", () => {
    const same = path.join(dir, "same-prod.json");
    expect(plan("--stack", "prod", "--out", same).code).toBe(0);
    const result = plan("--stack", "prod", "--diff", "--base", same, "--format", "json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ stack: "prod", set: [], base: same, operations: [], summary: { update: 0, replace: 0, create: 0, delete: 0, statefulReplacedOrDeleted: 0 } });
  });

  it.each([
    ["another stack's plan", (p: { stack: string; resources: object[] }) => ({ ...p, stack: "dr" }), "is a plan of stack dr, not prod; give the base plan of the same stack"],
    [
      "a plan written before provider/custom were in the JSON",
      (p: { stack: string; resources: Record<string, unknown>[] }) => ({ ...p, resources: p.resources.map(({ provider: _p, custom: _c, ...rest }) => rest) }),
      "has no provider/custom (a plan written by an older version of this tool); make it with `npm run -s plan -- --stack NAME --out FILE` on the base branch",
    ],
  ] as const)("refuses %s with exit 2, naming the file", (_what, change, message) => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(change(JSON.parse(readFileSync(basePlan, "utf8")))));
    const result = plan("--stack", "prod", "--diff", "--base", bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--base "${bad}": `);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });
});
