/**
 * Reads a stack's config the way the Pulumi CLI would assemble it: project-level values from
 * `Pulumi.yaml`, overridden per key by `Pulumi.<stack>.yaml`, then `--set` overrides. Secrets
 * a stack file lacks (it cannot hold ciphertext made without the CLI) are stood in by marked
 * placeholders, as secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { repositoryRoot } from "../../components/repositoryFiles";
import { didYouMean } from "../../domain/nearest";
import { settingPath, sharedIdentityProblems, stackFileKeyProblems, wholeMapProblem, type RawStackFile } from "../../domain/stackFileRules";
import { regionRoles } from "../../domain/topology";
import { projectName, secretConfigKeys, stackConfigSchema } from "../../infra/config";
import { type ConfigSource } from "../../infra/parseConfig";

export { repositoryRoot };

/** Marks a value that stands in for a secret the stack file does not hold. */
export const placeholderMark = "PLACEHOLDER-set-with-pulumi-config-set--secret";

export interface LoadedStackConfig extends ConfigSource {
  stack: string;
  /** Key paths stood in by placeholders (never real secrets). */
  placeholders: string[];
  /** Every config key for `pulumi.runtime.setAllConfig`, namespaced, values as the CLI passes them. */
  engineConfig: Record<string, string>;
  /** Namespaced keys holding secrets. */
  engineSecretKeys: string[];
}

export class StackFileError extends Error {}

/** Stacks that have a `Pulumi.<stack>.yaml` beside `Pulumi.yaml`. */
export function listStacks(dir = repositoryRoot): string[] {
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

const isSecure = (value: unknown): boolean =>
  value !== null && typeof value === "object" && Object.keys(value).length === 1 && "secure" in (value as object);

/** Collects leaf paths of `secure:` values and replaces them with placeholders. */
function standInSecure(value: unknown, at: string[], secretPaths: Set<string>, placeholders: string[]): unknown {
  if (isSecure(value)) {
    secretPaths.add(at.join("."));
    placeholders.push(at.join("."));
    return placeholderFor(at);
  }
  if (Array.isArray(value)) return value.map((v, i) => standInSecure(v, [...at, String(i)], secretPaths, placeholders));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standInSecure(v, [...at, k], secretPaths, placeholders)]));
  }
  return value;
}

function placeholderFor(at: string[]): string {
  const leaf = at[at.length - 1];
  if (leaf === "sshPrivateKey") return `-----BEGIN OPENSSH PRIVATE KEY-----\n${placeholderMark}\n-----END OPENSSH PRIVATE KEY-----\n`;
  return `${placeholderMark}:${at.join(".")}`;
}

/** Placeholder values for the secret keys a stack needs, in the shape the schema expects. */
function secretPlaceholders(key: (typeof secretConfigKeys)[number]): Record<string, unknown> {
  switch (key) {
    case "databaseSecrets":
      return Object.fromEntries(
        regionRoles.map((role) => [
          role,
          {
            adminPassword: placeholderFor([key, role, "adminPassword"]),
            sshPrivateKey: placeholderFor([key, role, "sshPrivateKey"]),
          },
        ]),
      );
    case "witnessSecrets":
      return { sshPrivateKey: placeholderFor([key, "sshPrivateKey"]) };
  }
}

function readYaml(file: string): Record<string, unknown> {
  try {
    return (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new StackFileError(`${path.basename(file)}: not valid YAML: ${(err as Error).message}`);
  }
}

/** Project-level config from Pulumi.yaml, namespaced keys (`project:key`). */
function projectConfig(dir: string): Record<string, unknown> {
  const project = readYaml(path.join(dir, "Pulumi.yaml"));
  const config = (project.config ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(config).map(([key, declared]) => {
      const fullKey = key.includes(":") ? key : `${projectName}:${key}`;
      const value = declared !== null && typeof declared === "object" && !Array.isArray(declared) && "value" in declared ? (declared as { value: unknown }).value : declared;
      return [fullKey, value];
    }),
  );
}

/** Parses `key.path=value` (value as a YAML scalar or flow collection) into the config map. */
export function applySetting(values: Record<string, unknown>, setting: string): void {
  const eq = setting.indexOf("=");
  if (eq <= 0) throw new StackFileError(`--set ${JSON.stringify(setting)}: expected key=value, e.g. --set activeRegion=secondary`);
  const keyText = setting.slice(0, eq).replace(new RegExp(`^${projectName}:`), "");
  const keyPath = settingPath(keyText);
  let value: unknown;
  try {
    value = parseYaml(setting.slice(eq + 1));
  } catch (err) {
    const why = (err as Error).message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(`--set ${JSON.stringify(setting)}: the value is not YAML (${why}); quote text with spaces or braces, e.g. --set '${keyText}="a b"', and write maps as {key: value}`);
  }
  const existing = keyPath.reduce<unknown>((n, k) => (n !== null && typeof n === "object" ? (n as Record<string, unknown>)[k] : undefined), values);
  const dropping = wholeMapProblem(keyText, existing, value);
  if (dropping) throw new StackFileError(dropping);
  let node = values;
  for (const key of keyPath.slice(0, -1)) {
    const next = node[key];
    node[key] = next !== null && typeof next === "object" ? { ...(next as object) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keyPath[keyPath.length - 1]] = value;
}

/**
 * Refuses a key given twice in the `--set` overrides (`--set activeRegion=secondary --set
 * activeRegion=primary`): which one was meant is unclear, so neither is guessed.
 */
export function refuseRepeatedSets(set: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const setting of set) {
    const eq = setting.indexOf("=");
    if (eq <= 0) continue;
    const key = settingPath(setting.slice(0, eq).replace(new RegExp(`^${projectName}:`), "")).join(".");
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new StackFileError(`--set ${key}: given twice (${earlier} and ${setting}); give each key once, e.g. --set ${setting}`);
    }
    seen.set(key, setting);
  }
}

