/**
 * The sentences a config problem is told in: `<value> <what is wrong>; <what is allowed>, e.g.
 * <example>`. A schema's own message is kept (and given an example when it has none); where the
 * schema gave none (a type, a bound, a format), the sentence is composed from the schema at the
 * key: its type, bounds and formats for what is allowed, and its `examples` metadata or its
 * default for the example. zod's own wording ("Too big: expected number to be <=10") never
 * reaches a user: `parseStackConfig` parses with {@link noSchemaMessage} as the error map.
 * Pure: no I/O.
 */
import { stringify as yamlStringify } from "yaml";
import type { z } from "zod";

/** What zod reports for an issue whose schema gave no message; replaced by a composed sentence. */
export const noSchemaMessage = "\u0000composed from the schema";

/** The part of a zod 4 schema this reads (`schema.def`, metadata through `meta()`). */
interface ZodLike {
  def: {
    type: string;
    shape?: Record<string, ZodLike>;
    innerType?: ZodLike;
    defaultValue?: unknown;
    options?: ZodLike[];
    discriminator?: string;
    element?: ZodLike;
    keyType?: ZodLike;
    valueType?: ZodLike;
    entries?: Record<string, string | number>;
    values?: unknown[];
    in?: ZodLike;
    out?: ZodLike;
    checks?: { _zod: { def: CheckDef } }[];
  };
  meta?: () => { examples?: unknown[] } | undefined;
}

/** One check of a zod 4 schema (`schema.def.checks[i]._zod.def`): a bound, a length, a format. */
export interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  prefix?: string;
  includes?: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  /** The message the check was given (`{ message }`). */
  error?: () => unknown;
}

/** The schema that validates the value at a key, with the default and example met on the way down. */
export interface KeySchema {
  schema: ZodLike;
  /** The nearest default on the way to the key (`{ value }`), or undefined when it has none. */
  defaulted?: { value: unknown };
  /** The first `meta({ examples })` example on the way to the key. */
  example?: unknown;
  /** Whether the key may be left out (optional, or defaulted). */
  optional?: boolean;
  /** What the key allows, where the schema says it in words (`meta({ allowed })`): a rule in code has no shape to read. */
  allowed?: string;
}

const examplesOf = (schema: ZodLike): unknown[] | undefined => schema.meta?.()?.examples;
const allowedOf = (schema: ZodLike): string | undefined => (schema.meta?.() as { allowed?: string } | undefined)?.allowed;

/** Peels defaults, optionals and pipes (a preprocess keeps its output schema), noting the default and example met. */
function peel(schema: ZodLike, found: Omit<KeySchema, "schema">): KeySchema {
  let node = schema;
  const result = { ...found };
  for (;;) {
    result.example ??= examplesOf(node)?.[0];
    result.allowed ??= allowedOf(node);
    const def = node.def;
    if (def.type === "default") {
      result.defaulted ??= { value: def.defaultValue };
      result.optional = true;
      node = def.innerType!;
    } else if (def.type === "optional") {
      result.optional = true;
      node = def.innerType!;
    } else if (def.type === "nullable" || def.type === "readonly") {
      node = def.innerType!;
    } else if (def.type === "pipe") {
      node = def.in!.def.type === "transform" ? def.out! : def.in!;
    } else {
      return { ...result, schema: node };
    }
  }
}

/** The option of a union that `value` is meant for: the discriminator's match, else the first object option. */
function optionFor(union: ZodLike, value: unknown): ZodLike | undefined {
  const options = union.def.options ?? [];
  const discriminator = union.def.discriminator;
  if (discriminator && value !== null && typeof value === "object") {
    const tag = (value as Record<string, unknown>)[discriminator];
    const match = options.find((o) => peel(o, {}).schema.def.shape?.[discriminator]?.def.values?.includes(tag));
    if (match) return match;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    return options.find((o) => keys.every((k) => k in (peel(o, {}).schema.def.shape ?? {}))) ?? options.find((o) => peel(o, {}).schema.def.type === "object");
  }
  return undefined;
}

