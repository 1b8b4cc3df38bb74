import { sharedPlan } from "./support/plans";
import { planStack, StackFileError } from "../tools/offline";
import { beforeAll, describe, expect, it } from "vitest";
import { parameterValue, replicaArn } from "../components/environmentSync";
import { parseSchemaVersion, readSchemaSyncScript, schemaSyncSettings } from "../components/schemaSync";
import { parseStackConfig } from "../infra/parseConfig";
import {
  applySync,
  effectiveSettings,
  environmentOutput,
  EnvironmentSyncError,
  fixedSyncedKeys,
  parseEnvironmentOutput,
  type EnvironmentOutput,
} from "../infra/environmentSync/syncedSettings";
import { secretValuePatterns } from "../domain/secretSettings";
import { deploymentRunId, schemaReaderRole } from "../infra/environmentSync";
import { program } from "../infra/program";
import { StackConfigError } from "../infra/parseConfig";
import { resolveSyncedConfig } from "../infra/environmentSync/source";
import { evaluate, loadStackConfig, placeholderMark, secretMarker, type CapturedResource, type Plan } from "../tools/offline";

const drSource = "crazy-gary/crazy-gary-dr/prod";
let prod: Plan;
let dr: Plan;

beforeAll(async () => {
  prod = await sharedPlan("prod");
  dr = await sharedPlan("dr");
});

const prodConfig = () => parseStackConfig(loadStackConfig("prod"));
const drConfig = () => parseStackConfig(loadStackConfig("dr"));
const settingsOf = (plan: Plan) => (plan.outputs.environment as EnvironmentOutput).settings;
const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const parameters = (plan: Plan) => ofType(plan, "aws:ssm/parameter:Parameter").filter((r) => r.name.startsWith("environment-sync-"));
const parameterValueOf = (plan: Plan, name: string, region: string) =>
  parameters(plan).find((r) => r.inputs.name === name && r.region === region)?.inputs.insecureValue;

/** The dr program evaluated with prod's outputs replaced by `prodOutputs`. */
async function evaluateDr(prodOutputs: Record<string, unknown>, set: string[] = []) {
  const loaded = loadStackConfig("dr", { set });
  return evaluate(program, { stack: "dr", config: loaded.engineConfig, secretKeys: loaded.engineSecretKeys, stackReferences: { [drSource]: prodOutputs } });
}

/**
 * Why dr's config resolution (the program's first step, before any resource) refuses prod's
 * outputs `prodOutputs`, read through the StackReference under the mock engine.
 */
async function drRefusal(prodOutputs: Record<string, unknown>): Promise<string> {
  const loaded = loadStackConfig("dr");
  const config = parseStackConfig(loaded);
  const run = () => resolveSyncedConfig(config).then(() => ({ refusal: "accepted" }), (err: Error) => ({ refusal: err.message }));
  const { outputs } = await evaluate(run, { stack: "dr", config: loaded.engineConfig, secretKeys: loaded.engineSecretKeys, stackReferences: { [drSource]: prodOutputs } });
  return outputs.refusal as string;
}

/** Why prod's config resolution refuses its config with `set` applied. */
async function prodRefusal(set: string[]): Promise<string> {
  return Promise.resolve()
    .then(() => resolveSyncedConfig(parseStackConfig(loadStackConfig("prod", { set }))))
    .then(
      () => "accepted",
      (err: Error) => err.message,
    );
}

