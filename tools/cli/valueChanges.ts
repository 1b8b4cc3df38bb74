/**
 * What changed between two values of one input or output, path by path, the way a reviewer
 * wants to read it: an object (or a string holding JSON) down to the keys that changed, with
 * both values (`environment.FLIP_CANDIDATE: "us-east-1" → "us-west-2"`), a multi-line string (a
 * script, a command's stdin) as a unified line diff, and a secret as `[secret]` with whether it
 * changed, never its value.
 *
 * The line and array diffs come from jsdiff (`diff` on npm, Myers' O(ND) algorithm, the diff
 * behind most JavaScript tooling) rather than a hand-written LCS: see README's dependency list.
 */
import { diffArrays, structuredPatch } from "diff";
import { childPath, itemPath } from "../../domain/valuePath";

/** How a secret reads in a plan (tools/offline/capture.ts `secretMarker`; repeated here so this module stays pure). */
const secretMarker = "[secret]";

/** Lines of context around each changed line of a line diff. */
export const lineContext = 2;

export interface ValueChangeBase {
  /** Dotted path from the input or output name: `environment.FLIP_CANDIDATE`, `triggers[1]`, `tags["a b"]`. */
  path: string;
}

/** A value set, unset or changed; `before`/`after` absent where the path did not exist. */
export interface ScalarChange extends ValueChangeBase {
  kind: "value";
  before?: unknown;
  after?: unknown;
}

/** A secret at this path: its value is never shown; `changed` is null when it cannot be told (a saved plan holds no fingerprint). */
export interface SecretChange extends ValueChangeBase {
  kind: "secret";
  changed: boolean | null;
}

/** A multi-line string, as a unified diff (`@@ -a,b +c,d @@` hunks of ` `, `-`, `+` lines). */
export interface LinesChange extends ValueChangeBase {
  kind: "lines";
  before: string;
  after: string;
  hunks: { oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }[];
}

export type ValueChange = ScalarChange | SecretChange | LinesChange;

/**
 * Whether the secret at `path` changed, as fingerprints taken when the plans were made can
 * tell (undefined: no fingerprint for that path).
 */
export type SecretComparer = (path: string) => boolean | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Deep equality of plain JSON values (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}

/** A string holding a JSON object or array (an IAM policy, a rendered config), parsed; else undefined. */
function parsedJson(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const holdsSecret = (value: unknown): boolean => value === secretMarker || (value !== null && typeof value === "object" && JSON.stringify(value).includes(JSON.stringify(secretMarker)));

const isMultiLine = (value: unknown): value is string => typeof value === "string" && value.includes("\n");

function linesChange(path: string, before: string, after: string): LinesChange {
  const patch = structuredPatch("before", "after", before, after, undefined, undefined, { context: lineContext });
  const hunks = patch.hunks.map(({ oldStart, oldLines, newStart, newLines, lines }) => ({ oldStart, oldLines, newStart, newLines, lines }));
  return { path, kind: "lines", before, after, hunks };
}

function arrayChanges(path: string, before: unknown[], after: unknown[], secrets: SecretComparer): ValueChange[] {
  if (before.length === after.length) return before.flatMap((value, i) => valueChanges(value, after[i], itemPath(path, i), secrets));
  // Items inserted or removed: which ones, by jsdiff's array diff, each at its own index.
  const changes: ValueChange[] = [];
  let [oldIndex, newIndex] = [0, 0];
  for (const part of diffArrays(before, after, { comparator: sameValue })) {
    for (const item of part.value) {
      if (part.removed) changes.push({ path: itemPath(path, oldIndex++), kind: "value", before: item });
      else if (part.added) changes.push({ path: itemPath(path, newIndex++), kind: "value", after: item });
      else [oldIndex, newIndex] = [oldIndex + 1, newIndex + 1];
    }
  }
  return changes;
}

/**
 * The changes from `before` to `after` under `path` (`""` for the whole value), deepest first
 * where both sides are objects, arrays or JSON strings. Undefined on one side: set or unset.
 */
export function valueChanges(before: unknown, after: unknown, path = "", secrets: SecretComparer = () => undefined): ValueChange[] {
  if (before === secretMarker || after === secretMarker) {
    if (before === secretMarker && after === secretMarker) {
      const changed = secrets(path);
      return changed === false ? [] : [{ path, kind: "secret", changed: changed ?? null }];
    }
    return [{ path, kind: "secret", changed: true }];
  }
  // Equal values are no change, unless a secret inside them (shown as the same marker) changed.
  if (sameValue(before, after) && !holdsSecret(before)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => valueChanges(before[key], after[key], childPath(path, key), secrets));
  }
  if (Array.isArray(before) && Array.isArray(after)) return arrayChanges(path, before, after, secrets);
  const [jsonBefore, jsonAfter] = [parsedJson(before), parsedJson(after)];
  if (jsonBefore !== undefined && jsonAfter !== undefined) return valueChanges(jsonBefore, jsonAfter, path, secrets);
  if (isMultiLine(before) && isMultiLine(after)) return [linesChange(path, before, after)];
  return [{ path, kind: "value", ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }];
}

/** The changes of every key of two records (a resource's inputs, a stack's outputs), in the order `keys` gives. */
export function recordChanges(keys: readonly string[], before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>, secrets?: SecretComparer): ValueChange[] {
  return keys.flatMap((key) => valueChanges(before[key], after[key], childPath("", key), secrets));
}
