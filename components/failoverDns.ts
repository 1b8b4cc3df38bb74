/**
 * `FailoverDns`: Route53 failover for the `api` and `app` hostnames in which DNS follows the
 * database leader through Route53's data plane (runbook "Multi-Region Failover": "Update DNS to
 * point to secondary region"). Nothing here depends on `activeRegion`: a flip writes no Route53
 * resource and makes no Route53 API call (the control plane, hosted only in us-east-1; see
 * `domain/routingHealth.ts` for the rules and their sources).
 *
 * Named steps (SST style), each a function of the constructor:
 * - `createEndpointChecks`: per hostname and region role, an HTTPS check of the region's `/health`
 *   (`<name>-<host>-<role>`); the `api-health` alarms and the dashboard read its `HealthCheckStatus`;
 * - `createLeaderChecks`: per region role, an HTTPS check of that region's Patroni `GET /primary`
 *   (`<name>-database-<role>`), 200 only on the writable leader;
 * - `createRoutingChecks`: per hostname and region role, a CALCULATED check over the two
 *   (`<name>-<host>-<role>-routing`), healthy only while both are; the record's `healthCheckId`;
 * - `createRecords`: per hostname and region role, a failover record: the primary region's always
 *   PRIMARY, the secondary's always SECONDARY, each with its region code as set identifier.
 *
 * The worst case after the new primary is writable (`domain/failoverRouting.ts`
 * `worstCaseDnsFailover`): request interval × failure threshold (the checks see the new leader,
 * Route53's 18 % rule in `domain/healthCheckers.ts`) + the answer's cache time.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { failoverTypeOf, leaderHealthPath, routingChildHealthThreshold } from "../domain/routingHealth";
import { hostnameKeys, perRole, regionRoles, type Endpoint, type HostnameKey, type RegionRole } from "../domain/topology";
import { healthCheckDefaults } from "../domain/runbook";
import {
  healthCheckFqdn,
  recordFqdn,
  recordShape,
  setIdentifierFor,
  slowestFailover,
  validateEndpointPairs,
  worstCaseDnsFailover,
  type FailoverTimeBreakdown,
  type FailoverType,
} from "../domain/failoverRouting";

export const failoverDnsType = "crazygary:dr:FailoverDns";

/** Route53 HTTPS health-check settings. */
export interface FailoverHealthCheckArgs {
  /**
   * Seconds between checks from each checker region; Route53 allows 10 or 30.
   * @default 10 (domain/runbook.ts healthCheckDefaults)
   */
  requestIntervalSeconds?: 10 | 30;
  /**
   * Consecutive failed (or passed) checks before an endpoint's status changes, 1 to 10.
   * @default 2 (domain/runbook.ts healthCheckDefaults)
   */
  failureThreshold?: number;
  /**
   * TTL of the CNAME failover records, in seconds (alias records have none of their own).
   * @default 30 (domain/runbook.ts healthCheckDefaults)
   */
  ttlSeconds?: number;
  /**
   * Regions Route53 checks from; at least 3.
   * @example ["us-east-1", "us-west-2", "eu-west-1"]
   */
  checkerRegions: readonly string[];
}

/** Where Route53 asks a region's Patroni whether it is the leader. */
export interface DatabaseLeaderEndpoint {
  /** Host name of the region's Patroni REST API (the database host's `pgHost`), reachable by Route53's checkers. */
  host: string;
  /** Port of the Patroni REST API (HTTPS with the member's certificate from the stack's Patroni CA; Route53 does not validate it). No default: the caller passes `patroni.restApiPort`. */
  port: number;
}

