/**
 * What an offline plan of a stack that follows another (dr, `sync.source`) reads from its source
 * (prod) instead of a real `StackReference`: the source's synced outputs ({@link syncedOutputNames})
 * exactly as the source's own program exports them under the mock engine, computed from the
 * source's config alone, without evaluating its program.
 * - `environment`: the program's own `environmentOutput` of the source's effective config;
 * - `schemaSource`: the source's active database address and its schema reader role, with the
 *   ARN the mock engine gives that role's secret (`DatabaseRoles` names it
 *   `database-roles-schema_reader-secret`, in the primary region) and the accounts it is shared
 *   with (`followerAccountIds`);
 * - `schemaVersion`: what the mock engine's schema-sync.sh answers for that database address.
 * test/syncSourceStandIn.test.ts checks these against the source's evaluated outputs.
 */
import type { StackConfig } from "../../infra/config";
import { activeRole } from "../../domain/activeRegion";
import { applySync, environmentOutput } from "../../infra/environmentSync/syncedSettings";
import { schemaReaderRole } from "../../infra/environmentSync";
import { parseStackConfig } from "../../infra/parseConfig";
import { syncedOutputNames } from "../../infra/environmentSync/source";
import { mockSchemaVersion, mockSecretArn } from "./mocks";
import { loadStackConfig } from "./stackFiles";

export type SyncedOutputs = Record<(typeof syncedOutputNames)[number], unknown>;

/** The synced outputs a stack with effective config `config` exports under the mock engine. */
export function syncedOutputsOf(config: StackConfig): SyncedOutputs {
  const active = config.databases[activeRole(config)];
  const address = { host: active.pgHost, port: active.pgPort, database: active.database };
  return {
    environment: environmentOutput(config),
    schemaVersion: mockSchemaVersion(address),
    schemaSource: { ...address, user: schemaReaderRole, passwordSecretArn: mockSecretArn(`database-roles-${schemaReaderRole}-secret`, config.regions.primary), readerAccountIds: [...config.followerAccountIds] },
  };
}

/** The stack name of a fully qualified `sync.source` (`crazy-gary/crazy-gary-dr/prod` -> `prod`). */
export const sourceStackOf = (sourceName: string): string => sourceName.split("/").pop()!;

/**
 * The effective config of `stack` as its stack file gives it (no `--set`): its own config, with
 * the synced keys taken from its own source's stand-in when it follows another stack.
 * `following` names the stacks that follow it, to refuse a cycle.
 */
export function effectiveStackConfig(stack: string, following: readonly string[] = []): StackConfig {
  if (following.includes(stack)) throw new Error(`sync.source forms a cycle: ${[...following, stack].join(" -> ")}`);
  const config = parseStackConfig(loadStackConfig(stack, {}));
  if (!config.sync) return config;
  return applySync(config, environmentOutput(effectiveStackConfig(sourceStackOf(config.sync.source), [...following, stack])));
}
