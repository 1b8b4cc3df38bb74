/**
 * Failover rules: DNS follows the database leader by health checks alone, never by rewriting a
 * record or a check. Each failover name has exactly one PRIMARY and one SECONDARY record, each
 * with its own ROUTING check: a CALCULATED check over its own region's endpoint check and its
 * region's database leader check (Patroni `GET /primary`), all children required. The records'
 * roles are fixed to region roles (the primary region's record is PRIMARY). No routing check is
 * disabled or inverted (that would take the decision from the checks back to a control-plane
 * call). The worst case from the new primary being writable to clients reaching its region
 * (detection: request interval × failure threshold of the slowest child, then the answer's TTL)
 * fits in the RTO of the service behind the name. `domain/routingHealth.ts` cites the Route53 rules.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { failoverTypeOf, leaderHealthPath, type RegionRole } from "../domain/routingHealth";
import { stackPolicy } from "./define";
import { resolveSettings, type RecoverySettings } from "./settings";
import { knownString, peek, refersTo } from "./stackView";

export const failoverPolicyNames = {
  recordHealthCheck: "failover-record-health-check",
  routingCheck: "failover-routing-check",
  primarySecondaryPair: "failover-primary-secondary-pair",
  fixedRoles: "failover-fixed-roles",
  routingFollowsLeader: "failover-routing-follows-leader",
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

export const failoverTypeOfRecord = (record: PolicyResource): string | undefined => record.props.failoverRoutingPolicies?.[0]?.type;

const checkIdOf = (check: PolicyResource) => knownString(peek(() => check.props.id));

/** The declared health check `resource.<property>` names, "pending" (declared, id not known yet), "external", or none. */
function referencedCheck(resources: readonly PolicyResource[], resource: PolicyResource, property: string, value: unknown): PolicyResource | "pending" | "external" | undefined {
  const checks = resources.filter((r) => r.type === healthCheckType);
  const declared = checks.find((check) => refersTo(resource, property, check, checkIdOf(check)));
  if (declared) return declared;
  if ((resource.propertyDependencies?.[property] ?? []).length > 0) return "pending";
  return knownString(value) ? "external" : undefined;
}

/** The health check a record uses: the declared resource, "external" (an id not declared here), or none. */
export function healthCheckOf(resources: readonly PolicyResource[], record: PolicyResource): PolicyResource | "pending" | "external" | undefined {
  return referencedCheck(resources, record, "healthCheckId", peek(() => record.props.healthCheckId));
}

/** The declared checks a CALCULATED check aggregates, in its `childHealthchecks` order. */
export function childChecksOf(resources: readonly PolicyResource[], check: PolicyResource): PolicyResource[] {
  const ids: unknown[] = peek(() => check.props.childHealthchecks) ?? [];
  const byDependency = (check.propertyDependencies?.childHealthchecks ?? []).map((d) => d.urn);
  const position = (r: PolicyResource) => Math.max(byDependency.indexOf(r.urn), ids.indexOf(checkIdOf(r)));
  return resources.filter((r) => r.type === healthCheckType && position(r) >= 0).sort((a, b) => position(a) - position(b));
}

/** Where a record sends clients: its CNAME target or its alias's DNS name. */
const recordTarget = (record: PolicyResource): string | undefined =>
  knownString(peek(() => record.props.records?.[0])) ?? knownString(peek(() => record.props.aliases?.[0]?.name));

const nameKey = (record: PolicyResource) => `${record.props.zoneId ?? "?"}|${record.props.name}|${record.props.type}`;
const label = (record: PolicyResource) => `failover record ${record.props.name} (${failoverTypeOfRecord(record)}, set ${record.props.setIdentifier})`;

/** The RTO of the service a record name serves, in minutes: `api`, `app` (the web app), else the stricter of the two. */
export function rtoMinutesFor(name: string, settings: RecoverySettings): { minutes: number; service: string } {
  const first = String(name).split(".")[0];
  if (first === "api") return { minutes: settings.apiRtoMinutes, service: "API" };
  if (first === "app") return { minutes: settings.webRtoMinutes, service: "web app" };
  return { minutes: Math.min(settings.apiRtoMinutes, settings.webRtoMinutes), service: "unknown service (strictest RTO)" };
}

/**
 * Worst-case seconds from an endpoint's status change to clients receiving the right region:
 * the slowest endpoint check behind the record's check (itself, or a CALCULATED check's children)
 * interval × threshold, plus the answer's TTL.
 */
