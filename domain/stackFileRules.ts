/**
 * Mistakes in stack files and `--set` overrides that would otherwise be silently accepted:
 * each rule returns the problems (key, what is wrong, the exact fix) and never the value of a
 * key that may hold a secret. Pure: the caller reads the files.
 */
import { didYouMean, nearest } from "./nearest";

/** One stack's raw config, as its file holds it (namespaced keys). */
export interface RawStackFile {
  stack: string;
  /** The `config:` map of `Pulumi.<stack>.yaml`. */
  config: Record<string, unknown>;
}

/**
 * Keys a stack file holds that the program would never read:
 * - no namespace (`retention:`): Pulumi stack files need `<namespace>:<name>` keys
 *   (pulumi/pulumi#8603 asks for un-namespaced ones; the engine passes only namespaced keys);
 * - a namespace that is a typo of the project's (`crazy-gary:retention`);
 * - a dotted name (`crazy-gary-dr:retention.walHours`): what `pulumi config set` without
 *   `--path` writes, one literal key named `retention.walHours`, not a path into `retention`.
 */
export function stackFileKeyProblems(file: RawStackFile, projectName: string, knownKeys: readonly string[]): string[] {
  const where = `Pulumi.${file.stack}.yaml`;
  return Object.keys(file.config).flatMap((key) => {
    const colon = key.indexOf(":");
    if (colon < 0) {
      const hint = knownKeys.includes(key) ? "" : didYouMean(key, knownKeys);
      return [`${where}: ${key}: has no project prefix, so the program never reads it;${hint} write it as ${projectName}:${key}${hint ? " (with the right name)" : ""}`];
    }
    const [namespace, name] = [key.slice(0, colon), key.slice(colon + 1)];
    if (namespace !== projectName && nearest(namespace, [projectName]).length > 0) {
      return [`${where}: ${key}: namespace ${namespace} is not the project's; write it as ${projectName}:${name}`];
    }
    if (namespace === projectName && name.includes(".") && knownKeys.includes(name.split(".")[0])) {
      return [
        `${where}: ${key}: a dotted key is one literal name (set without --path), not ${name.split(".")[0]}'s ${name.split(".").slice(1).join(".")}; ` +
          `run pulumi config rm '${name}' and pulumi config set --path '${name}' <value> (or nest it under ${projectName}:${name.split(".")[0]}: in the file)`,
      ];
    }
    return [];
  });
}

/** A `--set` path's parts: `a.b.c`, with `["x.y"]` for a part that holds dots (as `pulumi config set --path` writes). */
export function settingPath(keyPath: string): string[] {
  const parts: string[] = [];
  const pattern = /\["([^"]+)"\]|([^.[\]]+)/g;
  for (const match of keyPath.matchAll(pattern)) parts.push(match[1] ?? match[2]);
  return parts;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * A `--set` of a whole map that keeps only some of the keys the map has (`--set 'app={LOG_LEVEL: debug}'`
 * would drop every other app setting): the problem with the one-key syntax, or `undefined`.
 * A map with a key the old one lacks is a new shape and replaces it.
 */
export function wholeMapProblem(keyPath: string, existing: unknown, value: unknown): string | undefined {
  if (!isMap(existing) || !isMap(value)) return undefined;
  // A map of another shape (a hostname endpoint for a load balancer one) replaces on purpose.
  if (Object.keys(value).some((k) => !(k in existing))) return undefined;
  const dropped = Object.keys(existing).filter((k) => !(k in value));
  if (dropped.length === 0) return undefined;
  const example = Object.entries(value)[0];
  const oneKey = example ? ` --set ${keyPath}.${example[0]}=${typeof example[1] === "string" ? example[1] : JSON.stringify(example[1])}` : "";
  return `--set ${keyPath}={...}: replaces the whole map and would drop ${dropped.length} key(s) (${dropped.join(", ")}); set one key at a time:${oneKey}`;
}

/** Leaves of a config value as dotted keys, arrays as leaves. */
function leaves(value: unknown, at: string, into: Map<string, unknown>): void {
  if (isMap(value)) for (const [k, v] of Object.entries(value)) leaves(v, at ? `${at}.${k}` : k, into);
  else if (value !== undefined) into.set(at, value);
}

/**
 * Values that make a stack the same environment as another: an unedited copy of
 * `Pulumi.prod.yaml` would plan a second prod, writing prod's DNS records and configuring
 * prod's database hosts. Keys compared: the DNS zone, endpoints and database host addresses.
 */
export const identityKeyPattern = /^(dnsZone\.(name|id)|endpoints\..+\.(hostname|dnsName)|databases\.[a-z]+\.(sshHost|pgHost))$/;

/** Each other stack that shares an identity value with `file`, naming both stacks and the value. */
export function sharedIdentityProblems(file: RawStackFile, others: readonly RawStackFile[], projectName: string): string[] {
  const identity = (raw: RawStackFile) => {
    const all = new Map<string, unknown>();
    for (const [key, value] of Object.entries(raw.config)) if (key.startsWith(`${projectName}:`)) leaves(value, key.slice(projectName.length + 1), all);
    return new Map([...all].filter(([key, value]) => identityKeyPattern.test(key) && typeof value === "string"));
  };
  const mine = identity(file);
  return others
    .filter((other) => other.stack !== file.stack)
    .flatMap((other) => {
      const theirs = identity(other);
      const shared = [...mine].filter(([, value]) => [...theirs.values()].includes(value)).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
      if (shared.length === 0) return [];
      // The files alone cannot say which is the copy: name both.
      return [
        `Pulumi.${file.stack}.yaml: stacks ${file.stack} and ${other.stack} share ${shared.slice(0, 3).join(", ")}${shared.length > 3 ? ` and ${shared.length - 3} more` : ""}; ` +
          `every stack needs its own DNS zone, endpoints and database hosts (planning ${file.stack} would change ${other.stack}'s): edit the copy, Pulumi.${file.stack}.yaml or Pulumi.${other.stack}.yaml`,
      ];
    });
}
