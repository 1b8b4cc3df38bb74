/**
 * Environment sync, decided from plain values: which settings every environment shares, the
 * versioned `environment` output a stack exports for the stacks that follow it, and the
 * effective value of every key (shared, overridden with a reason, or environment-only).
 *
 * The runbook's `sync-environment-config.sh` copied every variable and then overwrote the
 * target's secrets with `***REDACTED***`. Here only non-secret settings are synced; secrets
 * stay in each environment's own Secrets Manager secrets and only their names travel.
 */
import { z } from "zod";
import { projectName, secretConfigKeys, stackConfigSchema, type StackConfig } from "../config";
import { appSettingValue, settingKey } from "../configFields";
import { StackConfigError } from "../parseConfig";
import { appSecretsKey, leafTexts, secretLookingReason, secretSettingPattern, secretValuePatterns, type EffectiveSetting } from "../../domain/secretSettings";
import { effectiveThreshold } from "../../domain/alarmCatalog";
import type { TriggerRowId } from "../../domain/alarmTypes";

/** The shape version of the `environment` output; bump it when a synced key changes meaning. */
export const environmentOutputVersion = 1;

/** Config groups whose every leaf is synced as `<group>.<leaf>`. */
export const syncedGroups = Object.freeze(["healthCheck", "recovery", "retention", "schedules", "thresholds"] as const);
export type SyncedGroup = (typeof syncedGroups)[number];

/** Application settings are synced as `app.<NAME>`; the list of secret names as `appSecrets`. */
export const appKeyPrefix = "app.";

/** Top-level config keys that are synced; every other key (regions, endpoints, hosts, subscriptions) is environment-only. */
export const syncedTopLevelKeys: readonly string[] = Object.freeze([...syncedGroups, "app", appSecretsKey]);

export type SettingValue = string | number | boolean | readonly string[];
/** Synced settings by dotted key (`retention.walHours`, `app.LOG_LEVEL`, `appSecrets`). */
export type SyncedSettings = Record<string, SettingValue>;

export interface EnvironmentOutput {
  version: typeof environmentOutputVersion;
  settings: SyncedSettings;
}

/** Every sync problem at once, each naming its key; a configuration error (the CLI tools print it and exit 2). */
export class EnvironmentSyncError extends StackConfigError {
  constructor(problems: readonly string[], context: string) {
    super(problems);
    this.message = `${context} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`;
    this.name = "EnvironmentSyncError";
  }
}

/** A value as an error message shows it: short, and `[secret]` when it looks secret. */
function shown(value: unknown, key = ""): string {
  if (secretValuePatterns.some(({ pattern }) => leafTexts(value).some((text) => pattern.test(text)))) return "[secret]";
  if (key && secretSettingPattern.test(key.split(".").pop()!)) return "[secret]";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function refuseSecrets(settings: Record<string, unknown>, label: (key: string) => string): string[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    const reason = secretLookingReason(key, value);
    return reason ? [`${label(key)}: ${reason}; a shared key is synced in plain text to SSM and the environment output. Keep the value in Secrets Manager and list its name under ${projectName}:appSecrets`] : [];
  });
}

// ---- leaf schemas, taken from the stack config schema so both agree ----

type AnySchema = z.ZodType;

/** Strips `.default()` / `.optional()` wrappers so a missing value is an error, not a default. */
function required(schema: AnySchema): AnySchema {
  let inner: AnySchema = schema;
  for (let i = 0; i < 5; i++) {
    const def = (inner as unknown as { def: { type: string; innerType?: AnySchema } }).def;
    if ((def.type === "default" || def.type === "optional" || def.type === "prefault") && def.innerType) inner = def.innerType;
    else break;
  }
  return inner;
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> {
  const shape = (required(schema) as unknown as { def: { shape?: Record<string, AnySchema> } }).def.shape;
  if (!shape) throw new Error("environment: a synced group is not an object in the config schema");
  return shape;
}

const configShape = stackConfigSchema.shape as unknown as Record<string, AnySchema>;

/** One schema per fixed synced key (`retention.walHours` -> the same rule as the config key). */
export const fixedKeySchemas: Readonly<Record<string, AnySchema>> = Object.freeze({
  ...Object.fromEntries(
    syncedGroups.flatMap((group) => Object.entries(shapeOf(configShape[group])).map(([leaf, schema]) => [`${group}.${leaf}`, required(schema)])),
  ),
  [appSecretsKey]: required(configShape[appSecretsKey]),
});

/** The synced keys every `environment` output of this version carries (app settings come on top). */
export const fixedSyncedKeys: readonly string[] = Object.freeze(Object.keys(fixedKeySchemas));

const appKeyPattern = new RegExp(`^${appKeyPrefix.replace(".", "\\.")}(.+)$`);

/** The schema for one synced key, or `undefined` when the key is not synced. */
export function schemaForKey(key: string): AnySchema | undefined {
  if (key in fixedKeySchemas) return fixedKeySchemas[key];
  const name = appKeyPattern.exec(key)?.[1];
  return name !== undefined && settingKey.safeParse(name).success ? appSettingValue : undefined;
}

/** The versioned, non-secret `environment` output, validated with zod on read. */
export const environmentOutputSchema = z.strictObject({
  version: z.literal(environmentOutputVersion),
  settings: z
    .object(fixedKeySchemas as Record<string, AnySchema>)
    .catchall(appSettingValue)
    .superRefine((settings, ctx) => {
      for (const key of Object.keys(settings)) {
        if (schemaForKey(key) === undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `is not a synced key; synced keys are ${fixedSyncedKeys.join(", ")} and app.<UPPER_SNAKE_CASE>` });
        }
      }
    }),
});