export interface FailoverDnsArgs {
  /**
   * AWS provider for Route53 (health checks, records). Route53 is a global service; pass the
   * us-east-1 provider (`route53Metrics`), where the health checks' CloudWatch metrics and their
   * alarms live. A flip calls it for nothing: no input here follows `activeRegion`.
   */
  provider: aws.Provider;
  /** The hosted zone the records go into, by id: no lookup (a lookup is a Route53 control-plane call on every run). */
  zone: {
    /** The zone's domain name, e.g. `crazy-gary.app`; the records are `api.<name>` and `app.<name>`. */
    name: string;
    /** The zone's id, e.g. `Z0123456789ABCDEFGHIJ`. */
    id: string;
  };
  /**
   * Each hostname's endpoint per region role: `{hostname}` (CNAME records) or
   * `{loadBalancer: {dnsName, zoneId}}` (alias A records with evaluateTargetHealth). Both
   * regions of a hostname must be the same kind.
   */
  endpoints: Record<HostnameKey, Record<RegionRole, Endpoint>>;
  /** Each region role's Patroni REST API, probed by `GET /primary`. */
  databaseLeader: Record<RegionRole, DatabaseLeaderEndpoint>;
  /** Region code per role; each record's set identifier is its region's code. */
  regions: Record<RegionRole, string>;
  /** Health-check and TTL settings. */
  healthCheck: FailoverHealthCheckArgs;
}

/** One failover record as the stack exports it. */
export interface FailoverRecordSummary {
  setIdentifier: string;
  /** Fixed by the region role: primary's record PRIMARY, secondary's SECONDARY. */
  failoverType: FailoverType;
  /** The region's HTTPS endpoint check (what `aws route53 get-health-check-status` reads). */
  healthCheckId: pulumi.Output<string>;
  /** The region's Patroni `GET /primary` check. */
  leaderHealthCheckId: pulumi.Output<string>;
  /** The record's own health check: the region's CALCULATED routing check. */
  routingHealthCheckId: pulumi.Output<string>;
}

/** One hostname's failover as the stack exports it. */
export type FailoverHostnameSummary = { fqdn: string } & Record<RegionRole, FailoverRecordSummary>;

const perHostname = <T>(make: (host: HostnameKey) => T) => Object.fromEntries(hostnameKeys.map((h) => [h, make(h)])) as Record<HostnameKey, T>;

export class FailoverDns extends pulumi.ComponentResource {
  /** The hosted zone's id. */
  readonly zoneId: pulumi.Output<string>;
  /** Endpoint health-check id per hostname and region role (for alarms on `HealthCheckStatus`). */
  readonly healthCheckIds: Record<HostnameKey, Record<RegionRole, pulumi.Output<string>>>;
  /** Patroni leader health-check id per region role. */
  readonly leaderHealthCheckIds: Record<RegionRole, pulumi.Output<string>>;
  /** Routing health-check id per hostname and region role (the records' `healthCheckId`). */
  readonly routingHealthCheckIds: Record<HostnameKey, Record<RegionRole, pulumi.Output<string>>>;
  /** The failover records per hostname and region role. */
  readonly records: Record<HostnameKey, Record<RegionRole, aws.route53.Record>>;
  /** Per hostname: its name and both records' fixed role and checks. */
  readonly failoverRecords: Record<HostnameKey, FailoverHostnameSummary>;
  /** Worst-case DNS failover per hostname, in seconds, by term. */
  readonly worstCaseFailover: Record<HostnameKey, FailoverTimeBreakdown>;
  /** The slowest hostname's worst case, in seconds. */
  readonly worstCaseFailoverSeconds: number;

