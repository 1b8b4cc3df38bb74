/**
 * `FailoverDns`: Route53 HTTPS health checks on each region's `/health`, and per hostname
 * (`api`, `app`) a pair of failover records: PRIMARY for the active region, SECONDARY for
 * the other (runbook "Multi-Region Failover": "Update DNS to point to secondary region").
 *
 * Every child is named by hostname and region ROLE and every set identifier is a region
 * code, so flipping `activeRegion` changes only the records' failover types (and the order
 * in which they are updated), never a name or a health check.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostnameKeys, otherRole, regionRoles, type Endpoint, type HostnameKey, type RegionRole } from "../domain/topology";
import { healthCheckDefaults } from "../domain/runbook";
import {
  failoverTypeFor,
  healthCheckFqdn,
  recordFqdn,
  recordShape,
  setIdentifierFor,
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
   * @default 10 (domain/runbook.ts healthCheckDefaults, chosen for the API's 10-minute RTO)
   */
  requestIntervalSeconds?: 10 | 30;
  /**
   * Consecutive failed checks before an endpoint is unhealthy, 1 to 10.
   * @default 3 (domain/runbook.ts healthCheckDefaults)
   */
  failureThreshold?: number;
  /**
   * TTL of the CNAME failover records, in seconds (alias records have none of their own).
   * @default 60 (domain/runbook.ts healthCheckDefaults)
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
  /** The role whose records are PRIMARY (the stack's `activeRegion`). */
  activeRole: RegionRole;
  /** Health-check and TTL settings. */
  healthCheck: FailoverHealthCheckArgs;
  /**
   * Resources every failover record waits for, e.g. the `Promotion` of the newly active
   * database, so DNS moves only after the database accepts writes.
   * @default [] (no extra dependencies)
   */
  recordsDependOn?: pulumi.Resource[];
}

/** One failover record as the stack exports it. */
export interface FailoverRecordSummary {
  setIdentifier: string;
  failoverType: FailoverType;
  healthCheckId: pulumi.Output<string>;
}

export class FailoverDns extends pulumi.ComponentResource {
  /** The hosted zone's id. */
  readonly zoneId: pulumi.Output<string>;
  /** Health-check id per hostname and region role (for alarms on `HealthCheckStatus`). */
  readonly healthCheckIds: Record<HostnameKey, Record<RegionRole, pulumi.Output<string>>>;
  /** The failover records per hostname and region role. */
  readonly records: Record<HostnameKey, Record<RegionRole, aws.route53.Record>>;
  /** Per hostname: its name and both records' set identifier, failover type and health check. */
  readonly failoverRecords: Record<HostnameKey, { fqdn: string } & Record<RegionRole, FailoverRecordSummary>>;
  /** Worst-case DNS failover time the declared health checks and TTLs imply, in seconds. */
  readonly worstCaseFailover: FailoverTimeBreakdown;

  constructor(name: string, args: FailoverDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(failoverDnsType, name, {}, opts);
    validateEndpointPairs(args.endpoints);
    if (args.healthCheck.checkerRegions.length < 3) {
      throw new Error(`FailoverDns healthCheck.checkerRegions: ${JSON.stringify(args.healthCheck.checkerRegions)} has fewer than 3 regions; Route53 needs at least 3`);
    }
    const requestInterval = args.healthCheck.requestIntervalSeconds ?? healthCheckDefaults.requestIntervalSeconds;
    const failureThreshold = args.healthCheck.failureThreshold ?? healthCheckDefaults.failureThreshold;
    const ttlSeconds = args.healthCheck.ttlSeconds ?? healthCheckDefaults.ttlSeconds;
    const recordsDependOn = args.recordsDependOn ?? [];
    const childOpts = { parent: this, provider: args.provider };

    this.zoneId = args.zone.id
      ? pulumi.output(args.zone.id)
      : aws.route53.getZoneOutput({ name: args.zone.name, privateZone: false }, childOpts).zoneId;

    const perHostname = <T>(make: (host: HostnameKey) => T) => Object.fromEntries(hostnameKeys.map((h) => [h, make(h)])) as Record<HostnameKey, T>;
    const perRole = <T>(make: (role: RegionRole) => T) => Object.fromEntries(regionRoles.map((r) => [r, make(r)])) as Record<RegionRole, T>;

    const healthChecks = perHostname((host) =>
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
    this.healthCheckIds = perHostname((host) => perRole((role) => healthChecks[host][role].id));

    const declareRecord = (host: HostnameKey, role: RegionRole, writtenAfter: pulumi.Resource[]) => {
      const shape = recordShape(args.endpoints[host][role], ttlSeconds);
      return new aws.route53.Record(
        `${name}-${host}-${role}`,
        {
          zoneId: this.zoneId,
          name: recordFqdn(host, args.zone.name),
          type: shape.type,
          ...(shape.kind === "cname" ? { ttl: shape.ttl, records: shape.records } : { aliases: shape.aliases }),
          setIdentifier: setIdentifierFor(args.regions[role]),
          failoverRoutingPolicies: [{ type: failoverTypeFor(role, args.activeRole) }],
          healthCheckId: healthChecks[host][role].id,
        },
        // Protected: a deleted record leaves the hostname without an answer (policy protection-stateful-resources-protected).
        { ...childOpts, protect: true, dependsOn: [...recordsDependOn, ...writtenAfter] },
      );
    };
    // The record that becomes PRIMARY is written after the one that becomes SECONDARY, so a
    // flip never has two PRIMARY records for one name, even for a moment.
    const passiveRole = otherRole(args.activeRole);
    const records = perHostname((host) => {
      const secondary = declareRecord(host, passiveRole, []);
      const primary = declareRecord(host, args.activeRole, [secondary]);
      return { [passiveRole]: secondary, [args.activeRole]: primary } as Record<RegionRole, aws.route53.Record>;
    });
    this.records = records;

    this.failoverRecords = perHostname((host) => ({
      fqdn: recordFqdn(host, args.zone.name),
      ...perRole((role) => ({
        setIdentifier: setIdentifierFor(args.regions[role]),
        failoverType: failoverTypeFor(role, args.activeRole),
        healthCheckId: this.healthCheckIds[host][role],
      })),
    }));
    this.worstCaseFailover = worstCaseDnsFailover(
      { requestIntervalSeconds: requestInterval, failureThreshold },
      hostnameKeys.flatMap((host) => regionRoles.map((role) => recordShape(args.endpoints[host][role], ttlSeconds))),
    );

    this.registerOutputs({
      zoneId: this.zoneId,
      healthCheckIds: this.healthCheckIds,
      failoverRecords: this.failoverRecords,
      worstCaseFailoverSeconds: this.worstCaseFailover.totalSeconds,
    });
  }
}