/** The schema at `path` below `root`, reading `values` to pick a union's option; undefined where the schema has no such key. */
export function schemaAtKey(root: z.core.$ZodType, path: readonly PropertyKey[], values: unknown): KeySchema | undefined {
  let at = peel(root as unknown as ZodLike, {});
  let value = values;
  for (const key of path) {
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    let def = at.schema.def;
    if (def.type === "union") {
      const option = optionFor(at.schema, valueAtParent(values, path, key));
      if (!option) return undefined;
      at = peel(option, {});
      def = at.schema.def;
    }
    const next = def.type === "object" ? def.shape?.[String(key)] : def.type === "record" ? def.valueType : def.type === "array" ? def.element : undefined;
    if (!next) return undefined;
    at = peel(next, {});
  }
  if (at.schema.def.type === "union" && value !== null && typeof value === "object") {
    const option = optionFor(at.schema, value);
    if (option) at = { ...peel(option, {}), defaulted: at.defaulted, example: at.example ?? examplesOf(option)?.[0] };
  }
  return at;
}

function valueAtParent(values: unknown, path: readonly PropertyKey[], key: PropertyKey): unknown {
  let node = values;
  for (const k of path) {
    if (k === key) return node;
    node = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined;
  }
  return node;
}

const checksOf = (schema: ZodLike) => (schema.def.checks ?? []).map((c) => c._zod.def);
const isInteger = (schema: ZodLike) => checksOf(schema).some((c) => c.check === "number_format");

