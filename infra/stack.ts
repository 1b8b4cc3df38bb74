/**
 * The stack's wiring: typed config in, components declared, outputs out. Decisions live in
 * small pure modules (`activeRegion.ts`, the runbook data); this file only connects them.
 */
import type { StackConfig } from "./config";
import { activeRegionCode, passiveRegionCode } from "../domain/activeRegion";
import { createProviders } from "./regions";
import { declareEnvironmentSync } from "./environmentSync";
import type { SyncSource } from "./environmentSync/source";
import { declareFailover } from "./failover";
import { declareQuorum } from "./quorum";
import { declareBackups } from "./backups";
import { declareAlarms } from "./alarms";

/** `syncSource`: what a stack with `sync.source` read from its source (see `program.ts`). */
export function declareStack(config: StackConfig, syncSource?: SyncSource) {
  const providers = createProviders(config);
  const quorum = declareQuorum(config, providers);
  const failover = declareFailover(config, providers, quorum.tls);
  // The candidate's host, the flip, the other host, in that order (infra/backups.ts).
  const backups = declareBackups(config, providers, {
    restApi: failover.restApi,
    tls: quorum.tls,
    declareFlip: failover.declareFlip,
  });
  const alarms = declareAlarms(config, providers, {
    healthCheckIds: failover.dns.healthCheckIds.api,
    walArchives: backups.buckets,
  });
  const environmentSync = declareEnvironmentSync(config, providers, backups.roles.roles.schema_reader.secretArn, syncSource);

  return {
    environmentName: config.environment,
    regions: config.regions,
    // Outputs keep their names (workflows and deployed stacks read them): `activeRegion` is the
    // active region's code here, its role is `activeRegionRole`.
    activeRegion: activeRegionCode(config),
    passiveRegion: passiveRegionCode(config),
    ...environmentSync.outputs,
    ...quorum.outputs,
    ...failover.outputs,
    ...backups.outputs,
    ...alarms.outputs,
  };
}