  constructor(name: string, args: FailoverDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(failoverDnsType, name, {}, opts);
    validateEndpointPairs(args.endpoints);
    if (args.healthCheck.checkerRegions.length < 3) {
      throw new Error(`FailoverDns healthCheck.checkerRegions: ${JSON.stringify(args.healthCheck.checkerRegions)} has fewer than 3 regions; Route53 needs at least 3`);
    }
    const requestInterval = args.healthCheck.requestIntervalSeconds ?? healthCheckDefaults.requestIntervalSeconds;
    const failureThreshold = args.healthCheck.failureThreshold ?? healthCheckDefaults.failureThreshold;
    const ttlSeconds = args.healthCheck.ttlSeconds ?? healthCheckDefaults.ttlSeconds;
    const regions = [...args.healthCheck.checkerRegions];
    // Protected: a deleted check or record leaves the hostname without failover (policy protection-stateful-resources-protected).
    const childOpts = { parent: this, provider: args.provider, protect: true };
    const timing = { requestInterval, failureThreshold, regions };

    this.zoneId = pulumi.output(args.zone.id);
    const endpointChecks = createEndpointChecks();
    const leaderChecks = createLeaderChecks();
    const routingChecks = createRoutingChecks();
    this.records = createRecords(this.zoneId);

    this.healthCheckIds = perHostname((host) => perRole((role) => endpointChecks[host][role].id));
    this.leaderHealthCheckIds = perRole((role) => leaderChecks[role].id);
    this.routingHealthCheckIds = perHostname((host) => perRole((role) => routingChecks[host][role].id));
    this.failoverRecords = perHostname((host) => ({
      fqdn: recordFqdn(host, args.zone.name),
      ...perRole((role) => ({
        setIdentifier: setIdentifierFor(args.regions[role]),
        failoverType: failoverTypeOf(role),
        healthCheckId: this.healthCheckIds[host][role],
        leaderHealthCheckId: this.leaderHealthCheckIds[role],
        routingHealthCheckId: this.routingHealthCheckIds[host][role],
      })),
    }));
    this.worstCaseFailover = perHostname((host) =>
      worstCaseDnsFailover(
        { requestIntervalSeconds: requestInterval, failureThreshold },
        regionRoles.map((role) => recordShape(args.endpoints[host][role], ttlSeconds)),
      ),
    );
    this.worstCaseFailoverSeconds = slowestFailover(this.worstCaseFailover);

    this.registerOutputs({
      zoneId: this.zoneId,
      healthCheckIds: this.healthCheckIds,
      leaderHealthCheckIds: this.leaderHealthCheckIds,
      routingHealthCheckIds: this.routingHealthCheckIds,
      failoverRecords: this.failoverRecords,
      worstCaseFailover: this.worstCaseFailover,
      worstCaseFailoverSeconds: this.worstCaseFailoverSeconds,
    });

    function createEndpointChecks() {
      return perHostname((host) =>
        perRole(
          (role) =>
            new aws.route53.HealthCheck(
              `${name}-${host}-${role}`,
              {
                type: "HTTPS",
                fqdn: healthCheckFqdn(args.endpoints[host][role]),
                port: 443,
                resourcePath: "/health",
                enableSni: true,
                measureLatency: true,
                ...timing,
                tags: { Name: `${name}-${host}-${role}`, Hostname: host, RegionRole: role },
              },
              childOpts,
            ),
        ),
      );
    }

    function createLeaderChecks() {
      return perRole(
        (role) =>
          new aws.route53.HealthCheck(
            `${name}-database-${role}`,
            {
              type: "HTTPS",
              fqdn: args.databaseLeader[role].host,
              port: args.databaseLeader[role].port,
              resourcePath: leaderHealthPath,
              enableSni: true,
              ...timing,
              tags: { Name: `${name}-database-${role}`, RegionRole: role, Purpose: "database-leader" },
            },
            childOpts,
          ),
      );
    }

    function createRoutingChecks() {
      return perHostname((host) =>
        perRole(
          (role) =>
            new aws.route53.HealthCheck(
              `${name}-${host}-${role}-routing`,
              {
                type: "CALCULATED",
                childHealthchecks: [endpointChecks[host][role].id, leaderChecks[role].id],
                childHealthThreshold: routingChildHealthThreshold,
                tags: { Name: `${name}-${host}-${role}-routing`, Hostname: host, RegionRole: role, Purpose: "failover-routing" },
              },
              childOpts,
            ),
        ),
      );
    }

    function createRecords(zoneId: pulumi.Output<string>) {
      return perHostname((host) =>
        perRole((role) => {
          const shape = recordShape(args.endpoints[host][role], ttlSeconds);
          return new aws.route53.Record(
            `${name}-${host}-${role}`,
            {
              zoneId,
              name: recordFqdn(host, args.zone.name),
              type: shape.type,
              ...(shape.kind === "cname" ? { ttl: shape.ttl, records: shape.records } : { aliases: shape.aliases }),
              setIdentifier: setIdentifierFor(args.regions[role]),
              failoverRoutingPolicies: [{ type: failoverTypeOf(role) }],
              // A non-alias PRIMARY must carry a health check; an alias with evaluateTargetHealth
              // also needs the routing check, or it would not follow the database leader.
              healthCheckId: routingChecks[host][role].id,
            },
            childOpts,
          );
        }),
      );
    }
  }
}
