/**
 * Failover rules: DNS can fail over on its own, fast enough. Every failover record has a
 * health check; each name has exactly one PRIMARY and one SECONDARY, each with its own check;
 * and the worst case from an outage to clients reaching the other region (detection:
 * request interval × failure threshold, then the DNS answer's TTL) fits in the RTO of the
 * service behind the name.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { stackPolicy } from "./define";
import { resolveSettings, type RecoverySettings } from "./settings";
import { knownString, peek, refersTo } from "./stackView";

export const failoverPolicyNames = {
  recordHealthCheck: "failover-record-health-check",
  primarySecondaryPair: "failover-primary-secondary-pair",
  detectionWithinRto: "failover-detection-within-rto",
} as const;

export const recordType = "aws:route53/record:Record";
export const healthCheckType = "aws:route53/healthCheck:HealthCheck";

/**
 * An alias record has no TTL of its own: resolvers cache its answer for the target's TTL,
 * 60 s for Elastic Load Balancing names.
 */
export const aliasAnswerTtlSeconds = 60;
/** Route53's defaults when a health check leaves them unset. */
export const route53Defaults = { requestIntervalSeconds: 30, failureThreshold: 3 } as const;

/** Records with a failover routing policy. */
export function failoverRecords(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === recordType && Array.isArray(r.props.failoverRoutingPolicies) && r.props.failoverRoutingPolicies.length > 0);
}

export const failoverTypeOf = (record: PolicyResource): string | undefined => record.props.failoverRoutingPolicies?.[0]?.type;

/** The health check a record uses: the declared resource, "external" (an id not declared here), or none. */
export function healthCheckOf(resources: readonly PolicyResource[], record: PolicyResource): PolicyResource | "pending" | "external" | undefined {
  const checks = resources.filter((r) => r.type === healthCheckType);
  const declared = checks.find((check) => refersTo(record, "healthCheckId", check, knownString(peek(() => check.props.id))));
  if (declared) return declared;
  if ((record.propertyDependencies?.healthCheckId ?? []).length > 0) return "pending";
  return knownString(peek(() => record.props.healthCheckId)) ? "external" : undefined;
}

const nameKey = (record: PolicyResource) => `${record.props.zoneId ?? "?"}|${record.props.name}|${record.props.type}`;

/** The RTO of the service a record name serves, in minutes: `api`, `app` (the web app), else the stricter of the two. */
export function rtoMinutesFor(name: string, settings: RecoverySettings): { minutes: number; service: string } {
  const label = String(name).split(".")[0];
  if (label === "api") return { minutes: settings.apiRtoMinutes, service: "API" };
  if (label === "app") return { minutes: settings.webRtoMinutes, service: "web app" };
  return { minutes: Math.min(settings.apiRtoMinutes, settings.webRtoMinutes), service: "unknown service (strictest RTO)" };
}

/** Worst-case seconds from an endpoint failing to clients receiving the other one. */
export function worstCaseFailoverSeconds(healthCheck: PolicyResource, record: PolicyResource): { seconds: number; detection: number; ttl: number } {
  const interval = healthCheck.props.requestInterval ?? route53Defaults.requestIntervalSeconds;
  const threshold = healthCheck.props.failureThreshold ?? route53Defaults.failureThreshold;
  const ttl = record.props.ttl ?? (Array.isArray(record.props.aliases) && record.props.aliases.length > 0 ? aliasAnswerTtlSeconds : 0);
  return { seconds: interval * threshold + ttl, detection: interval * threshold, ttl };
}

function checkHealthChecks(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    if (healthCheckOf(resources, record) === undefined) {
      report(`failover record ${record.props.name} (${failoverTypeOf(record)}, set ${record.props.setIdentifier}) has no health check; Route53 would never fail over from it: set healthCheckId`, record.urn);
    }
  }
}

function checkPairs(resources: readonly PolicyResource[], report: ReportViolation): void {
  const byName = new Map<string, PolicyResource[]>();
  if (failoverRecords(resources).length === 0) report("the stack declares no Route53 failover records; DNS cannot move clients to the other region (declare FailoverDns)");
  for (const record of failoverRecords(resources)) byName.set(nameKey(record), [...(byName.get(nameKey(record)) ?? []), record]);
  for (const records of byName.values()) {
    const { name, type } = records[0].props;
    const primaries = records.filter((r) => failoverTypeOf(r) === "PRIMARY");
    const secondaries = records.filter((r) => failoverTypeOf(r) === "SECONDARY");
    if (primaries.length !== 1 || secondaries.length !== 1) {
      report(`${name} (${type}) has ${primaries.length} PRIMARY and ${secondaries.length} SECONDARY failover records; it needs exactly one of each`, records[0].urn);
      continue;
    }
    const [primaryCheck, secondaryCheck] = [primaries[0], secondaries[0]].map((r) => healthCheckOf(resources, r));
    if (typeof primaryCheck === "object" && primaryCheck === secondaryCheck) {
      report(`${name} (${type}): PRIMARY and SECONDARY share health check ${primaryCheck.name}; each record needs the health check of its own region's endpoint`, secondaries[0].urn);
    }
  }
}

function checkDetection(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    const check = healthCheckOf(resources, record);
    if (typeof check !== "object") continue;
    const { seconds, detection, ttl } = worstCaseFailoverSeconds(check, record);
    const rto = rtoMinutesFor(record.props.name, settings);
    if (seconds > rto.minutes * 60) {
      report(
        `failover record ${record.props.name} (${failoverTypeOf(record)}) fails over in up to ${seconds} s (detection ${detection} s = request interval × failure threshold of ${check.name}, plus TTL ${ttl} s), more than the ${rto.service} RTO of ${rto.minutes} min; shorten the interval, the threshold or the TTL`,
        record.urn,
      );
    }
  }
}

/** The failover policies, with the runbook's RTOs tightened by `overrides` (validated). */
export function createFailoverPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  return [
    stackPolicy({ name: failoverPolicyNames.recordHealthCheck, description: "Every Route53 failover record has a health check.", settings: [] }, settings, (r, _s, report) => checkHealthChecks(r, report)),
    stackPolicy(
      { name: failoverPolicyNames.primarySecondaryPair, description: "Each failover name has exactly one PRIMARY and one SECONDARY record, each with its own health check.", settings: [] },
      settings,
      (r, _s, report) => checkPairs(r, report),
    ),
    stackPolicy(
      { name: failoverPolicyNames.detectionWithinRto, description: "Worst-case DNS failover (interval × failure threshold + TTL) fits in the RTO of the service behind each name.", settings: ["apiRtoMinutes", "webRtoMinutes"] },
      settings,
      checkDetection,
    ),
  ];
}
