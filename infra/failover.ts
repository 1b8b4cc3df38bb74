/**
 * The `activeRegion` flip's wiring (called by `stack.ts`): the SSM parameter that tells the
 * applications and the database hosts' leases which region is active, the promotion of the
 * newly active database (after the previous region's parameter), and the failover records
 * that wait for it.
 */
import { ActiveRegionParameter } from "../components/activeRegionParameter";
import { FailoverDns } from "../components/failoverDns";
import { Promotion, type PromotionSite } from "../components/promotion";
import type { RegionAssignment, RegionSite } from "../domain/activeRegion";
import type { StackConfig } from "./config";
import type { RegionProviders } from "./regions";

export function declareFailover(config: StackConfig, sites: RegionAssignment, providers: RegionProviders) {
  const promotionSite = (site: RegionSite): PromotionSite => ({
    role: site.role,
    region: site.region,
    database: config.databases[site.role],
    adminPassword: config.databaseSecrets[site.role].adminPassword,
  });

  const activeRegionParameter = new ActiveRegionParameter("active-region", {
    environment: config.environment,
    activeRegion: sites.active.region,
    providers: providers.aws,
  });

  // The old primary's lease reads the parameter in its own region: the promotion starts only
  // once that copy names the new region (see Promotion's `after`).
  const promotion = new Promotion("promotion", {
    provider: providers.command,
    target: promotionSite(sites.active),
    previous: promotionSite(sites.passive),
    after: [activeRegionParameter.parameters[sites.passive.role]],
  });

  // Route53 is global; its health-check metrics (and alarms on them) live in us-east-1.
  const dns = new FailoverDns("failover-dns", {
    provider: providers.route53Metrics,
    zone: config.dnsZone,
    endpoints: config.endpoints,
    regions: config.regions,
    activeRole: sites.active.role,
    healthCheck: config.healthCheck,
    recordsDependOn: [promotion.command],
  });

  return {
    dns,
    promotion,
    activeRegionParameter,
    outputs: {
      activeRegionRole: sites.active.role,
      activeRegionParameter: activeRegionParameter.parameterName,
      failoverRecords: dns.failoverRecords,
      healthCheckIds: dns.healthCheckIds,
      worstCaseDnsFailoverSeconds: dns.worstCaseFailover.totalSeconds,
    },
  };
}
