/**
 * Parsing stack config: the schema (./config.ts) applied to the raw values, and every problem
 * explained at once as `crazy-gary-dr:<key.path>: <value> <what is wrong>; <what is allowed>`,
 * secrets shown as `[secret]`. Runs before any resource is declared (DESIGN invariant 5).
 */
import { z } from "zod";
import { projectName, secretConfigKeys, stackConfigSchema, type StackConfig } from "./config";

/** Where raw config came from, so errors can say which keys are secret. */
export interface ConfigSource {
  /** Config values by key without the project prefix, parsed from YAML/JSON. */
  values: Record<string, unknown>;
  /** Whether the value at this key path was provided as a Pulumi secret. */
  isSecret(path: readonly (string | number)[]): boolean;
}

/** Thrown with every configuration problem at once; the CLI tools print `message` and exit 2. */
export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
    this.name = "StackConfigError";
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const isUnderSecretKey = (path: readonly PropertyKey[]) => (secretConfigKeys as readonly PropertyKey[]).includes(path[0]);

function explainIssue(issue: z.core.$ZodIssue, source: ConfigSource): string[] {
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys.map((key) => {
      const path = [...issue.path, key].map(String);
      return `${projectName}:${path.join(".")}: is not a known key${allowed ? `; allowed here: ${allowed.join(", ")}` : ""}`;
    });
  }
  const key = `${projectName}:${issue.path.map(String).join(".")}`;
  const value = valueAt(source.values, issue.path);
  const secret = isUnderSecretKey(issue.path) || source.isSecret(issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)));
  if (value === undefined) {
    return [`${key}: missing; ${issue.code === "invalid_type" ? `expected ${issue.expected === "object" ? "a map" : `a ${issue.expected}`}` : issue.message}`];
  }
  const shown = secret ? "[secret]" : describeValue(value);
  const message = issue.code === "invalid_type" ? `is not a ${issue.expected}` : issue.message;
  return [`${key}: ${shown} ${message}`];
}

function allowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  let schema: z.ZodType = stackConfigSchema;
  for (const key of path) {
    const shape = objectShape(schema);
    if (!shape || !(String(key) in shape)) return undefined;
    schema = shape[String(key)] as z.ZodType;
  }
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : undefined;
}

function objectShape(schema: z.ZodType): Record<string, unknown> | undefined {
  let inner: unknown = schema;
  for (let i = 0; i < 5 && inner; i++) {
    const def = (inner as { def?: { type?: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown } }).def;
    if (!def) return undefined;
    if (def.type === "object") return def.shape;
    inner = def.innerType ?? def.in;
  }
  return undefined;
}

/**
 * Parses and validates stack config, or throws one `StackConfigError` listing every problem,
 * each as `crazy-gary-dr:<key.path>: <value> <what is wrong>; <what is allowed>`. Secret
 * values are shown as `[secret]`.
 */
export function parseStackConfig(source: ConfigSource): StackConfig {
  const problems: string[] = [];
  for (const key of secretConfigKeys) {
    const value = source.values[key];
    if (value === undefined) continue;
    for (const leaf of leafPaths(value, [key])) {
      if (!source.isSecret(leaf)) {
        problems.push(`${projectName}:${leaf.join(".")}: [secret] was given in plain text; set it with \`pulumi config set --secret --path '${leaf.join(".")}' ...\``);
      }
    }
  }
  const parsed = stackConfigSchema.safeParse(source.values);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => explainIssue(issue, source)));
  if (problems.length > 0 || !parsed.success) throw new StackConfigError(problems);
  return parsed.data;
}

function leafPaths(value: unknown, prefix: string[]): string[][] {
  if (value === null || typeof value !== "object") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}
