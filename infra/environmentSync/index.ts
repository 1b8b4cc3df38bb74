/**
 * Environment sync's wiring (called by `stack.ts`): the synced
 * settings and secret ARNs published to SSM, the `environment`, `schemaVersion` and
 * `schemaSource` outputs a following stack reads, and, in a stack that follows another
 * (`sync.source`), the schema sync from the source's database.
 */
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentSync } from "../../components/environmentSync";
import { SchemaSync, SchemaVersion, type DatabaseAddress } from "../../components/schemaSync";
import { activeRole } from "../../domain/activeRegion";
import type { StackConfig } from "../config";
import { effectiveSettings, environmentOutput } from "./syncedSettings";
import type { RegionProviders } from "../regions";
import type { SchemaSourceAddress, SyncSource } from "./source";

/**
 * The role the schema sync reads the source database as: a login role on the source granted
 * `pg_read_all_data` (pg_dump locks every table it dumps), kept by the source stack's
 * `DatabaseRoles` with its password in Secrets Manager
 * (docs/guides/ci-network-reach.md; docs/guides/schema-sync.md describes the older password-file way).
 */
export const schemaReaderRole = "schema_reader";

/**
 * What makes `pulumi up` read the schema version again: `CRAZY_GARY_RUN_ID` (the deploy
 * workflow sets the GitHub run id and attempt; the offline plan a fixed value), else the time.
 */
export const deploymentRunId = (env: Readonly<Record<string, string | undefined>> = process.env): string => env.CRAZY_GARY_RUN_ID || new Date().toISOString();

/**
 * `config` is the effective config (after `applySync`); `source` is set in a stack that follows
 * another; `schemaReaderSecretArn` is this stack's own schema reader's secret, exported for the
 * stacks that follow this one.
 */
export function declareEnvironmentSync(config: StackConfig, providers: RegionProviders, schemaReaderSecretArn: pulumi.Output<string>, source?: SyncSource) {
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

  const active = config.databases[activeRole(config)];
  const activeDatabase = (user: string): DatabaseAddress => ({ host: active.pgHost, port: active.pgPort, database: active.database, user });
  const adminPassword = config.databaseSecrets[activeRole(config)].adminPassword;
  const schemaSource: Omit<SchemaSourceAddress, "passwordSecretArn"> & { passwordSecretArn: pulumi.Output<string> } = {
    host: active.pgHost,
    port: active.pgPort,
    database: active.database,
    user: schemaReaderRole,
    passwordSecretArn: schemaReaderSecretArn,
    readerAccountIds: [...config.followerAccountIds],
  };
  const schemaVersion = new SchemaVersion("schema-version", { provider: providers.command, database: activeDatabase(active.adminUser), password: adminPassword, runId: deploymentRunId() });

  const schemaSync = source
    ? new SchemaSync("schema-sync", {
        provider: providers.command,
        source: { host: source.schemaSource.host, port: source.schemaSource.port, database: source.schemaSource.database, user: source.schemaSource.user },
        sourcePasswordSecretArn: source.schemaSource.passwordSecretArn,
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
      schemaVersion: schemaVersion.version,
      schemaSource,
      environmentParameters: sync.parameterNames,
      appSecretArnParameters: sync.secretArnParameterNames,
    },
  };
}
