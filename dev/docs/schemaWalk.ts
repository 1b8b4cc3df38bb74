/**
 * Walks a zod 4 schema through its `.def` and lists every key as plain data: the dotted key,
 * its type, default, constraints and description. Pure: the config reference is rendered from
 * these rows (`configReference.ts`).
 */
import type { z } from "zod";
import type { CheckDef } from "../../infra/configMessages";

/** The part of a zod 4 schema the walk reads (`schema.def`, `schema.description`). */
interface ZodLike {
  def: ZodDef;
  description?: string;
}

interface ZodDef {
  type: string;
  shape?: Record<string, ZodLike>;
  innerType?: ZodLike;
  defaultValue?: unknown;
  options?: ZodLike[];
  element?: ZodLike;
  keyType?: ZodLike;
  valueType?: ZodLike;
  entries?: Record<string, string>;
  values?: unknown[];
  checks?: { _zod: { def: CheckDef } }[];
  in?: ZodLike;
}


export interface SchemaRow {
  /** Dotted key: `retention.fullDays`; `{primary,secondary}` where both share one schema; `<key>` in a map. */
  key: string;
  type: string;
  /** The default as JSON, or `undefined` when there is none. */
  defaultValue?: string;
  /** Whether the key may be left out (it has a default or is optional). */
  optional: boolean;
  constraints: string[];
  description?: string;
}

/** The fixed message a check was given (`{ message }`), or undefined. */
function messageOf(check: CheckDef): string | undefined {
  const message = check.error?.();
  return typeof message === "string" ? message : undefined;
}

function bound(check: CheckDef, below: boolean): string {
  const symbol = below ? (check.inclusive ? ">=" : ">") : check.inclusive ? "<=" : "<";
  return `${symbol} ${check.value}`;
}

/** One line per check of a schema, in the order they were declared. */
export function checkTexts(def: ZodDef): string[] {
  return (def.checks ?? []).flatMap(({ _zod: { def: check } }): string[] => {
    const message = messageOf(check);
    switch (check.check) {
      case "number_format":
        return [];
      case "greater_than":
        return [bound(check, true)];
      case "less_than":
        return [bound(check, false)];
      case "min_length":
        return [def.type === "array" ? `at least ${check.minimum} items` : check.minimum === 1 ? "not empty" : `at least ${check.minimum} characters`];
      case "string_format":
        if (check.format === "starts_with") return [`starts with \`${check.prefix}\``];
        if (check.format === "includes") return [`contains \`${check.includes}\``];
        if (check.format === "regex") return [message ? `else: "${message}"` : `matches \`${check.pattern}\``];
        return [message ? `else: "${message}"` : check.format ?? "string format"];
      default:
        return message ? [`else: "${message}"`] : [];
    }
  });
}

const isInteger = (def: ZodDef) => (def.checks ?? []).some(({ _zod }) => _zod.def.check === "number_format");

/** A one-line type: `integer`, `"primary" | "secondary"`, `list of {protocol: "https", endpoint: string}`. */
export function typeText(schema: ZodLike): string {
  const def = schema.def;
  switch (def.type) {
    case "default":
    case "optional":
      return typeText(def.innerType!);
    case "pipe":
      return typeText(def.in!);
    case "number":
      return isInteger(def) ? "integer" : "number";
    case "enum":
      return Object.values(def.entries!).map((v) => JSON.stringify(v)).join(" | ");
    case "literal":
      return def.values!.map((v) => JSON.stringify(v)).join(" | ");
    case "union":
      return def.options!.map(typeText).join(" | ");
    case "array":
      return `list of ${typeText(def.element!)}`;
    case "record":
      return `map of ${typeText(def.keyType!)} to ${typeText(def.valueType!)}`;
    case "object":
      return `{${Object.entries(def.shape!).map(([k, v]) => `${k}: ${typeText(v)}`).join(", ")}}`;
    case "unknown":
      return "any value";
    default:
      return def.type;
  }
}

/** Peels `default`/`optional` wrappers: the inner schema, its default, and the first description met. */
function unwrap(schema: ZodLike): { inner: ZodLike; defaultValue?: unknown; hasDefault: boolean; optional: boolean; description?: string; constraints: string[] } {
  let inner = schema;
  let hasDefault = false;
  let optional = false;
  let defaultValue: unknown;
  let description = schema.description;
  const constraints: string[] = [];
  while (inner.def.type === "default" || inner.def.type === "optional") {
    if (inner.def.type === "default" && !hasDefault) {
      hasDefault = true;
      defaultValue = inner.def.defaultValue;
    }
    if (inner.def.type === "optional") optional = true;
    constraints.push(...checkTexts(inner.def));
    inner = inner.def.innerType!;
    description ??= inner.description;
  }
  return { inner, defaultValue, hasDefault, optional, description, constraints };
}

/** The schemas inside an object or a map's values that the walk descends into. */
function children(inner: ZodLike): [string, ZodLike][] {
  const def = inner.def;
  if (def.type === "record" && unwrap(def.valueType!).inner.def.type === "object") return [["<key>", def.valueType!]];
  if (def.type !== "object") return [];
  const entries = Object.entries(def.shape!);
  // Keys that share one schema (perRegion: primary and secondary) are listed once.
  if (entries.length > 1 && entries.every(([, v]) => v === entries[0][1])) {
    return [[`{${entries.map(([k]) => k).join(",")}}`, entries[0][1]]];
  }
  return entries;
}

const defaultText = (value: unknown, inner: ZodLike): string =>
  inner.def.type === "object" && value !== null && typeof value === "object" && Object.keys(value).length > 0 ? "each key's default" : JSON.stringify(value);

/** Every key of an object schema, depth first in declaration order; object keys come before their children. */
export function schemaRows(schema: z.core.$ZodType): SchemaRow[] {
  return rowsOf(schema as unknown as ZodLike, []);
}

function rowsOf(schema: ZodLike, prefix: string[]): SchemaRow[] {
  return children(schema).flatMap(([key, child]) => {
    const path = [...prefix, key];
    const { inner, defaultValue, hasDefault, optional, description, constraints } = unwrap(child);
    const nested = children(inner);
    const row: SchemaRow = {
      key: path.join("."),
      type: inner.def.type === "object" ? "map" : typeText(inner),
      defaultValue: hasDefault ? defaultText(defaultValue, inner) : undefined,
      optional: hasDefault || optional,
      constraints: [...constraints, ...constraintsOf(inner.def)],
      description,
    };
    return [row, ...(nested.length > 0 ? rowsOf(inner, path) : [])];
  });
}

/** A schema's own checks and message, and those of its list elements or map keys. */
function constraintsOf(def: ZodDef): string[] {
  const own = [...checkTexts(def), ...(def.type === "union" || def.type === "enum" ? errorOf(def) : [])];
  if (def.type === "array") return [...own, ...constraintsOf(def.element!.def).map((c) => `each: ${c}`)];
  if (def.type === "record") return [...own, ...checkTexts(def.keyType!.def).map((c) => `each key: ${c}`)];
  return own;
}

/** A union's or enum's own message (`z.union([...], { message })`). */
function errorOf(def: ZodDef): string[] {
  const message = (def as { error?: () => unknown }).error?.();
  return typeof message === "string" ? [`else: "${message}"`] : [];
}
