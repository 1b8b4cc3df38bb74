/**
 * `FailoverDns`: Route53 failover for the `api` and `app` hostnames with records whose roles never
 * change (runbook "Multi-Region Failover": "Update DNS to point to secondary region").
 *
 * Per hostname and region role:
 * - an HTTPS endpoint check on the region's `/health` (`<name>-<host>-<role>`), always on: the
 *   `api-health` alarms and the dashboard read its `HealthCheckStatus`;
 * - a routing check (`<name>-<host>-<role>-routing`), CALCULATED over that endpoint check, which
 *   the record uses as its `healthCheckId`. The passive region's is disabled + inverted: Route53
 *   treats it as always unhealthy (`domain/routingHealth.ts` cites the rules);
 * - a failover record: the primary region's is always PRIMARY, the secondary's always SECONDARY,
 *   each with its region code as set identifier.
 *
 * A flip changes only `disabled`/`invertHealthcheck` of the two routing checks of each hostname,
 * in place, both fields of one check in one `UpdateHealthCheck` call (hashicorp/terraform-provider-aws
 * `internal/service/route53/health_check.go`: only `type`, `measure_latency`, `request_interval`,
 * `reference_name` and `routing_control_arn` are ForceNew). No record is written on a flip, so
 * Route53 never sees two PRIMARY records of one name (boto/boto3 #1347).
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { forcedUnhealthyRole, routingCheckState, routingUpdateOrder } from "../domain/routingHealth";
import { hostnameKeys, perRole, regionRoles, type Endpoint, type HostnameKey, type RegionRole } from "../domain/topology";
import { healthCheckDefaults } from "../domain/runbook";
import {
  failoverTypeOf,
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

export interface FailoverDnsArgs {
  /**
   * AWS provider for Route53 (zone lookup, health checks, records). Route53 is a global
   * service; pass the us-east-1 provider (`route53Metrics`), where the health checks'
   * CloudWatch metrics and their alarms live, so no region flip or region change moves them.
   */
  provider: aws.Provider;
  /** The hosted zone the records go into: by id when given, else looked up by name (public zone). */
  zone: {
    /** The zone's domain name, e.g. `crazy-gary.app`; the records are `api.<name>` and `app.<name>`. */
    name: string;
    /** The zone's id; skips the lookup by name. @default looked up by `name` */
    id?: string;
  };
  /**
   * Each hostname's endpoint per region role: `{hostname}` (CNAME records) or
   * `{loadBalancer: {dnsName, zoneId}}` (alias A records with evaluateTargetHealth). Both
   * regions of a hostname must be the same kind.
   */
  endpoints: Record<HostnameKey, Record<RegionRole, Endpoint>>;
  /** Region code per role; each record's set identifier is its region's code. */
  regions: Record<RegionRole, string>;
  /**
   * The role that serves traffic (the stack's `activeRegion`): its routing checks follow its
   * endpoints; the other role's are forced unhealthy. It decides no record's failover type.
   */
  activeRole: RegionRole;
  /** Health-check and TTL settings. */
  healthCheck: FailoverHealthCheckArgs;
  /**
   * Resources the routing checks wait for, e.g. the `Promotion` of the newly active database,
   * so DNS moves only after the database accepts writes.
   * @default [] (no extra dependencies)
   */
  routingDependsOn?: pulumi.Resource[];
}

/** One failover record as the stack exports it. */
export interface FailoverRecordSummary {
  setIdentifier: string;
  /** Fixed by the region role: primary's record PRIMARY, secondary's SECONDARY. */
  failoverType: FailoverType;
  /** The region's HTTPS endpoint check (what `aws route53 get-health-check-status` reads). */
  healthCheckId: pulumi.Output<string>;
  /** The record's own health check: the region's CALCULATED routing check. */
  routingHealthCheckId: pulumi.Output<string>;
  /** Whether the routing check is disabled + inverted, so Route53 never answers with this record's region. */
  forcedUnhealthy: boolean;
}

/** One hostname's failover as the stack exports it. */
export type FailoverHostnameSummary = { fqdn: string; forcedUnhealthyRole: RegionRole } & Record<RegionRole, FailoverRecordSummary>;

export class FailoverDns extends pulumi.ComponentResource {
  /** The hosted zone's id. */
  readonly zoneId: pulumi.Output<string>;
  /** Endpoint health-check id per hostname and region role (for alarms on `HealthCheckStatus`). */
  readonly healthCheckIds: Record<HostnameKey, Record<RegionRole, pulumi.Output<string>>>;
  /** Routing health-check id per hostname and region role (the records' `healthCheckId`). */
  readonly routingHealthCheckIds: Record<HostnameKey, Record<RegionRole, pulumi.Output<string>>>;
  /** The failover records per hostname and region role. */
  readonly records: Record<HostnameKey, Record<RegionRole, aws.route53.Record>>;
  /** Per hostname: its name, the region forced unhealthy, and both records' fixed role and checks. */
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
    const routingDependsOn = args.routingDependsOn ?? [];
    const childOpts = { parent: this, provider: args.provider };