// ---- the output a stack exports ----

/**
 * The synced settings of a stack, flattened to dotted keys. Thresholds appear with their
 * effective value (config, else the runbook's), so the key set does not depend on which
 * thresholds a stack happens to tighten.
 */
export function syncedSettings(config: StackConfig): SyncedSettings {
  const settings: SyncedSettings = {};
  for (const group of syncedGroups) {
    for (const leaf of Object.keys(shapeOf(configShape[group]))) {
      settings[`${group}.${leaf}`] =
        group === "thresholds" ? effectiveThreshold(leaf as TriggerRowId, config.thresholds) : ((config[group] as Record<string, SettingValue>)[leaf] as SettingValue);
    }
  }
  for (const [name, value] of Object.entries(config.app)) settings[`${appKeyPrefix}${name}`] = value;
  settings[appSecretsKey] = [...config.appSecrets];
  return settings;
}

/**
 * The `environment` output: every synced setting of this stack, non-secret, versioned.
 * Throws `EnvironmentSyncError` naming each shared key whose name or value looks secret.
 */
export function environmentOutput(config: StackConfig): EnvironmentOutput {
  const settings = syncedSettings(config);
  const problems = refuseSecrets(settings, (key) => `${projectName}:${key}`);
  if (problems.length > 0) throw new EnvironmentSyncError(problems, "shared settings refused");
  return { version: environmentOutputVersion, settings };
}

// ---- reading another stack's output ----

function explainOutputIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const key = `environment.${issue.path.map(String).join(".")}`;
  const value = issue.path.reduce<unknown>((node, k) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined), raw);
  if (issue.code === "unrecognized_keys") return `environment${issue.path.length ? `.${issue.path.join(".")}` : ""}: has unknown key(s) ${issue.keys.join(", ")}; expected version and settings`;
  const expected = issue.code === "invalid_type" ? `${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}` : undefined;
  if (value === undefined) return `${key}: missing${expected ? `; expected ${expected}` : ""}`;
  if (expected) return `${key}: ${shown(value, key)} is not ${expected}`;
  if (issue.code === "invalid_union" && key.startsWith(`environment.settings.${appKeyPrefix}`)) return `${key}: ${shown(value, key)} is not a string, number or boolean`;
  return `${key}: ${shown(value, key)} ${issue.message}`;
}

/**
 * Validates the `environment` output read from the source stack. Every problem names its key:
 * a missing output, a stale or newer version, a missing key, a wrong type, a value the config
 * schema would refuse, or a secret-looking value.
 */
export function parseEnvironmentOutput(raw: unknown, sourceName = "the source stack"): EnvironmentOutput {
  const context = `environment output of ${sourceName} refused`;
  const fail = (problem: string): never => {
    throw new EnvironmentSyncError([problem], context);
  };
  if (raw === undefined || raw === null) fail(`environment: missing from ${sourceName}'s outputs; run \`pulumi up\` on ${sourceName} so it exports environment (version ${environmentOutputVersion})`);
  if (typeof raw !== "object" || Array.isArray(raw)) fail(`environment: ${shown(raw)} is not a map; expected {version: ${environmentOutputVersion}, settings: {...}}`);
  const version = (raw as { version?: unknown }).version;
  if (version !== environmentOutputVersion) {
    if (typeof version === "number" && version > environmentOutputVersion) {
      fail(`environment.version: ${version} is newer than this program reads (${environmentOutputVersion}); update this program before deploying`);
    }
    fail(`environment.version: ${shown(version ?? "missing")} is stale; this program reads version ${environmentOutputVersion}. Run \`pulumi up\` on ${sourceName} first`);
  }
  const parsed = environmentOutputSchema.safeParse(raw);
  const rawSettings = (raw as { settings?: unknown }).settings;
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => explainOutputIssue(issue, raw))),
    ...(rawSettings !== null && typeof rawSettings === "object" ? refuseSecrets(rawSettings as Record<string, unknown>, (key) => `environment.settings.${key}`) : []),
  ];
  if (problems.length > 0 || !parsed.success) throw new EnvironmentSyncError(problems, context);
  return { version: environmentOutputVersion, settings: parsed.data.settings as SyncedSettings };
}