describe("dr follows prod", () => {
  const overrides = { "app.LOG_LEVEL": "debug", "app.TASK_QUEUE_CONCURRENCY": 1 } as Record<string, unknown>;

  it("exports a versioned environment with every synced key", () => {
    expect(settingsOf(prod)).toMatchObject({ "retention.walHours": 48, "app.LOG_LEVEL": "info", "thresholds.unauthorized-access": 100 });
    expect((prod.outputs.environment as EnvironmentOutput).version).toBe(1);
    for (const key of fixedSyncedKeys) expect(Object.keys(settingsOf(prod))).toContain(key);
  });

  it("dr's overrides are exactly the ones in Pulumi.dr.yaml", () => {
    expect(Object.fromEntries(Object.entries(drConfig().sync!.overrides).map(([k, o]) => [k, o.value]))).toEqual(overrides);
  });

  it("every shared key of dr equals prod's; every override is dr's own value", () => {
    const prodSettings = settingsOf(prod);
    const drSettings = settingsOf(dr);
    expect(Object.keys(drSettings).sort()).toEqual(Object.keys(prodSettings).sort());
    const expected = Object.fromEntries(Object.entries(prodSettings).map(([key, value]) => [key, key in overrides ? overrides[key] : value]));
    expect(drSettings).toEqual(expected);
  });

  it.each([
    ["/crazy-gary/dr/retention/walHours", "48"],
    ["/crazy-gary/dr/schedules/fullBackupTimeUtc", "02:00"],
    ["/crazy-gary/dr/thresholds/unauthorized-access", "100"],
    ["/crazy-gary/dr/healthCheck/checkerRegions", "us-east-1,us-west-2,eu-west-1"],
    ["/crazy-gary/dr/app/LOG_LEVEL", "debug"],
    ["/crazy-gary/dr/app/TASK_QUEUE_CONCURRENCY", "1"],
    ["/crazy-gary/dr/app/MODEL_PROVIDER", "huggingface"],
    ["/crazy-gary/dr/appSecrets", "SECRET_KEY,JWT_SECRET_KEY,OPENAI_API_KEY,HUGGINGFACE_API_KEY,OPENROUTER_API_KEY"],
  ])("dr publishes %s = %s in both of its regions", (name, value) => {
    expect(parameterValueOf(dr, name, "us-east-2")).toBe(value);
    expect(parameterValueOf(dr, name, "us-west-1")).toBe(value);
  });

  it("says in each parameter's description whether it is shared or overridden, and why", () => {
    const describe = (name: string) => parameters(dr).find((r) => r.inputs.name === name && r.region === "us-east-2")?.inputs.description;
    expect(describe("/crazy-gary/dr/app/LOG_LEVEL")).toBe("Crazy-Gary dr setting app.LOG_LEVEL, overridden in dr: restore drills are read from debug logs; prod stays at info");
    expect(describe("/crazy-gary/dr/retention/walHours")).toContain("shared by every environment");
  });

  it("a --set on a synced key of dr, which prod's value would override, is refused with the two forms that work", async () => {
    const error = (await planStack("dr", { set: ["retention.walHours=72", "app.MODEL_PROVIDER=openrouter"] }).catch((err: unknown) => err)) as Error;
    expect(error).toBeInstanceOf(StackFileError);
    expect(error.message.split("\n")).toEqual([
      `--set retention.walHours=72: dr takes its synced settings from prod (sync.source ${drSource}), so this value would be ignored. For dr only: --set 'sync.overrides["retention.walHours"]={value: 72, reason: "<why dr differs>"}'; for both: --stack prod --set retention.walHours=72`,
      `--set app.MODEL_PROVIDER=openrouter: dr takes its synced settings from prod (sync.source ${drSource}), so this value would be ignored. For dr only: --set 'sync.overrides["app.MODEL_PROVIDER"]={value: openrouter, reason: "<why dr differs>"}'; for both: --stack prod --set app.MODEL_PROVIDER=openrouter`,
    ]);
  });

  it("the override form the refusal suggests takes effect in dr", async () => {
    const plan = await sharedPlan("dr", ['sync.overrides["retention.walHours"]={value: 72, reason: "drills replay three days of WAL"}']);
    expect(settingsOf(plan)["retention.walHours"]).toBe(72);
  });

  it("a change in prod's output reaches dr's effective config, its components and its parameters", async () => {
    const environment = structuredClone(prod.outputs.environment) as EnvironmentOutput;
    environment.settings["retention.walHours"] = 96;
    environment.settings["app.MODEL_TIMEOUT_SECONDS"] = 45;
    environment.settings["app.LOG_LEVEL"] = "warning";
    environment.settings["healthCheck.failureThreshold"] = 3;
    const plan = await evaluateDr({ ...prod.outputs, environment });
    // The HTTPS endpoint and database leader checks carry the threshold; the CALCULATED routing checks have none.
    const healthChecks = plan.resources.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck" && r.inputs.type === "HTTPS");
    expect(healthChecks.length).toBe(6);
    for (const check of healthChecks) expect(check.inputs.failureThreshold, check.name).toBe(3);
    const settings = (plan.outputs.environment as EnvironmentOutput).settings;
    expect(settings["retention.walHours"]).toBe(96);
    expect(settings["app.MODEL_TIMEOUT_SECONDS"]).toBe(45);
    expect(settings["app.LOG_LEVEL"]).toBe("debug");
    const walParameter = (plan.resources as CapturedResource[]).find((r) => r.inputs.name === "/crazy-gary/dr/retention/walHours" && r.region === "us-west-1");
    expect(walParameter?.inputs.insecureValue).toBe("96");
  });

  it("applySync gives the components the effective config, re-validated", () => {
    const source = environmentOutput(prodConfig());
    source.settings["retention.walHours"] = 72;
    const synced = applySync(drConfig(), source);
    expect(synced.retention.walHours).toBe(72);
    expect(synced.app.LOG_LEVEL).toBe("debug");
    expect(synced.regions).toEqual({ primary: "us-east-2", secondary: "us-west-1", witness: "us-west-2" });
    expect(effectiveSettings(synced, undefined)["app.LOG_LEVEL"]).toEqual({ value: "debug", origin: "overridden", reason: "restore drills are read from debug logs; prod stays at info" });
  });
});