export function worstCaseFailoverSeconds(endpointChecks: readonly PolicyResource[], record: PolicyResource): { seconds: number; detection: number; ttl: number } {
  const detection = Math.max(
    0,
    ...endpointChecks.map((c) => (c.props.requestInterval ?? route53Defaults.requestIntervalSeconds) * (c.props.failureThreshold ?? route53Defaults.failureThreshold)),
  );
  const ttl = record.props.ttl ?? (Array.isArray(record.props.aliases) && record.props.aliases.length > 0 ? aliasAnswerTtlSeconds : 0);
  return { seconds: detection + ttl, detection, ttl };
}

/** The failover records grouped by name and type. */
function pairs(resources: readonly PolicyResource[]): PolicyResource[][] {
  const byName = new Map<string, PolicyResource[]>();
  for (const record of failoverRecords(resources)) byName.set(nameKey(record), [...(byName.get(nameKey(record)) ?? []), record]);
  return [...byName.values()];
}

function checkHealthChecks(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    if (healthCheckOf(resources, record) === undefined) report(`${label(record)} has no health check; Route53 would never fail over from it: set healthCheckId`, record.urn);
  }
}

/** A database leader check: HTTPS on the Patroni REST API's `GET /primary`. */
export const isLeaderCheck = (check: PolicyResource): boolean => check.props.resourcePath === leaderHealthPath;

function checkRoutingChecks(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    const check = healthCheckOf(resources, record);
    if (typeof check !== "object") continue;
    if (check.props.type !== "CALCULATED") {
      report(
        `${label(record)} uses ${check.name} (type ${check.props.type}) as its health check; it needs a CALCULATED routing check over its region's endpoint check and database leader check, so DNS follows the database leader without rewriting the record`,
        record.urn,
      );
      continue;
    }
    const children = childChecksOf(resources, check);
    const endpoints = children.filter((c) => !isLeaderCheck(c));
    const target = recordTarget(record);
    const own = endpoints.filter((c) => target === undefined || knownString(c.props.fqdn) === undefined || c.props.fqdn === target);
    if (endpoints.length === 0 || own.length !== endpoints.length) {
      report(
        `routing check ${check.name} of ${label(record)} aggregates ${endpoints.map((c) => `${c.name} (${c.props.fqdn})`).join(", ") || "no declared endpoint check"}; it must aggregate the endpoint check of the record's own target ${target ?? ""}`.trimEnd(),
        check.urn,
      );
    }
  }
}

function checkPairs(resources: readonly PolicyResource[], report: ReportViolation): void {
  if (failoverRecords(resources).length === 0) report("the stack declares no Route53 failover records; DNS cannot move clients to the other region (declare FailoverDns)");
  for (const records of pairs(resources)) {
    const { name, type } = records[0].props;
    const primaries = records.filter((r) => failoverTypeOfRecord(r) === "PRIMARY");
    const secondaries = records.filter((r) => failoverTypeOfRecord(r) === "SECONDARY");
    if (primaries.length !== 1 || secondaries.length !== 1) {
      report(`${name} (${type}) has ${primaries.length} PRIMARY and ${secondaries.length} SECONDARY failover records; it needs exactly one of each`, records[0].urn);
      continue;
    }
    const [primaryCheck, secondaryCheck] = [primaries[0], secondaries[0]].map((r) => healthCheckOf(resources, r));
    if (typeof primaryCheck === "object" && primaryCheck === secondaryCheck) {
      report(`${name} (${type}): PRIMARY and SECONDARY share health check ${primaryCheck.name}; each record needs the routing check of its own region`, secondaries[0].urn);
    }
  }
}

function checkFixedRoles(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    const check = healthCheckOf(resources, record);
    if (typeof check !== "object") continue;
    const role = knownString(peek(() => check.props.tags?.RegionRole));
    if (role !== "primary" && role !== "secondary") {
      report(`health check ${check.name} of ${label(record)} has no RegionRole tag (primary or secondary); the record's failover role cannot be checked against its region`, check.urn);
      continue;
    }
    const expected = failoverTypeOf(role as RegionRole);
    if (failoverTypeOfRecord(record) !== expected) {
      report(
        `${label(record)} points at the ${role} region (health check ${check.name}) but is ${failoverTypeOfRecord(record)}; the ${role} region's record must always be ${expected}: flip activeRegion through the routing checks, never by rewriting failover types (Route53 refuses the swap)`,
        record.urn,
      );
    }
  }
}

