/**
 * How the stack policies find what they check among the resources the engine shows them:
 * WAL archive buckets and the S3 settings resources that belong to them (`@pulumi/aws` v7
 * declares versioning, encryption, lifecycle... as resources of their own), the database hosts
 * and the text the stack renders onto them, and a resource's region.
 *
 * Joins prefer `propertyDependencies` (the engine's record of which resource an input came
 * from: it works in a preview, where a new bucket's name is still unknown) and fall back to
 * comparing the bucket name.
 */
import type { PolicyResource } from "@pulumi/policy";

/** Type token of the backups component whose buckets are pgBackRest repositories. */
export const walArchiveBucketType = "crazygary:dr:WalArchiveBucket";
/** Type token of the component that configures one PostgreSQL host. */
export const databaseHostType = "crazygary:dr:DatabaseHost";

/** What the offline plan shows for a value the engine does not know yet. */
const unknownMarker = "[unknown]";
/** What the offline plan shows for a secret. */
const secretMarker = "[secret]";

/**
 * Reads a value that may not be known yet. In a preview, CrossGuard throws an
 * `UnknownValueError` on reading a value a new resource has not produced yet (a new bucket's
 * id), and a policy that lets it escape is skipped as "can't run during preview". The joins
 * read such values through `peek` and fall back to what is known (property dependencies,
 * regions) instead.
 */
export function peek<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if ((err as Error)?.constructor?.name === "UnknownValueError") return undefined;
    throw err;
  }
}

/** A string the engine knows (not unknown, not a secret placeholder), or `undefined`. */
export function knownString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== unknownMarker && value !== secretMarker ? value : undefined;
}

/** The nearest ancestor (or the resource itself) of component type `type`. */
export function ancestorOfType(resource: PolicyResource, type: string): PolicyResource | undefined {
  for (let node: PolicyResource | undefined = resource; node; node = node.parent) {
    if (node.type === type) return node;
  }
  return undefined;
}

/** The AWS region a resource lands in, from its provider. */
export function regionOf(resource: PolicyResource): string | undefined {
  return knownString(resource.provider?.props?.region);
}

/** Shown in messages: the logical name and region. */
export function describe(resource: PolicyResource): string {
  const region = regionOf(resource);
  return `${resource.name}${region ? ` (${region})` : ""}`;
}

/** The bucket's name where the engine knows it (`bucket` input, or `id` once created). */
export function bucketNameOf(bucket: PolicyResource): string | undefined {
  return knownString(peek(() => bucket.props.bucket)) ?? knownString(peek(() => bucket.props.id));
}

/** Whether input `property` of `resource` comes from `target` (by dependency, else by value). */
export function refersTo(resource: PolicyResource, property: string, target: PolicyResource, targetValue: string | undefined): boolean {
  const dependencies = resource.propertyDependencies?.[property];
  if (dependencies && dependencies.length > 0) return dependencies.some((d) => d.urn === target.urn);
  const value = knownString(peek(() => resource.props[property]));
  return value !== undefined && value === targetValue;
}

/** S3 buckets declared by a `WalArchiveBucket` component. */
export function walArchiveBuckets(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === "aws:s3/bucket:Bucket" && ancestorOfType(r, walArchiveBucketType) !== undefined);
}

/** Resources of type `type` whose `bucket` input is `bucket`. */
export function settingsOfBucket(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
  const name = bucketNameOf(bucket);
  return resources.filter((r) => r.type === type && refersTo(r, "bucket", bucket, name));
}

/** Every string in a value (nested objects and arrays included), secrets and values not known yet left out. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return knownString(value) ? [value] : [];
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return Object.keys(record).flatMap((key) => stringsIn(peek(() => record[key])));
  }
  return [];
}

/**
 * Splits a script into the documents it writes: each heredoc body on its own, and the script
 * around them (heredocs nested inside a written script stay part of that script).
 */
export function splitDocuments(text: string): string[] {
  const documents: string[] = [];
  const outside: string[] = [];
  let body: string[] | undefined;
  let delimiter = "";
  for (const line of text.split("\n")) {
    if (body) {
      if (line.trim() === delimiter) {
        documents.push(body.join("\n"));
        body = undefined;
      } else body.push(line);
      continue;
    }
    outside.push(line);
    const start = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1\s*$/.exec(line);
    if (start) {
      delimiter = start[2];
      body = [];
    }
  }
  if (body) documents.push(body.join("\n"));
  return documents.length === 0 ? [text] : [outside.join("\n"), ...documents];
}

/** One database host: the commands a `DatabaseHost` component runs there and the text they carry. */
export interface DatabaseHostView {
  /** The `DatabaseHost` component resource. */
  host: PolicyResource;
  /** Every remote command the component runs. */
  commands: PolicyResource[];
  /** Every string the commands carry (scripts, rendered files, environment values), heredocs split out. */
  texts: string[];
}

/** The database hosts the stack configures, each with the text rendered onto it. */
export function databaseHosts(resources: readonly PolicyResource[]): DatabaseHostView[] {
  return resources
    .filter((r) => r.type === databaseHostType)
    .map((host) => {
      const commands = resources.filter((r) => r.type === "command:remote:Command" && ancestorOfType(r, databaseHostType)?.urn === host.urn);
      return { host, commands, texts: commands.flatMap((c) => stringsIn(c.props)).flatMap(splitDocuments) };
    });
}