describe("a stale or malformed prod output is refused, naming the key", () => {
  const good = () => structuredClone(environmentOutput(prodConfig())) as unknown as { version: unknown; settings: Record<string, unknown> };
  const drop = (key: string) => {
    const raw = good();
    delete raw.settings[key];
    return raw;
  };
  const withSetting = (key: string, value: unknown) => {
    const raw = good();
    raw.settings[key] = value;
    return raw;
  };
  it.each([
    ["no output at all", undefined, `environment: missing from ${drSource}'s outputs; run \`pulumi up\` on ${drSource}`],
    ["not a map", "v1", 'environment: "v1" is not a map'],
    ["stale version", { ...good(), version: 0 }, "environment.version: 0 is stale; this program reads version 1"],
    ["no version", { settings: good().settings }, 'environment.version: "missing" is stale'],
    ["newer version", { ...good(), version: 2 }, "environment.version: 2 is newer than this program reads (1)"],
    ["missing key", drop("retention.walHours"), "environment.settings.retention.walHours: missing; expected a number"],
    ["wrong type", withSetting("schedules.incrementalEveryHours", "6"), 'environment.settings.schedules.incrementalEveryHours: "6" is not a number'],
    ["value the config would refuse", withSetting("retention.walHours", 12), "environment.settings.retention.walHours: 12 is looser than the runbook's 48 h"],
    ["unknown key", withSetting("retention.walDays", 2), "environment.settings.retention.walDays: 2 is not a synced key"],
    ["app setting of a wrong type", withSetting("app.LOG_LEVEL", { level: "info" }), 'environment.settings.app.LOG_LEVEL: {"level":"info"} is not a string, number or boolean'],
    ["request interval Route53 refuses", withSetting("healthCheck.requestIntervalSeconds", 15), "environment.settings.healthCheck.requestIntervalSeconds: 15 is not a Route53 request interval; use 10 or 30"],
    ["secret-looking value", withSetting("app.DATABASE_URL", "postgres://app:hunter22@db/x"), "environment.settings.app.DATABASE_URL: its value looks like a URL with a password"],
    ["masked secret", withSetting("app.SENTRY_DSN", "[secret]"), "environment.settings.app.SENTRY_DSN: its value looks like a masked secret ([secret])"],
  ])("%s", (_case, raw, expected) => {
    expect(() => parseEnvironmentOutput(raw, drSource)).toThrow(EnvironmentSyncError);
    expect(() => parseEnvironmentOutput(raw, drSource)).toThrow(expected);
  });

  it("shows a secret-looking value of the wrong type as [secret], never its text", () => {
    const raw = withSetting("app.DATABASE", { url: "postgres://app:hunter22@db/x" });
    expect(() => parseEnvironmentOutput(raw, drSource)).toThrow("environment.settings.app.DATABASE: [secret]");
    expect(() => parseEnvironmentOutput(raw, drSource)).not.toThrow("hunter22");
  });

  it.each([
    ["a stale output", { version: 0, settings: {} }, "environment.version: 0 is stale"],
    ["a missing key", (() => { const raw = good(); delete raw.settings["thresholds.cpu"]; return raw; })(), "environment.settings.thresholds.cpu: missing; expected a number"],
  ])("dr's config resolution stops on %s", async (_case, environment, expected) => {
    expect(await drRefusal({ ...prod.outputs, environment })).toContain(expected);
  });

  it("dr's config resolution stops when prod exports no schema version", async () => {
    const { schemaVersion: _dropped, ...outputs } = prod.outputs;
    expect(await drRefusal(outputs)).toContain("schemaVersion: missing is not sha256:<64 hex digits>");
  });
});