/** A `--set` value is plain text: the secret paths above it are split into their other leaves. */
function markPlain(keyPath: string, values: Record<string, unknown>, secretPaths: Set<string>): void {
  for (const secretPath of [...secretPaths]) {
    if (keyPath !== secretPath && !keyPath.startsWith(`${secretPath}.`)) continue;
    secretPaths.delete(secretPath);
    const at = secretPath.split(".");
    const node = at.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], values);
    for (const leaf of leaves(node, at)) if (leaf.join(".") !== keyPath) secretPaths.add(leaf.join("."));
  }
}

function leaves(value: unknown, at: string[]): string[][] {
  if (value === null || typeof value !== "object") return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]));
}

/** Throws a `StackFileError` listing the stacks found when `stack` has no stack file. */
export function requireStack(stack: string, dir = repositoryRoot): void {
  const stacks = listStacks(dir);
  if (!stacks.includes(stack)) {
    throw new StackFileError(`--stack ${JSON.stringify(stack)}: no Pulumi.${stack}.yaml;${didYouMean(stack, stacks)} stacks found: ${stacks.join(", ") || "none"}`);
  }
}

export interface LoadOptions {
  dir?: string;
  /** `key.path=value` overrides, applied in order. */
  set?: readonly string[];
}

/** Refuses a stack file whose keys the program would never read, or that reuses another stack's zone, endpoints or hosts. */
function checkStackFile(stack: string, dir: string, stackFile: Record<string, unknown>): void {
  const file: RawStackFile = { stack, config: (stackFile.config ?? {}) as Record<string, unknown> };
  const others = listStacks(dir)
    .filter((other) => other !== stack)
    .map((other) => ({ stack: other, config: (readYaml(path.join(dir, `Pulumi.${other}.yaml`)).config ?? {}) as Record<string, unknown> }));
  const problems = [...stackFileKeyProblems(file, projectName, Object.keys(stackConfigSchema.shape)), ...sharedIdentityProblems(file, others, projectName)];
  if (problems.length > 0) throw new StackFileError(`stack file refused (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
}

export function loadStackConfig(stack: string, options: LoadOptions = {}): LoadedStackConfig {
  const dir = options.dir ?? repositoryRoot;
  requireStack(stack, dir);
  const stackFile = readYaml(path.join(dir, `Pulumi.${stack}.yaml`));
  checkStackFile(stack, dir, stackFile);
  const merged: Record<string, unknown> = { ...projectConfig(dir), ...((stackFile.config ?? {}) as Record<string, unknown>) };

  const secretPaths = new Set<string>();
  const placeholders: string[] = [];
  const prefix = `${projectName}:`;
  const values: Record<string, unknown> = {};
  const otherNamespaces: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(merged)) {
    if (fullKey.startsWith(prefix)) values[fullKey.slice(prefix.length)] = standInSecure(value, [fullKey.slice(prefix.length)], secretPaths, placeholders);
    else otherNamespaces[fullKey] = value;
  }
  for (const key of secretConfigKeys) {
    if (values[key] === undefined) {
      values[key] = secretPlaceholders(key);
      secretPaths.add(key);
      placeholders.push(key);
    }
  }
  refuseRepeatedSets(options.set ?? []);
  for (const setting of options.set ?? []) {
    markPlain(settingPath(setting.slice(0, Math.max(0, setting.indexOf("="))).replace(`${prefix}`, "")).join("."), values, secretPaths);
    applySetting(values, setting);
  }

  const isSecret = (at: readonly (string | number)[]) => {
    const joined = at.map(String);
    return joined.some((_, i) => secretPaths.has(joined.slice(0, i + 1).join(".")));
  };
  const topLevelSecret = (key: string) => [...secretPaths].some((p) => p === key || p.startsWith(`${key}.`));
  const serialise = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  const engineConfig: Record<string, string> = {
    ...Object.fromEntries(Object.entries(otherNamespaces).map(([k, v]) => [k, serialise(v)])),
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, serialise(v)])),
  };
  return {
    stack,
    values,
    isSecret,
    overridden: (options.set ?? []).map((setting) => settingPath(setting.slice(0, Math.max(0, setting.indexOf("="))).replace(prefix, "")).join(".")),
    placeholders: placeholders.sort(),
    engineConfig,
    engineSecretKeys: Object.keys(values).filter(topLevelSecret).map((k) => `${prefix}${k}`),
  };
}