    this.zoneId = args.zone.id
      ? pulumi.output(args.zone.id)
      : aws.route53.getZoneOutput({ name: args.zone.name, privateZone: false }, childOpts).zoneId;

    const perHostname = <T>(make: (host: HostnameKey) => T) => Object.fromEntries(hostnameKeys.map((h) => [h, make(h)])) as Record<HostnameKey, T>;

    // Endpoint checks: unchanged by any flip (names and inputs), so alarms and dashboard keep them.
    const endpointChecks = perHostname((host) =>
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
              requestInterval,
              failureThreshold,
              regions: [...args.healthCheck.checkerRegions],
              tags: { Name: `${name}-${host}-${role}`, Hostname: host, RegionRole: role },
            },
            { ...childOpts, protect: true },
          ),
      ),
    );
    this.healthCheckIds = perHostname((host) => perRole((role) => endpointChecks[host][role].id));

    // Routing checks, written in `routingUpdateOrder`: the newly active side's first (after the
    // promotion), the newly passive side's after it, so both are never forced unhealthy at once.
    // The order holds on `up`: the SDK registers a resource only after awaiting the URNs of its
    // dependsOn resources (@pulumi/pulumi 3.248 runtime/resource.js prepareResource ->
    // dependsOn.js getAllTransitivelyReferencedResourceURNs: `r.urn.promise()`), and a custom
    // resource's URN comes back in the engine's RegisterResource response, sent after its step ran.
    // This one edge follows activeRegion; it is an option, not an input, so it changes no
    // property of either check (the plan's diff of a flip shows only disabled/invertHealthcheck).
    const [activeRole, passiveRole] = routingUpdateOrder(args.activeRole);
    const routingChecks = perHostname((host) => {
      const declare = (role: RegionRole, after: pulumi.Resource[]) =>
        new aws.route53.HealthCheck(
          `${name}-${host}-${role}-routing`,
          {
            type: "CALCULATED",
            childHealthchecks: [endpointChecks[host][role].id],
            childHealthThreshold: 1,
            ...routingCheckState(role, args.activeRole),
            tags: { Name: `${name}-${host}-${role}-routing`, Hostname: host, RegionRole: role, Purpose: "failover-routing" },
          },
          { ...childOpts, protect: true, dependsOn: [...routingDependsOn, ...after] },
        );
      const active = declare(activeRole, []);
      const passive = declare(passiveRole, [active]);
      return perRole((role) => (role === activeRole ? active : passive));
    });
    this.routingHealthCheckIds = perHostname((host) => perRole((role) => routingChecks[host][role].id));

    // Records: nothing here depends on activeRegion, so a flip writes none of them. Both carry a
    // health check (a non-alias PRIMARY must; an alias with evaluateTargetHealth also needs the
    // routing check, or the passive side could not be forced unhealthy).
    this.records = perHostname((host) =>
      perRole((role) => {
        const shape = recordShape(args.endpoints[host][role], ttlSeconds);
        return new aws.route53.Record(
          `${name}-${host}-${role}`,
          {
            zoneId: this.zoneId,
            name: recordFqdn(host, args.zone.name),
            type: shape.type,
            ...(shape.kind === "cname" ? { ttl: shape.ttl, records: shape.records } : { aliases: shape.aliases }),
            setIdentifier: setIdentifierFor(args.regions[role]),
            failoverRoutingPolicies: [{ type: failoverTypeOf(role) }],
            healthCheckId: routingChecks[host][role].id,
          },
          // Protected: a deleted record leaves the hostname without an answer (policy protection-stateful-resources-protected).
          { ...childOpts, protect: true },
        );
      }),
    );

    this.failoverRecords = perHostname((host) => ({
      fqdn: recordFqdn(host, args.zone.name),
      forcedUnhealthyRole: forcedUnhealthyRole(args.activeRole),
      ...perRole((role) => ({
        setIdentifier: setIdentifierFor(args.regions[role]),
        failoverType: failoverTypeOf(role),
        healthCheckId: this.healthCheckIds[host][role],
        routingHealthCheckId: this.routingHealthCheckIds[host][role],
        forcedUnhealthy: role === forcedUnhealthyRole(args.activeRole),
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
      routingHealthCheckIds: this.routingHealthCheckIds,
      failoverRecords: this.failoverRecords,
      worstCaseFailover: this.worstCaseFailover,
      worstCaseFailoverSeconds: this.worstCaseFailoverSeconds,
    });
  }
}