/** The bounds of a number: `from 1 to 65535`, `1 or more`, `more than 0`; "" when unbounded. */
function numberBounds(schema: ZodLike): string {
  const checks = checksOf(schema);
  const low = checks.find((c) => c.check === "greater_than");
  const high = checks.find((c) => c.check === "less_than");
  if (low?.inclusive && high?.inclusive) return ` from ${low.value} to ${high.value}`;
  const parts = [low && (low.inclusive ? `${low.value} or more` : `more than ${low.value}`), high && (high.inclusive ? `at most ${high.value}` : `less than ${high.value}`)].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(" and ")}` : "";
}

/** What a key allows, as a noun phrase: its `allowed` metadata, else read from its schema ({@link allowedText}). */
export const allowedAt = (key: KeySchema): string => key.allowed ?? allowedText(key.schema);

/** What a schema allows, as a noun phrase: `a whole number from 1 to 65535`, `true or false`, `a map with the keys a, b`. */
export function allowedText(schema: ZodLike): string {
  const def = schema.def;
  switch (def.type) {
    case "number":
      return `${isInteger(schema) ? "a whole number" : "a number"}${numberBounds(schema)}`;
    case "boolean":
      return "true or false";
    case "string": {
      const checks = checksOf(schema);
      const min = checks.find((c) => c.check === "min_length")?.minimum;
      const prefix = checks.find((c) => c.format === "starts_with")?.prefix;
      const includes = checks.find((c) => c.format === "includes")?.includes;
      const pattern = checks.find((c) => c.format === "regex")?.pattern;
      const format = checks.find((c) => c.format && !["regex", "starts_with", "includes"].includes(c.format))?.format;
      return [
        format === "url" ? "a URL" : format === "email" ? "an e-mail address" : min !== undefined && min > 1 ? `text of at least ${min} characters` : min === 1 ? "text (not empty)" : "text",
        prefix !== undefined ? ` starting with ${prefix}` : "",
        includes !== undefined ? ` containing ${includes}` : "",
        pattern !== undefined ? ` matching ${pattern}` : "",
      ].join("");
    }
    case "enum":
      return `one of ${Object.values(def.entries!).join(", ")}`;
    case "literal":
      return def.values!.length === 1 ? String(def.values![0]) : `one of ${def.values!.join(", ")}`;
    case "union":
      return def.options!.map((o) => allowedText(peel(o, {}).schema)).join(" or ");
    case "array": {
      const min = checksOf(schema).find((c) => c.check === "min_length")?.minimum;
      return `a list${min ? ` of at least ${min}` : ""} (${allowedText(peel(def.element!, {}).schema)} each)`;
    }
    case "record":
      return `a map of names to ${allowedText(peel(def.valueType!, {}).schema)}`;
    case "object":
      return `a map with the keys ${Object.keys(def.shape!).join(", ")}`;
    default:
      return "any value";
  }
}

/** An example value for a schema: its `examples` metadata, its default, or one built from its type. */
export function exampleValue(key: KeySchema): unknown {
  if (key.example !== undefined) return key.example;
  if (key.defaulted !== undefined) return key.defaulted.value;
  return builtExample(key.schema);
}

function builtExample(schema: ZodLike): unknown {
  const def = schema.def;
  switch (def.type) {
    case "number": {
      const low = checksOf(schema).find((c) => c.check === "greater_than");
      return low ? (low.inclusive ? low.value : (low.value ?? 0) + 1) : 1;
    }
    case "boolean":
      return true;
    case "enum":
      return Object.values(def.entries!)[0];
    case "literal":
      return def.values![0];
    case "union":
      return exampleValue(peel(def.options![0], {}));
    case "array":
      return [exampleValue(peel(def.element!, {}))];
    case "object":
      return Object.fromEntries(
        Object.entries(def.shape!)
          .map(([k, v]) => [k, peel(v, {})] as const)
          .filter(([, v]) => !v.optional)
          .map(([k, v]) => [k, exampleValue(v)]),
      );
    default:
      return undefined;
  }
}

/** A value as a user types it in a stack file or `--set` (YAML, one line): `us-east-1`, `"123456789012"`, `{hostname: api.example.com}`. */
export function asTyped(value: unknown): string {
  return value === undefined ? "null" : yamlStringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

/** True when a sentence already carries an example (`e.g. ...`, `did you mean ...?`). */
export const hasExample = (message: string): boolean => /\be\.g\. |such as |did you mean /.test(message);

const articleFor = (expected: string) => ({ int: "a whole number", number: "a number", string: "text", boolean: "true or false", object: "a map", array: "a list" })[expected] ?? `a ${expected}`;

/** `<what is wrong>; use <allowed>` for an issue whose schema gave no message. */
export function composedProblem(issue: z.core.$ZodIssue, key: KeySchema | undefined): string {
  const allowed = key ? allowedAt(key) : undefined;
  const use = allowed ? `; use ${allowed}` : "";
  switch (issue.code) {
    case "invalid_type":
      return `is not ${articleFor(issue.expected)}${use}`;
    case "too_big":
      return issue.origin === "number" ? `is more than ${issue.maximum}${use}` : `is longer than ${issue.maximum}${issue.origin === "array" ? " items" : " characters"}${use}`;
    case "too_small":
      return issue.origin === "number" ? `is ${issue.inclusive ? "less than" : "not more than"} ${issue.minimum}${use}` : issue.minimum === 1 ? `is empty${use}` : `is shorter than ${issue.minimum}${issue.origin === "array" ? " items" : " characters"}${use}`;
    case "invalid_value":
      return `is not allowed here; use ${issue.values.map(String).join(" or ")}`;
    case "invalid_format":
      return `is not ${issue.format === "starts_with" ? `a path starting with ${(issue as { prefix?: string }).prefix}` : issue.format === "regex" ? "in the expected form" : `a valid ${issue.format}`}${use}`;
    case "invalid_union":
      return `matches none of the allowed forms${use}`;
    default:
      return `is not allowed here${use}`;
  }
}

/**
 * A cross-field rule's issue: on `path` (relative to the object the rule refines), naming the
 * other keys it reads (`related`, relative to the same object). When the user changed one of
 * those with `--set` and not the key at `path`, the problem is told at the key they changed.
 */
export function crossFieldIssue(ctx: z.RefinementCtx, path: (string | number)[], message: string, related: (string | number)[][]): void {
  ctx.addIssue({ code: "custom", path, message, params: { at: path, related } });
}

/** The keys a cross-field issue also involves, as full paths, or [] for any other issue. */
export function relatedKeys(issue: z.core.$ZodIssue): (string | number)[][] {
  if (issue.code !== "custom" || !issue.params) return [];
  const { at, related } = issue.params as { at?: (string | number)[]; related?: (string | number)[][] };
  if (!at || !related) return [];
  const prefix = issue.path.slice(0, issue.path.length - at.length) as (string | number)[];
  return related.map((r) => [...prefix, ...r]);
}
