/**
 * Captures every resource registration the program makes under the mock engine, with the
 * options the mocks themselves do not see (parent, protect, retainOnDelete, dependsOn).
 */
import { createHmac, randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { DeclaredResource } from "../../domain/declaredResource";
import { childPath, itemPath } from "../../domain/valuePath";

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What a secret looks like in a plan. */
export const secretMarker = "[secret]";

export interface CapturedResource extends DeclaredResource {
  /** Provider reference (`urn::id`), or `null` when the resource used a default provider. */
  provider: string | null;
  options: { protect: boolean; retainOnDelete: boolean; dependsOn: string[] };
  /** URNs each input property depends on (how the engine joins, e.g., a lifecycle rule to its bucket). */
  propertyDependencies: Record<string, string[]>;
  /**
   * A fingerprint of each secret in `inputs`, by path (`environment.SOURCE_PASSWORD`): an HMAC
   * under a key made afresh in every process, so two plans made by one process (`npm run plan --
   * --diff`) tell whether a secret changed while nothing here, nor in any file, reveals it.
   * Never written to a plan file (`toPlanJson` leaves it out).
   */
  secretDigests?: Record<string, string>;
}

/** Turns serialised inputs into plain JSON: secrets become `[secret]`, unknowns `[unknown]`. */
export function plainValue(value: unknown): unknown {
  if (value === unknownValue) return "[unknown]";
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[sigKey] === secretSig) return secretMarker;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}

/** The key of this process's secret fingerprints; never leaves the process. */
const fingerprintKey = randomBytes(32);

/** The fingerprints of the secrets in a serialised value, by path ({@link CapturedResource.secretDigests}). */
export function secretDigestsOf(value: unknown, path = "", into: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) value.forEach((item, i) => secretDigestsOf(item, itemPath(path, i), into));
  else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[sigKey] === secretSig) into[path] = createHmac("sha256", fingerprintKey).update(JSON.stringify(record.value ?? null)).digest("hex");
    else for (const [key, item] of Object.entries(record)) secretDigestsOf(item, childPath(path, key), into);
  }
  return into;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface Monitor {
  registerResource(req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string }) => void): unknown;
}

function propertyDependenciesOf(req: RegisterRequest): Record<string, string[]> {
  const dependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    const urns = [...value.getUrnsList()].sort();
    if (urns.length > 0) dependencies[key] = urns;
  });
  return dependencies;
}

/**
 * The host a resource's `connection` names (`@pulumi/command` remote commands), read before
 * secrets are masked: the engine receives the whole connection object as one secret because its
 * private key is one, but the host itself is an address the stack config holds in plain text.
 */
function connectionHostOf(raw: Record<string, unknown>): string | undefined {
  let connection = raw.connection;
  if (connection !== null && typeof connection === "object" && (connection as Record<string, unknown>)[sigKey] === secretSig) connection = (connection as Record<string, unknown>).value;
  const host = connection !== null && typeof connection === "object" ? (connection as Record<string, unknown>).host : undefined;
  return typeof host === "string" ? host : undefined;
}

/**
 * Wraps the mock monitor; call after `setMocks`. Returns the live list of captured resources.
 * `connectionHosts`, when given, receives the connection host of each resource that has one, by URN.
 */
export function captureRegistrations(connectionHosts?: Map<string, string>): CapturedResource[] {
  const captured: CapturedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const host = connectionHosts ? connectionHostOf(raw) : undefined;
        if (host !== undefined) connectionHosts!.set(resp.getUrn(), host);
        const secretDigests = secretDigestsOf(raw);
        captured.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          region: null,
          parent: req.getParent() || null,
          provider: req.getProvider() || null,
          custom: req.getCustom(),
          inputs: plainValue(raw) as Record<string, unknown>,
          options: {
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            dependsOn: [...req.getDependenciesList()].sort(),
          },
          propertyDependencies: propertyDependenciesOf(req),
          ...(Object.keys(secretDigests).length > 0 ? { secretDigests } : {}),
        });
      }
      callback(err, resp);
    });
  return captured;
}
