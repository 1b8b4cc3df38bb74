/**
 * Parsing stack config: the schema (./config.ts) applied to the raw values, and every problem
 * explained at once as `crazy-gary-dr:<key.path>: <value> <what is wrong>; <what is allowed>, e.g.
 * <example>` (./configMessages.ts), secrets shown as `[secret]`. Runs before any resource is
 * declared (DESIGN invariant 5).
 */
import { z } from "zod";
import { didYouMean, nearest, wrapList } from "../domain/nearest";
import { secretLookingReason } from "../domain/secretSettings";
import { projectName, secretConfigKeys, stackConfigSchema, type StackConfig } from "./config";
import { allowedAt, asTyped, composedProblem, exampleValue, hasExample, noSchemaMessage, relatedKeys, schemaAtKey } from "./configMessages";

/** Where raw config came from, so errors can say which keys are secret. */
export interface ConfigSource {
  /** Config values by key without the project prefix, parsed from YAML/JSON. */
  values: Record<string, unknown>;
  /** Whether the value at this key path was provided as a Pulumi secret. */
  isSecret(path: readonly (string | number)[]): boolean;
  /**
   * Dotted keys the user overrode for this run (`--set regions.primary=...` gives
   * `regions.primary`): a rule between two keys is told at the one the user changed.
   */
  overridden?: readonly string[];
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
    const allowed = allowedKeysAt(issue.path, source.values);
    return issue.keys.map((key) => {
      const path = [...issue.path, key].map(String);
      const given = valueAt(source.values, path);
      const close = allowed ? nearest(String(key), allowed, 1)[0] : undefined;
      const meant = close ?? allowed?.[0];
      const shown = isSecretAt(path, given, source) ? "[secret]" : describeValue(given);
      // The value given, under the key meant; with no key close, the first key with a value it takes.
      const meantPath = [...issue.path, meant ?? ""];
      const meantSchema = close === undefined ? schemaAtKey(stackConfigSchema, meantPath, source.values) : undefined;
      const exampleValueText = asTyped((meantSchema && exampleValue(meantSchema)) ?? given);
      const example = meant === undefined ? "" : `; e.g. ${meantPath.map(String).join(".")}: ${exampleValueText}`;
      return `${projectName}:${path.join(".")}: is not a known key (given ${shown})${allowed ? `;${didYouMean(String(key), allowed)} allowed here: ${wrapList(allowed, 88, "      ")}` : ""}${example}`;
    });
  }
  // A rule between two keys is told at the one the user changed with --set, when that is not this one.
  const own = issue.path.map(String).join(".");
  const overridden = source.overridden ?? [];
  const blamed = overridden.includes(own) ? undefined : relatedKeys(issue).find((p) => overridden.includes(p.map(String).join(".")));
  const path = (blamed ?? issue.path) as PropertyKey[];
  const keySchema = schemaAtKey(stackConfigSchema, issue.path, source.values);
  const shown = shownValue(path, source);
  let problem = issue.message !== noSchemaMessage ? issue.message : valueAt(source.values, issue.path) === undefined && issue.code === "invalid_type" ? `but required${keySchema ? `; give ${allowedAt(keySchema)}` : ""}` : composedProblem(issue, keySchema);
  if (!hasExample(problem) && keySchema) {
    const example = exampleValue(keySchema);
    if (example !== undefined) problem = `${problem}, e.g. ${asTyped(example)}`;
  }
  if (blamed) {
    // "conflicts with K (value), which is ..." reads as a sentence where the rule's message starts with a verb.
    problem = /^(is|are|does|has) /.test(problem) ? `conflicts with ${own} (${shownValue(issue.path, source)}), which ${problem}` : `breaks the rule on ${own}: ${problem}`;
  }
  return [`${projectName}:${path.map(String).join(".")}: ${shown} ${problem}`];
}

/** The value at a key as a problem shows it: JSON, `[secret]`, the default it took (`the default 1000`), or `missing`. */
function shownValue(path: readonly PropertyKey[], source: ConfigSource): string {
  const value = valueAt(source.values, path);
  if (value !== undefined) return isSecretAt(path, value, source) ? "[secret]" : describeValue(value);
  const defaulted = schemaAtKey(stackConfigSchema, path, source.values)?.defaulted;
  return defaulted === undefined ? "missing" : `the default ${describeValue(defaulted.value)}`;
}

/** A value that is, or looks, secret is never echoed (error messages land in CI logs). */
function isSecretAt(path: readonly PropertyKey[], value: unknown, source: ConfigSource): boolean {
  return (
    isUnderSecretKey(path) ||
    source.isSecret(path.map((p) => (typeof p === "symbol" ? String(p) : p))) ||
    secretLookingReason(path.map(String).join("."), value) !== undefined
  );
}

/** The keys the object at `path` allows (a union's option picked by the value there), or undefined when it is no object. */
function allowedKeysAt(path: readonly PropertyKey[], values: Record<string, unknown>): string[] | undefined {
  const shape = schemaAtKey(stackConfigSchema, path, values)?.schema.def.shape;
  return shape ? Object.keys(shape) : undefined;
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
  const parsed = stackConfigSchema.safeParse(source.values, { error: () => noSchemaMessage });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => explainIssue(issue, source)));
  if (problems.length > 0 || !parsed.success) throw new StackConfigError(problems);
  return parsed.data;
}

function leafPaths(value: unknown, prefix: string[]): string[][] {
  if (value === null || typeof value !== "object") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}
