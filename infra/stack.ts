/**
 * The stack's wiring: typed config in, components declared, outputs out. Decisions live in
 * small pure modules (`activeRegion.ts`, the runbook data); this file only connects them.
 */
import type { StackConfig } from "./config";
import { assignRegions } from "./activeRegion";
import { createProviders } from "./regions";
import { declareFailover } from "./failover";

export function declareStack(config: StackConfig) {
  const providers = createProviders(config);
  const sites = assignRegions(config);

  // <backups>
  // </backups>

  // <failover>
  const failover = declareFailover(config, sites, providers);
  // </failover>

  // <alarms>
  // </alarms>

  // <environment-sync>
  // </environment-sync>

  void providers;
  return {
    environmentName: config.environment,
    regions: config.regions,
    activeRegion: sites.active.region,
    passiveRegion: sites.passive.region,
    ...failover.outputs,
  };
}
