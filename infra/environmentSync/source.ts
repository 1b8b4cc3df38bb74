/**
 * Reads the stack this one follows (`sync.source`) through a `StackReference`: its validated
 * `environment` output, and what schema sync needs (its schema version and database address).
 * Awaited in `program()` before any component is declared, so every component sees the
 * effective (synced) config as plain values.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { applySync, environmentOutput, EnvironmentSyncError, parseEnvironmentOutput } from "./syncedSettings";

/** The source stack's database address, as it exports it (`schemaSource`); no credentials. */
export interface SchemaSourceAddress {
  host: string;
  port: number;
  database: string;
  /** The read-only role a following stack reads the schema as. */
  user: string;
  /** ARN of that role's Secrets Manager secret (`{"username", "password"}`); the ARN only, never the password. */
  passwordSecretArn: string;
  /**
   * The accounts, besides the secret's own, that may read it: the source's `followerAccountIds`
   * (a resource policy and a customer-managed key; domain/secretSharing.ts).
   */
  readerAccountIds: string[];
}

/** What a following stack reads from its source stack. */
export interface SyncSource {
  /** Fully qualified name of the source stack, e.g. `crazy-gary/crazy-gary-dr/prod`. */
  name: string;
  /** The source's `schemaVersion` output: `sha256:<hex>` of its normalized schema-only dump. */
  schemaVersion: string;
  /** The source's active database address (`schemaSource` output). */
  schemaSource: SchemaSourceAddress;
}

/** The config the components use and, in a following stack, what it read from its source. */
export interface SyncedStackConfig {
  config: StackConfig;
  source?: SyncSource;
}

/**
 * The outputs of the source stack a following stack reads, and all it reads: the offline plan
 * stands in exactly these, from the source's config (tools/offline/syncSourceStandIn.ts).
 */
export const syncedOutputNames = ["environment", "schemaVersion", "schemaSource"] as const;

async function plainOutput(reference: pulumi.StackReference, sourceName: string, output: string): Promise<unknown> {
  const details = await reference.getOutputDetails(output);
  if (details.secretValue !== undefined) {
    throw new EnvironmentSyncError([`${output}: is a secret output of ${sourceName}; it must be plain (nothing secret is synced)`], `outputs of ${sourceName} refused`);
  }
  return details.value;
}

/**
 * The refusal when this stack (account `ownAccountId`) may not read the source's schema reader
 * secret: it lives in another account, which does not list this one among its readers. Without
 * it, the schema sync would fail only when it runs, with AccessDenied, after the rest of the deploy.
 */
export function schemaReaderAccessProblem(sourceName: string, ownAccountId: string, address: Pick<SchemaSourceAddress, "passwordSecretArn" | "readerAccountIds">): string | undefined {
  const secretAccount = address.passwordSecretArn.split(":")[4];
  if (secretAccount === ownAccountId || address.readerAccountIds.includes(ownAccountId)) return undefined;
  return `schemaSource.passwordSecretArn: ${sourceName}'s schema_reader secret is in account ${secretAccount}, which does not share it with this stack's account ${ownAccountId} (its readerAccountIds: ${JSON.stringify(address.readerAccountIds)}); add "${ownAccountId}" to ${sourceName}'s followerAccountIds and run \`pulumi up\` on ${sourceName} first`;
}

function schemaFields(sourceName: string, ownAccountId: string, schemaVersion: unknown, schemaSource: unknown): Omit<SyncSource, "name"> {
  const problems: string[] = [];
  if (typeof schemaVersion !== "string" || !/^sha256:[0-9a-f]{64}$/.test(schemaVersion)) {
    problems.push(`schemaVersion: ${JSON.stringify(schemaVersion) ?? "missing"} is not sha256:<64 hex digits>; run \`pulumi up\` on ${sourceName} so it exports its schema version`);
  }
  const address = schemaSource as Partial<SchemaSourceAddress> | undefined;
  const valid =
    address &&
    typeof address.host === "string" &&
    typeof address.port === "number" &&
    typeof address.database === "string" &&
    typeof address.user === "string" &&
    typeof address.passwordSecretArn === "string" &&
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(address.passwordSecretArn) &&
    Array.isArray(address.readerAccountIds) &&
    address.readerAccountIds.every((id) => typeof id === "string");
  if (!valid) {
    problems.push(
      `schemaSource: ${JSON.stringify(schemaSource) ?? "missing"} is not {host, port, database, user, passwordSecretArn: arn:aws:secretsmanager:..., readerAccountIds: [...]}; run \`pulumi up\` on ${sourceName} so it exports its database address and its schema reader's secret`,
    );
  }
  const access = valid ? schemaReaderAccessProblem(sourceName, ownAccountId, address as SchemaSourceAddress) : undefined;
  if (access) problems.push(access);
  if (problems.length > 0) throw new EnvironmentSyncError(problems, `outputs of ${sourceName} refused`);
  const { host, port, database, user, passwordSecretArn, readerAccountIds } = address as SchemaSourceAddress;
  return { schemaVersion: schemaVersion as string, schemaSource: { host, port, database, user, passwordSecretArn, readerAccountIds } };
}

/**
 * Refuses a secret-looking shared setting (before any resource is declared); then, in a stack
 * with `sync.source`, reads the source's outputs and returns the config with every synced key
 * at its effective value. Otherwise returns the config unchanged.
 */
export async function resolveSyncedConfig(config: StackConfig): Promise<SyncedStackConfig> {
  environmentOutput(config);
  if (!config.sync) return { config };
  const name = config.sync.source;
  const reference = new pulumi.StackReference("sync-source", { name });
  const [environment, schemaVersion, schemaSource] = await Promise.all(syncedOutputNames.map((output) => plainOutput(reference, name, output)));
  const synced = applySync(config, parseEnvironmentOutput(environment, name));
  return { config: synced, source: { name, ...schemaFields(name, config.accountId, schemaVersion, schemaSource) } };
}