describe("secrets are never synced", () => {
  it.each([
    ["a URL with a password", "app.DATABASE_URL=postgres://app:hunter22@db.internal/crazy_gary", "crazy-gary-dr:app.DATABASE_URL: [secret] looks like a secret (its value looks like a URL with a password)"],
    ["an API token", "app.UPSTREAM=sk-abcdefghijklmnopqrstuvwx", "crazy-gary-dr:app.UPSTREAM: [secret] looks like a secret (its value looks like an API token)"],
    ["a redacted value (the runbook's jq)", "app.SENTRY='***REDACTED***'", "crazy-gary-dr:app.SENTRY: [secret] looks like a secret (its value looks like a redacted secret"],
  ])("a shared key holding %s is refused with its key named", async (_case, setting, expected) => {
    const message = await prodRefusal([setting]);
    expect(message).toContain(expected);
    expect(message).not.toContain("hunter22");
  });

  it("a shared key whose name looks secret is refused by the config schema", () => {
    expect(() => parseStackConfig(loadStackConfig("prod", { set: ["app.GITHUB_TOKEN=x"] }))).toThrow(StackConfigError);
    expect(() => parseStackConfig(loadStackConfig("prod", { set: ["app.GITHUB_TOKEN=x"] }))).toThrow("crazy-gary-dr:app.GITHUB_TOKEN");
  });

  it.each([
    ["a secret value", "postgres://a:b@h/db", "crazy-gary-dr:sync.overrides.app.LOG_LEVEL.value: its value looks like a URL with a password"],
    ["a value of the wrong type", { nested: true }, 'crazy-gary-dr:sync.overrides.app.LOG_LEVEL.value: {"nested":true}'],
  ])("an override with %s is refused naming it", (_case, value, expected) => {
    const config = drConfig();
    expect(() => effectiveSettings(config, environmentOutput(prodConfig()), { "app.LOG_LEVEL": { value, reason: "a reason long enough" } })).toThrow(expected);
  });

  it("an override of a key that is not synced is refused naming it", () => {
    expect(() => effectiveSettings(drConfig(), environmentOutput(prodConfig()), { "regions.primary": { value: "eu-west-1", reason: "a reason long enough" } })).toThrow(
      "crazy-gary-dr:sync.overrides.regions.primary: is not a synced key of the source stack",
    );
  });

  it("every SSM parameter in both plans is a String without a secret, a masked secret or a placeholder", () => {
    for (const plan of [prod, dr]) {
      const all = ofType(plan, "aws:ssm/parameter:Parameter");
      expect(all.length).toBeGreaterThan(70);
      for (const parameter of all) {
        expect(parameter.inputs.type, parameter.name).toBe("String");
        expect(parameter.inputs.value, `${parameter.name}: value is stored as a secret by the provider; String parameters use insecureValue`).toBeUndefined();
        const text = JSON.stringify(parameter.inputs);
        expect(text, parameter.name).not.toContain(secretMarker);
        expect(text, parameter.name).not.toContain(placeholderMark);
        for (const { pattern } of secretValuePatterns) expect(String(parameter.inputs.insecureValue), parameter.name).not.toMatch(pattern);
      }
    }
  });

  it.each([
    ["prod", "us-east-1", "us-west-2"],
    ["dr", "us-east-2", "us-west-1"],
  ])("%s has its own secret per application secret, protected, replicated, with no value from the stack", (stack, primary, secondary) => {
    const plan = stack === "prod" ? prod : dr;
    const secrets = ofType(plan, "aws:secretsmanager/secret:Secret").filter((r) => r.name.startsWith("environment-sync-"));
    expect(secrets.map((s) => s.inputs.name).sort()).toEqual(
      ["HUGGINGFACE_API_KEY", "JWT_SECRET_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "SECRET_KEY"].map((n) => `crazy-gary/${stack}/${n}`),
    );
    for (const secret of secrets) {
      expect(secret.region).toBe(primary);
      expect(secret.inputs.replicas).toEqual([{ region: secondary }]);
      expect(secret.options.protect).toBe(true);
      expect(secret.inputs.recoveryWindowInDays).toBe(30);
    }
    expect(ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion").filter((r) => r.name.startsWith("environment-sync-"))).toEqual([]);
  });

  it("publishes only each secret's ARN, per region, pointing at that region's copy", () => {
    expect(parameterValueOf(dr, "/crazy-gary/dr/secrets/JWT_SECRET_KEY", "us-east-2")).toBe(
      "arn:aws:secretsmanager:us-east-2:123456789012:secret:environment-sync-secret-JWT_SECRET_KEY-AbCdEf",
    );
    expect(parameterValueOf(dr, "/crazy-gary/dr/secrets/JWT_SECRET_KEY", "us-west-1")).toBe(
      "arn:aws:secretsmanager:us-west-1:123456789012:secret:environment-sync-secret-JWT_SECRET_KEY-AbCdEf",
    );
    expect(replicaArn("arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf", "eu-west-1")).toBe("arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCdEf");
  });

  it("no output of either stack holds a secret or a placeholder", () => {
    for (const plan of [prod, dr]) {
      const text = JSON.stringify(plan.outputs);
      expect(text).not.toContain(secretMarker);
      expect(text).not.toContain(placeholderMark);
    }
  });

  it("refuses to write a secret-looking value as a String parameter", () => {
    expect(() => parameterValue("app.KEYRING", "-----BEGIN RSA PRIVATE KEY-----")).toThrow('settings["app.KEYRING"]: its value looks like a PEM private key');
    expect(parameterValue("healthCheck.checkerRegions", ["us-east-1", "eu-west-1"])).toBe("us-east-1,eu-west-1");
  });
});

describe("names do not follow the active region", () => {
  it("flipping activeRegion changes no URN of the environment sync", async () => {
    const flipped = await sharedPlan("prod", ["activeRegion=secondary"]);
    const urns = (plan: Plan) => plan.resources.filter((r) => r.urn.includes("environment-sync")).map((r) => r.urn).sort();
    expect(urns(flipped)).toEqual(urns(prod));
    for (const urn of urns(prod)) expect(urn).not.toMatch(/active|passive/);
  });
});

describe("schema sync", () => {
  const schemaSync = (plan: Plan) => ofType(plan, "command:local:Command").filter((r) => r.name.startsWith("schema-sync"));

  it("runs only in the stack that follows another", () => {
    expect(schemaSync(prod)).toEqual([]);
    expect(schemaSync(dr).map((r) => r.name)).toEqual(["schema-sync-apply"]);
  });

  it("triggers on prod's schema version output", () => {
    expect(prod.outputs.schemaVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(schemaSync(dr)[0].inputs.triggers).toEqual([prod.outputs.schemaVersion]);
  });

  it("reads prod's active database and writes dr's, passwords only through the environment", () => {
    expect(schemaSync(dr)[0].inputs.environment).toEqual({
      SCHEMA_SYNC_MODE: "sync",
      SOURCE_HOST: "db-use1.ops.crazy-gary.app",
      SOURCE_PORT: "5432",
      SOURCE_DATABASE: "crazy_gary",
      SOURCE_USER: schemaReaderRole,
      SOURCE_PASSWORD_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:database-roles-schema_reader-secret-AbCdEf",
      TARGET_HOST: "db-use2.dr.ops.crazy-gary.app",
      TARGET_PORT: "5432",
      TARGET_DATABASE: "crazy_gary",
      TARGET_USER: "postgres",
      TARGET_PASSWORD: secretMarker,
      CONNECT_TIMEOUT_SECONDS: "10",
      PGSSLMODE: "require",
    });
    expect(prod.outputs.schemaSource).toEqual({
      host: "db-use1.ops.crazy-gary.app",
      port: 5432,
      database: "crazy_gary",
      user: schemaReaderRole,
      passwordSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:database-roles-schema_reader-secret-AbCdEf",
      // dr (Pulumi.dr.yaml accountId 210987654321) reads it across accounts: prod shares it (followerAccountIds).
      readerAccountIds: ["210987654321"],
    });
    // Never a password file in a home directory: the source's password comes from its role's secret.
    expect(Object.keys(schemaSync(dr)[0].inputs.environment as object)).not.toContain("PGPASSFILE");
  });

  it("the schema version is a command run by pulumi up (never an invoke, which every preview would run), triggered by the run id", () => {
    for (const plan of [prod, dr]) {
      const [read] = ofType(plan, "command:local:Command").filter((r) => r.name === "schema-version-read");
      expect(read.inputs.triggers).toEqual(["offline-plan"]);
      expect(read.inputs.create).toBe(readSchemaSyncScript());
      expect((read.inputs.environment as Record<string, string>).SCHEMA_SYNC_MODE).toBe("version");
      expect((read.inputs.environment as Record<string, string>).SOURCE_PASSWORD).toBe(secretMarker);
    }
    expect(deploymentRunId({ CRAZY_GARY_RUN_ID: "9142-1" })).toBe("9142-1");
    expect(deploymentRunId({})).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("dr refuses a source that exports no schema reader secret, naming the output", async () => {
    const { host, port, database } = prod.outputs.schemaSource as Record<string, unknown>;
    expect(await drRefusal({ ...prod.outputs, schemaSource: { host, port, database } })).toContain(
      "is not {host, port, database, user, passwordSecretArn: arn:aws:secretsmanager:..., readerAccountIds: [...]}; run `pulumi up` on crazy-gary/crazy-gary-dr/prod so it exports its database address and its schema reader's secret",
    );
  });

  it("dr refuses, before declaring anything, a source whose schema reader secret is in another account that does not share it with dr's", async () => {
    const schemaSource = { ...(prod.outputs.schemaSource as Record<string, unknown>), readerAccountIds: [] };
    expect(await drRefusal({ ...prod.outputs, schemaSource })).toContain(
      "schemaSource.passwordSecretArn: crazy-gary/crazy-gary-dr/prod's schema_reader secret is in account 123456789012, which does not share it with this stack's account 210987654321 (its readerAccountIds: []); add \"210987654321\" to crazy-gary/crazy-gary-dr/prod's followerAccountIds and run `pulumi up` on crazy-gary/crazy-gary-dr/prod first",
    );
  });

  it("its command line is the script's text and nothing else; it deletes nothing", () => {
    const command = schemaSync(dr)[0];
    expect(command.inputs.create).toBe(readSchemaSyncScript());
    expect(command.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
    expect(command.inputs.delete).toBeUndefined();
    expect(command.inputs.create).not.toContain(placeholderMark);
  });

  it("follows dr's active region after a flip, under the same URN", async () => {
    const flipped = await sharedPlan("dr", ["activeRegion=secondary"]);
    const [before, after] = [schemaSync(dr)[0], schemaSync(flipped)[0]];
    expect(after.urn).toBe(before.urn);
    expect((after.inputs.environment as Record<string, string>).TARGET_HOST).toBe("db-usw1.dr.ops.crazy-gary.app");
    expect(after.inputs.triggers).toEqual(before.inputs.triggers);
  });

  it("reads the schema version from the script's own line", () => {
    const hex = "a".repeat(64);
    expect(parseSchemaVersion(`schema-sync: schema version sha256:${hex}\nschema-sync: done\n`)).toBe(`sha256:${hex}`);
    expect(() => parseSchemaVersion("psql: error: connection refused")).toThrow('printed no "schema-sync: schema version sha256:<hex>" line');
  });

  it.each([
    ["a port out of range", { port: 70000 }, "SchemaSync target.port: 70000 is not a TCP port"],
    ["an empty host", { host: "" }, "SchemaSync target.host: empty"],
  ])("refuses %s naming the field", (_case, change, expected) => {
    const source = { host: "a", port: 5432, database: "d", user: "u" };
    expect(() => schemaSyncSettings(source, { ...source, ...change }, "require", 10)).toThrow(expected);
  });
});
