/**
 * The `activeRegion` flip's wiring (called by `stack.ts`): the SSM parameter that tells the
 * applications which region is active, the flip of the database leader through Patroni
 * (components/patroniFlip: a switchover, or with `regionDown` a failover checked against the
 * RPO, asked of the newly active region's Patroni only), and DNS, which follows the
 * database leader by Route53 health checks alone: it depends on nothing the flip runs, and a
 * flip changes none of its resources.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ActiveRegionParameter } from "../components/activeRegionParameter";
import { FailoverDns, type DatabaseLeaderEndpoint } from "../components/failoverDns";
import { PatroniFlip } from "../components/patroniFlip";
import { PatroniRestCredentials } from "../components/patroniRestCredentials";
import { activeRegionCode, activeRole } from "../domain/activeRegion";
import { maximumLagOnFailoverBytes } from "../domain/patroni";
import * as aws from "../components/aws";
import { perRole, regionRoles, type RegionRole } from "../domain/topology";
import type { StackConfig } from "./config";
import type { RegionProviders } from "./regions";

/** Each region's Patroni REST API, where Route53 asks `GET /primary` (COORDINATION.md contract: `databases.<role>.pgHost`, port `patroni.restApiPort`). */
export function databaseLeaderEndpoints(config: Pick<StackConfig, "databases" | "patroni">): Record<RegionRole, DatabaseLeaderEndpoint> {
  return perRole((role) => ({ host: config.databases[role].pgHost, port: config.patroni.restApiPort }));
}

/**
 * Per database host with `restApiIngress`: the security-group rule that admits Route53's health
 * checkers (the AWS-managed prefix list `com.amazonaws.<region>.route53-healthchecks`, Route53
 * developer guide "IP address ranges of Amazon Route 53 servers") to Patroni's REST port, in the
 * host's region. Nothing here follows `activeRegion`: a flip calls no EC2 API.
 */
export function declareRestApiIngress(config: Pick<StackConfig, "databases" | "patroni">, providers: RegionProviders) {
  return regionRoles.flatMap((role) => {
    const ingress = config.databases[role].restApiIngress;
    if (!ingress) return [];
    return [
      new aws.vpc.SecurityGroupIngressRule(
        `patroni-rest-api-${role}`,
        {
          securityGroupId: ingress.securityGroupId,
          prefixListId: ingress.prefixListId,
          ipProtocol: "tcp",
          fromPort: config.patroni.restApiPort,
          toPort: config.patroni.restApiPort,
          description: "Route53 health checkers: Patroni GET /primary (DNS follows the database leader)",
        },
        { provider: providers.aws[role] },
      ),
    ];
  });
}

/** `tls`: the Patroni CA (infra/quorum.ts), which the flip trusts alone. */
export function declareFailover(config: StackConfig, providers: RegionProviders, tls: { caCertPem: pulumi.Input<string> }) {
  declareRestApiIngress(config, providers);
  const activeRegionParameter = new ActiveRegionParameter("active-region", {
    environment: config.environment,
    activeRegionCode: activeRegionCode(config),
    providers: providers.aws,
  });

  const restApi = new PatroniRestCredentials("patroni-rest", {
    environment: config.environment,
    secretsProvider: providers.aws.primary,
    secretReplicaRegion: config.regions.secondary,
    randomProvider: providers.random,
  });

  const candidate = activeRole(config);
  /**
   * Declares the flip after `after`: the candidate host's configure step (its `nofailover` lifted
   * and Patroni reloaded), declared in between by infra/backups.ts (COORDINATION.md contract).
   */
  const declareFlip = (after: pulumi.Resource[]) =>
    new PatroniFlip("patroni-flip", {
      provider: providers.command,
      candidate: { role: candidate, member: config.regions[candidate], host: config.databases[candidate].pgHost, port: config.patroni.restApiPort },
      regionDown: config.regionDown !== undefined,
      maxLagBytes: maximumLagOnFailoverBytes(config.recovery.databaseRpoMinutes),
      force: config.patroni.forceFailover,
      lockWaitSeconds: config.patroni.ttl + config.patroni.loopWait,
      restApiUser: restApi.username,
      restApiPassword: restApi.password,
      caCertPem: tls.caCertPem,
      after,
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
    declareFlip,
    restApi,
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