// ---- effective values ----

type Overrides = NonNullable<StackConfig["sync"]>["overrides"];

/** Leaves of a config value as dotted keys; arrays and scalars are leaves. */
function flatten(value: unknown, prefix: string, into: Record<string, unknown>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) {
    into[prefix] = value;
  }
}

/** Keys only this stack has (regions, endpoints, hosts, subscriptions); secrets shown as `[secret]`. */
export function environmentOnlySettings(config: StackConfig): Record<string, unknown> {
  const leaves: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (syncedTopLevelKeys.includes(key) || key === "sync") continue;
    const masked = (secretConfigKeys as readonly string[]).includes(key);
    const own: Record<string, unknown> = {};
    flatten(value, key, own);
    for (const [leaf, leafValue] of Object.entries(own)) leaves[leaf] = masked ? "[secret]" : leafValue;
  }
  return leaves;
}

/**
 * The effective value of every key in one stack. Synced keys come from `sourceOutput` (the
 * stack this one follows; without one, from this stack's own config) unless `overrides` lists
 * the key; other keys are environment-only. Throws `EnvironmentSyncError` naming each override
 * that is not a synced key or whose value the key's rule refuses.
 */
export function effectiveSettings(
  localConfig: StackConfig,
  sourceOutput: EnvironmentOutput | undefined,
  overrides: Overrides = localConfig.sync?.overrides ?? {},
): Record<string, EffectiveSetting> {
  const base = sourceOutput?.settings ?? syncedSettings(localConfig);
  const problems: string[] = [];
  const result: Record<string, EffectiveSetting> = {};
  for (const [key, value] of Object.entries(base)) result[key] = { value, origin: "shared" };
  for (const [key, { value, reason }] of Object.entries(overrides)) {
    const label = `${projectName}:sync.overrides.${key}`;
    const schema = schemaForKey(key);
    if (!schema || !(key in base)) {
      problems.push(`${label}: is not a synced key${sourceOutput ? " of the source stack" : ""}; overridable keys: ${Object.keys(base).join(", ")}`);
      continue;
    }
    const checked = schema.safeParse(value);
    if (!checked.success) {
      problems.push(`${label}.value: ${shown(value, key)} ${checked.error.issues.map((i) => i.message).join("; ")}`);
      continue;
    }
    const secret = secretLookingReason(key, value);
    if (secret) {
      problems.push(`${label}.value: ${secret}; an override is synced in plain text. Keep secrets in Secrets Manager`);
      continue;
    }
    result[key] = { value, origin: "overridden", reason };
  }
  if (problems.length > 0) throw new EnvironmentSyncError(problems, "sync overrides refused");
  for (const [key, value] of Object.entries(environmentOnlySettings(localConfig))) result[key] = { value, origin: "environment-only" };
  return result;
}

/** The synced part of effective settings, as plain values. */
export function syncedValues(effective: Record<string, EffectiveSetting>): SyncedSettings {
  return Object.fromEntries(Object.entries(effective).filter(([, s]) => s.origin !== "environment-only").map(([k, s]) => [k, s.value as SettingValue]));
}

/**
 * The stack config the components use in a stack that follows another: every synced key takes
 * its effective value (the source's, or this stack's override), re-validated by the config
 * schema so a source value this program would refuse is refused here too, naming the key.
 */
export function applySync(config: StackConfig, sourceOutput: EnvironmentOutput): StackConfig {
  const values = syncedValues(effectiveSettings(config, sourceOutput));
  const raw: Record<string, unknown> = { ...config, app: {}, [appSecretsKey]: values[appSecretsKey] };
  for (const group of syncedGroups) raw[group] = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === appSecretsKey) continue;
    const [group, ...rest] = key.split(".");
    (raw[group] as Record<string, unknown>)[rest.join(".")] = value;
  }
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EnvironmentSyncError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.map(String).join(".");
        return `${key}: ${shown(issue.path.reduce<unknown>((n, k) => (n as Record<PropertyKey, unknown> | undefined)?.[k], raw), key)} ${issue.message}`;
      }),
      "synced settings refused by this stack's config rules",
    );
  }
  return parsed.data;
}
