/**
 * The `activeRegion` flip's wiring (called by `stack.ts`): the SSM parameter that tells the
 * applications and the database hosts' leases which region is active, the promotion of the
 * newly active database (after the previous region's parameter), and DNS, which follows the
 * database leader by Route53 health checks alone: it depends on nothing the flip runs, and a
 * flip changes none of its resources.
 */
import { ActiveRegionParameter } from "../components/activeRegionParameter";
import { FailoverDns, type DatabaseLeaderEndpoint } from "../components/failoverDns";
import { Promotion, type PromotionSite } from "../components/promotion";
import { activeRegionCode, activeRole, passiveRole } from "../domain/activeRegion";
import { perRole, type RegionRole } from "../domain/topology";
import { defaultPatroniRestApiPort } from "../domain/routingHealth";
import type { StackConfig } from "./config";
import type { RegionProviders } from "./regions";

/**
 * The regions whose active-region parameter the promotion waits for. The old primary's lease
 * reads the parameter in its own region, so the promotion starts only once that copy names the
 * new region. When the operator declares that region down (`regionDown`), its parameter cannot
 * be written and the promotion does not wait for it: promote.sh then waits out the lease bound
 * before promoting, so an old primary that is alive but cut off has fenced itself.
 */
export function promotionWaitsFor(config: Pick<StackConfig, "regionDown" | "activeRegion">): RegionRole[] {
  const previous = passiveRole(config);
  return config.regionDown === previous ? [] : [previous];
}

/** Each region's Patroni REST API, where Route53 asks `GET /primary` (COORDINATION.md contract: `databases.<role>.pgHost`, port `patroni.restApiPort`). */
export function databaseLeaderEndpoints(config: Pick<StackConfig, "databases">): Record<RegionRole, DatabaseLeaderEndpoint> {
  return perRole((role) => ({ host: config.databases[role].pgHost, port: defaultPatroniRestApiPort }));
}

export function declareFailover(config: StackConfig, providers: RegionProviders) {
  const promotionSite = (role: RegionRole): PromotionSite => ({
    role,
    region: config.regions[role],
    database: config.databases[role],
    adminPassword: config.databaseSecrets[role].adminPassword,
  });

  const activeRegionParameter = new ActiveRegionParameter("active-region", {
    environment: config.environment,
    activeRegionCode: activeRegionCode(config),
    providers: providers.aws,
  });

  const promotion = new Promotion("promotion", {
    provider: providers.command,
    target: promotionSite(activeRole(config)),
    previous: promotionSite(passiveRole(config)),
    after: promotionWaitsFor(config).map((role) => activeRegionParameter.parameters[role]),
  });

  // Route53 is global; its health-check metrics (and alarms on them) live in us-east-1.
  const dns = new FailoverDns("failover-dns", {
    provider: providers.route53Metrics,
    zone: config.dnsZone,
    endpoints: config.endpoints,
    databaseLeader: databaseLeaderEndpoints(config),
    regions: config.regions,
    healthCheck: config.healthCheck,
  });

  return {
    dns,
    promotion,
    activeRegionParameter,
    outputs: {
      activeRegionRole: activeRole(config),
      activeRegionParameter: activeRegionParameter.parameterName,
      failoverRecords: dns.failoverRecords,
      healthCheckIds: dns.healthCheckIds,
      leaderHealthCheckIds: dns.leaderHealthCheckIds,
      routingHealthCheckIds: dns.routingHealthCheckIds,
      /** Per hostname: detection (interval × threshold) + cache (TTL), in seconds. */
      worstCaseDnsFailover: dns.worstCaseFailover,
      /** The slowest hostname's worst case (the failover workflow's wait), in seconds. */
      worstCaseDnsFailoverSeconds: dns.worstCaseFailoverSeconds,
    },
  };
}
