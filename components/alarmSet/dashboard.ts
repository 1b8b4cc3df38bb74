/**
 * The stack's CloudWatch dashboard body, rendered from plain values: health status per region,
 * the catalog's alarms grouped by tier, and the alarm states per AWS region. Pure: `AlarmSet`
 * feeds it resolved ARNs and ids and declares the `aws.cloudwatch.Dashboard`.
 */
import { regionRoles, type RegionRole } from "../../domain/topology";
import type { Tier } from "../../domain/runbook";

/** One alarm as the dashboard shows it. */
export interface DashboardAlarm {
  /** The catalog id (`api-error-rate`). */
  id: string;
  role: RegionRole;
  /** AWS region the alarm lives in. */
  region: string;
  tier: Tier;
  arn: string;
}

export interface DashboardInput {
  environment: string;
  /** Region code per role. */
  regions: Record<RegionRole, string>;
  /** Route53 health-check id per role. */
  healthCheckIds: Record<RegionRole, string>;
  /** Where Route53 publishes HealthCheckStatus (us-east-1). */
  route53MetricsRegion: string;
  alarms: readonly DashboardAlarm[];
}

const tierTitles: Record<Tier, string> = {
  1: "Tier 1: database, API, authentication",
  2: "Tier 2: web app, MCP tools and model API",
  3: "Tier 3: background tasks",
  4: "Tier 4: analytics and logging",
};

const text = (markdown: string) => ({ type: "text", width: 24, height: 1, properties: { markdown } });

/** The dashboard body as CloudWatch's JSON document. */
export function renderDashboardBody(input: DashboardInput): string {
  const roles = regionRoles;
  const health = roles.map((role) => ({
    type: "metric",
    width: 12,
    height: 4,
    properties: {
      title: `API /health: ${role} (${input.regions[role]})`,
      region: input.route53MetricsRegion,
      view: "timeSeries",
      stat: "Minimum",
      period: 60,
      yAxis: { left: { min: 0, max: 1 } },
      metrics: [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", input.healthCheckIds[role]]],
    },
  }));
  const tiers = [...new Set(input.alarms.map((a) => a.tier))].sort();
  const byTier = tiers.flatMap((tier) => [
    text(`## ${tierTitles[tier]}`),
    ...input.alarms
      .filter((a) => a.tier === tier)
      .map((a) => ({
        type: "metric",
        width: 8,
        height: 5,
        properties: { title: `${a.id}: ${a.role} (${a.region})`, region: a.region, view: "timeSeries", annotations: { alarms: [a.arn] } },
      })),
  ]);
  const regions = [...new Set(input.alarms.map((a) => a.region))].sort();
  const states = regions.map((region) => ({
    type: "alarm",
    width: 24,
    height: 6,
    properties: { title: `Alarm states in ${region}`, alarms: input.alarms.filter((a) => a.region === region).map((a) => a.arn) },
  }));
  return JSON.stringify({
    widgets: [text(`# Crazy-Gary ${input.environment}: health per region`), ...health, ...byTier, text("## Alarm states"), ...states],
  });
}
