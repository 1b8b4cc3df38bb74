/**
 * Environment sync's wiring (called by `stack.ts`): the synced
 * settings and secret ARNs published to SSM, the `environment`, `schemaVersion` and
 * `schemaSource` outputs a following stack reads, and, in a stack that follows another
 * (`sync.source`), the schema sync from the source's database.
 */
import { EnvironmentSync } from "../components/environmentSync";
import { readSchemaVersion, SchemaSync, type DatabaseAddress } from "../components/schemaSync";
import type { RegionAssignment } from "../domain/activeRegion";
import type { StackConfig } from "./config";
import { effectiveSettings, environmentOutput } from "./environment";
import type { RegionProviders } from "./regions";
import type { SchemaSourceAddress, SyncSource } from "./syncSource";

/**
 * The role the schema sync reads the source database as: a login role on the source granted
 * `pg_read_all_data` (pg_dump locks every table it dumps). Its password is in the operator's
 * libpq password file, never in this stack (docs/guides/schema-sync.md).
 */
export const schemaReaderRole = "schema_reader";

/** `config` is the effective config (after `applySync`); `source` is set in a stack that follows another. */
export function declareEnvironmentSync(config: StackConfig, sites: RegionAssignment, providers: RegionProviders, source?: SyncSource) {
  // Origins come from this stack's overrides; the values are already the effective ones.
  const settings = effectiveSettings(config, undefined);
  const environment = environmentOutput(config);

  const sync = new EnvironmentSync("environment-sync", {
    environment: config.environment,
    settings,
    secretNames: config.appSecrets,
    providers: providers.aws,
    regions: config.regions,
  });

  const active = config.databases[sites.active.role];
  const activeDatabase = (user: string): DatabaseAddress => ({ host: active.pgHost, port: active.pgPort, database: active.database, user });
  const adminPassword = config.databaseSecrets[sites.active.role].adminPassword;
  const schemaSource: SchemaSourceAddress = { host: active.pgHost, port: active.pgPort, database: active.database };
  const schemaVersion = readSchemaVersion({ provider: providers.command, database: activeDatabase(active.adminUser), password: adminPassword });

  const schemaSync = source
    ? new SchemaSync("schema-sync", {
        provider: providers.command,
        source: { ...source.schemaSource, user: schemaReaderRole },
        sourceSchemaVersion: source.schemaVersion,
        target: activeDatabase(active.adminUser),
        targetPassword: adminPassword,
      })
    : undefined;

  return {
    sync,
    schemaSync,
    outputs: {
      environment,
      schemaVersion,
      schemaSource,
      environmentParameters: sync.parameterNames,
      appSecretArnParameters: sync.secretArnParameterNames,
    },
  };
}
