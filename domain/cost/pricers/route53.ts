/**
 * Route53: health checks by kind and options, and the queries of the failover records.
 *
 * Pricing (https://aws.amazon.com/route53/pricing/, "Health checks"): a basic check costs more
 * for a non-AWS endpoint than for an AWS one (a resource in AWS, in the same account), and each
 * optional feature (HTTPS, string matching, the fast 10 s interval, latency measurement) is
 * billed on top, again at a higher rate for non-AWS endpoints. Queries are billed per million,
 * except queries to alias records that point at AWS resources.
 */
import type { LineDraft, Pricer, PricingContext } from "../context";
import { inputOf } from "../context";
import { activeRegionCode } from "../../activeRegion";

/** An endpoint AWS counts as its own: an AWS service hostname, or a database host that is an EC2 instance of this account. */
export function isAwsEndpoint(host: string | undefined, context: Pick<PricingContext, "settings" | "databaseHosts">): boolean {
  if (!host) return false;
  if (/\.amazonaws\.com\.?$/i.test(host)) return true;
  return context.settings.hostsOnEc2 && context.databaseHosts.includes(host);
}

/** The optional features a health check's inputs turn on, as the pricing page names them. */
export function healthCheckFeatures(inputs: Record<string, unknown>): string[] {
  const type = String(inputs.type ?? "");
  return [
    ...(type.startsWith("HTTPS") ? ["HTTPS"] : []),
    ...(type.endsWith("_STR_MATCH") ? ["string matching"] : []),
    ...(inputs.requestInterval === 10 ? ["fast interval (10 s)"] : []),
    ...(inputs.measureLatency === true ? ["latency measurement"] : []),
  ];
}

export const priceHealthCheck: Pricer = (resource, context) => {
  const type = String(inputOf<string>(resource, "type") ?? "");
  if (type === "CALCULATED" || type === "CLOUDWATCH_METRIC") {
    const disabled = inputOf<boolean>(resource, "disabled") === true ? " (disabled: guess, still billed)" : "";
    return [{ item: `${type === "CALCULATED" ? "calculated" : "CloudWatch-alarm"} health check${disabled}`, priceId: "route53.healthCheck.calculated", quantity: 1 }];
  }
  const host = inputOf<string>(resource, "fqdn") ?? inputOf<string>(resource, "ipAddress");
  const aws = isAwsEndpoint(host, context);
  const kind = aws ? "aws" : "nonAws";
  const where = aws ? "AWS endpoint" : "non-AWS endpoint";
  const features = healthCheckFeatures(resource.inputs);
  const lines: LineDraft[] = [{ item: `${type || "endpoint"} health check, ${where} (${host ?? "no host"})`, priceId: `route53.healthCheck.${kind}`, quantity: 1 }];
  if (features.length > 0) lines.push({ item: `optional features, ${where}: ${features.join(", ")}`, priceId: `route53.healthCheck.optionalFeature.${kind}`, quantity: features.length });
  return lines;
};

/** Queries reach the record of the active region (its PRIMARY or SECONDARY twin answers only after a failover). */
export const priceRecord: Pricer = (resource, context) => {
  const answering = inputOf<string>(resource, "setIdentifier") === activeRegionCode(context);
  const failover = (inputOf<unknown[]>(resource, "failoverRoutingPolicies") ?? []).length > 0;
  const answers = answering || !failover;
  const aliases = inputOf<{ name?: string }[]>(resource, "aliases") ?? [];
  const aliasToAws = aliases.length > 0 && aliases.every((a) => /\.amazonaws\.com\.?$/i.test(a.name ?? ""));
  const millions = answers ? context.settings.dnsQueriesPerMonth / 1e6 : 0;
  return [
    { item: "record (included in the hosted zone)", priceId: "route53.record", quantity: 1 },
    {
      item: `${aliasToAws ? "alias queries to an AWS resource" : "standard queries"} for ${String(inputOf(resource, "name") ?? resource.name)}${answers ? "" : " (none while its region is standby)"}`,
      priceId: aliasToAws ? "route53.queries.aliasToAws" : "route53.queries.standard",
      quantity: millions,
      estimate: answers ? `cost.dnsQueriesPerMonth ${context.settings.dnsQueriesPerMonth} for the hostname, answered by the active region's record` : undefined,
    },
  ];
};