function checkFollowsLeader(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    const check = healthCheckOf(resources, record);
    if (typeof check !== "object" || check.props.type !== "CALCULATED") continue;
    if (check.props.disabled === true || check.props.invertHealthcheck === true) {
      report(
        `routing check ${check.name} of ${label(record)} is ${[check.props.disabled === true && "disabled", check.props.invertHealthcheck === true && "inverted"].filter(Boolean).join(" and ")}; DNS must follow the database leader by the checks' status alone: set neither (changing them is a Route53 control-plane call, hosted only in us-east-1)`,
        check.urn,
      );
    }
    const children = childChecksOf(resources, check);
    const role = knownString(peek(() => check.props.tags?.RegionRole));
    const leaders = children.filter(isLeaderCheck);
    const ownLeader = leaders.filter((c) => role === undefined || knownString(peek(() => c.props.tags?.RegionRole)) === role);
    if (leaders.length !== 1 || ownLeader.length !== 1) {
      report(
        `routing check ${check.name} of ${label(record)} aggregates ${leaders.length === 0 ? "no database leader check" : leaders.map((c) => `${c.name} (${c.props.tags?.RegionRole ?? "no RegionRole"})`).join(", ")}; it needs exactly one: its own region's HTTPS ${leaderHealthPath} check of Patroni, so the record is healthy only while that region's database is the leader`,
        check.urn,
      );
    }
    const threshold = peek(() => check.props.childHealthThreshold);
    const declared = (peek(() => check.props.childHealthchecks) ?? []) as unknown[];
    if (typeof threshold === "number" && declared.length > 0 && threshold !== declared.length) {
      report(
        `routing check ${check.name} of ${label(record)} is healthy with ${threshold} of its ${declared.length} children; set childHealthThreshold to ${declared.length}: the region's endpoint AND its database leader must both be healthy`,
        check.urn,
      );
    }
  }
}

function checkDetection(resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation): void {
  for (const record of failoverRecords(resources)) {
    const check = healthCheckOf(resources, record);
    if (typeof check !== "object") continue;
    const endpoints = check.props.type === "CALCULATED" ? childChecksOf(resources, check) : [check];
    const { seconds, detection, ttl } = worstCaseFailoverSeconds(endpoints, record);
    const rto = rtoMinutesFor(record.props.name, settings);
    if (seconds > rto.minutes * 60) {
      report(
        `${label(record)} fails over in up to ${seconds} s (detection ${detection} s = request interval × failure threshold of ${endpoints.map((e) => e.name).join(", ")}, plus TTL ${ttl} s), more than the ${rto.service} RTO of ${rto.minutes} min; shorten the interval, the threshold or the TTL`,
        record.urn,
      );
    }
  }
}

/** The failover policies, with the runbook's RTOs tightened by `overrides` (validated). */
export function createFailoverPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  const plain = (name: string, description: string, check: (r: readonly PolicyResource[], report: ReportViolation) => void) =>
    stackPolicy({ name, description, settings: [] }, settings, (r, _s, report) => check(r, report));
  return [
    plain(failoverPolicyNames.recordHealthCheck, "Every Route53 failover record has a health check.", checkHealthChecks),
    plain(failoverPolicyNames.routingCheck, "Every failover record's health check is a CALCULATED routing check over its own region's endpoint check.", checkRoutingChecks),
    plain(failoverPolicyNames.primarySecondaryPair, "Each failover name has exactly one PRIMARY and one SECONDARY record, each with its own routing check.", checkPairs),
    plain(failoverPolicyNames.fixedRoles, "The primary region's record is always PRIMARY and the secondary's always SECONDARY (by the routing check's RegionRole tag).", checkFixedRoles),
    plain(
      failoverPolicyNames.routingFollowsLeader,
      "Every routing check requires all its children, among them exactly one: its own region's Patroni `GET /primary` check; none is disabled or inverted.",
      checkFollowsLeader,
    ),
    stackPolicy(
      { name: failoverPolicyNames.detectionWithinRto, description: "Worst-case DNS failover (the routing check's slowest child: interval × failure threshold, + TTL) fits in the RTO of the service behind each name.", settings: ["apiRtoMinutes", "webRtoMinutes"] },
      settings,
      checkDetection,
    ),
  ];
}
