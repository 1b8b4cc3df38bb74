/**
 * `AlarmSet`: the runbook's monitoring loop and "Automated Rollback Triggers" as CloudWatch
 * alarms. One alarm per catalog entry (`infra/alarmCatalog.ts`) per region role, in the region
 * where its metric lives (Route53 health-check metrics exist only in us-east-1); alarm and OK
 * actions go to the severity's topic of an `AlertRouting` in that same region. Also: the WAL
 * arrival counts the freshness alarms watch (`WalArchiveEvents`), the composite rollback alarms
 * for the deploy pipeline, and the stack's dashboard (`alarmDashboard.ts`).
 *
 * Names follow region ROLES, never active/passive: flipping `activeRegion` changes severities,
 * actions and the composites' rules, but no URN.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  customMetricDimensions,
  severityFor,
  treatMissingDataFor,
  type AlarmDefinition,
  type AlarmId,
  type CustomMetric,
  type WatchedMetric,
} from "../domain/alarmCatalog";
import { regionRoles, type RegionRole } from "../domain/topology";
import type { Severity } from "../domain/runbook";
import { renderDashboardBody } from "./alarmDashboard";
import { AlertRouting, type AlertSubscription } from "./alertRouting";
import { WalArchiveEvents, type WalArchiveEventsArgs } from "./walArchiveEvents";

export const alarmSetType = "crazygary:dr:AlarmSet";

/** Where a region's WAL archive lives (see `WalArchiveEventsArgs`). */
export type WalArchiveSource = Pick<WalArchiveEventsArgs, "bucket" | "repositoryPath">;

export interface AlarmSetArgs {
  /**
   * Environment name, used in alarm, topic, rule and dashboard names and as the `Environment`
   * dimension of every custom metric.
   * @example "prod"
   */
  environment: string;
  /** Region code per role. @example { primary: "us-east-1", secondary: "us-west-2" } */
  regions: Record<RegionRole, string>;
  /** The role whose region serves traffic; decides severities and the rollback composites. */
  activeRegion: RegionRole;
  /** The alarms to declare in every region role. @default none: the stack passes `alarmCatalog(config)` */
  alarms: readonly AlarmDefinition[];
  /** Route53 health-check id of each role's `/health` check (from `FailoverDns`). */
  healthCheckIds: Record<RegionRole, pulumi.Input<string>>;
  /** Each role's WAL archive (from the backups' `WalArchiveBucket`s). */
  walArchives: Record<RegionRole, WalArchiveSource>;
  /** Alert subscriptions per severity, the same in every region. @default none (each empty topic warns in the plan) */
  subscriptions?: Partial<Record<Severity, readonly AlertSubscription[]>>;
  /**
   * How long the WAL arrival events are kept, in days.
   * @default none: the stack passes retention.logDays (runbook SLA: 90 days for logs)
   */
  logRetentionDays: number;
  /** AWS providers: one per region role, and the one for Route53's metrics region. */
  providers: { aws: Record<RegionRole, aws.Provider>; route53Metrics: aws.Provider };
  /**
   * The region the `route53Metrics` provider points at.
   * @default none: the stack passes `route53MetricsRegion` ("us-east-1") from infra/regions.ts
   */
  route53MetricsRegion: string;
}

/** Where alarms live: a region role's region, or Route53's metrics region when no role has it. */
export type AlarmSiteKey = RegionRole | "route53-metrics";

export interface AlarmSite {
  key: AlarmSiteKey;
  region: string;
}

/**
 * The regions that hold alarms, hence need alert topics: each role's, plus Route53's metrics
 * region when neither role is there (the dr stack: us-east-2 and us-west-1).
 */
export function alarmSites(regions: Record<RegionRole, string>, route53MetricsRegion: string): AlarmSite[] {
  const sites: AlarmSite[] = regionRoles.map((role) => ({ key: role, region: regions[role] }));
  if (!sites.some((s) => s.region === route53MetricsRegion)) sites.push({ key: "route53-metrics", region: route53MetricsRegion });
  return sites;
}

/**
 * The site whose region holds `alarm`'s metric for `role`: the role's own, or for Route53
 * metrics the first site in Route53's metrics region (a role's site when one is there).
 */
export function siteOf(alarm: Pick<AlarmDefinition, "metricRegion">, role: RegionRole, sites: readonly AlarmSite[], route53MetricsRegion: string): AlarmSite {
  const site = alarm.metricRegion === "route53-metrics" ? sites.find((s) => s.region === route53MetricsRegion) : sites.find((s) => s.key === role);
  if (!site) throw new Error(`no alarm site for ${alarm.metricRegion} of ${role}; sites: ${sites.map((s) => `${s.key}=${s.region}`).join(", ")}`);
  return site;
}

/** The alarm's name in AWS: `crazy-gary-<environment>-<alarm id>-<role>`. */
export const alarmName = (environment: string, id: AlarmId, role: RegionRole) => `crazy-gary-${environment}-${id}-${role}`;

/** The rollback composite's rule: ANY of the named alarms. */
export function rollbackAlarmRule(alarmNames: readonly string[]): string {
  if (alarmNames.length === 0) throw new Error("a rollback composite needs at least one alarm");
  return alarmNames.map((n) => `ALARM("${n}")`).join(" OR ");
}

/** A composite rollback alarm: which alarms of the active region it joins, and where it lives. */
export interface RollbackGroup {
  /** `rollback` (the active region's alarms) or `rollback-health` (its Route53 health alarm, in us-east-1). */
  key: "rollback" | "rollback-health";
  /** Where the joined alarms' metrics live. */
  metricRegion: AlarmDefinition["metricRegion"];
  region: string;
  site: AlarmSite;
  alarmNames: string[];
}

/**
 * The rollback composites: ANY of the rollback-trigger alarms of the active role. A composite can
 * only join alarms of its own region, so the Route53 health alarm (us-east-1) gets its own
 * composite; there are always two, so flipping `activeRegion` changes no URN.
 */
export function rollbackGroups(environment: string, alarms: readonly AlarmDefinition[], activeRegion: RegionRole, sites: readonly AlarmSite[], route53MetricsRegion: string): RollbackGroup[] {
  const triggers = alarms.filter((a) => a.rollbackTrigger);
  const group = (key: RollbackGroup["key"], metricRegion: AlarmDefinition["metricRegion"]): RollbackGroup => {
    const site = siteOf({ metricRegion }, activeRegion, sites, route53MetricsRegion);
    const members = triggers.filter((a) => a.metricRegion === metricRegion);
    return { key, metricRegion, region: site.region, site, alarmNames: members.map((a) => alarmName(environment, a.id, activeRegion)) };
  };
  return [group("rollback", "own-region"), group("rollback-health", "route53-metrics")];
}

/** Values an alarm's metric dimensions need, per role. */
interface DimensionValues {
  environment: string;
  region: string;
  healthCheckId: pulumi.Input<string>;
  walRuleName: pulumi.Input<string>;
}

function customDimensions(values: DimensionValues): Record<(typeof customMetricDimensions)[number], string> {
  return { Environment: values.environment, Region: values.region };
}

function dimensionsOf(metric: WatchedMetric, values: DimensionValues): Record<string, pulumi.Input<string>> {
  if (metric.kind === "route53-health") return { HealthCheckId: values.healthCheckId };
  if (metric.kind === "wal-rule") return { RuleName: values.walRuleName };
  return customDimensions(values);
}

const statisticArgs = (statistic: string) => (/^p\d+(\.\d+)?$/.test(statistic) ? { extendedStatistic: statistic } : { statistic });

const metricQuery = (id: string, metric: CustomMetric, stat: string, periodSeconds: number, values: DimensionValues, returnData: boolean) => ({
  id,
  returnData,
  metric: { namespace: metric.namespace, metricName: metric.name, dimensions: customDimensions(values), period: periodSeconds, stat },
});

/** The metric part of a `MetricAlarm`'s args for a catalog entry: one metric, or metric math. */
export function alarmMetricArgs(alarm: AlarmDefinition, values: DimensionValues): Partial<aws.cloudwatch.MetricAlarmArgs> {
  const e = alarm.expression;
  switch (e.kind) {
    case "metric":
      return { namespace: e.metric.namespace, metricName: e.metric.name, dimensions: dimensionsOf(e.metric, values), ...statisticArgs(e.statistic), period: alarm.periodSeconds, threshold: alarm.threshold! };
    case "percent":
      return {
        threshold: alarm.threshold!,
        metricQueries: [
          metricQuery("failures", e.numerator, "Sum", alarm.periodSeconds, values, false),
          metricQuery("attempts", e.denominator, "Sum", alarm.periodSeconds, values, false),
          // FILL: a quiet minute without a failures datum is 0 %, not missing.
          { id: "percent", expression: "100 * FILL(failures, 0) / attempts", label: `${e.numerator.name} as % of ${e.denominator.name}`, returnData: true },
        ],
      };
    case "anomaly-band":
      return {
        thresholdMetricId: "band",
        metricQueries: [
          metricQuery("observed", e.metric, e.statistic, alarm.periodSeconds, values, true),
          { id: "band", expression: `ANOMALY_DETECTION_BAND(observed, ${e.bandWidth})`, label: `expected ${e.metric.name}`, returnData: true },
        ],
      };
  }
}

/** Output of one rollback composite, for the deploy pipeline. */
export interface RollbackAlarmOutput {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  region: string;
}

export class AlarmSet extends pulumi.ComponentResource {
  /** Every metric alarm's ARN, by `<alarm id>-<role>`. */
  readonly alarmArns: Record<string, pulumi.Output<string>>;
  /** The rollback composites (the active region's alarms, and its health alarm in us-east-1): roll back while any is in ALARM. */
  readonly rollbackAlarms: RollbackAlarmOutput[];
  /** Alert topic ARNs per site and severity. */
  readonly topicArns: Record<string, Record<Severity, pulumi.Output<string>>>;
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: AlarmSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(alarmSetType, name, {}, opts);
    const sites = alarmSites(args.regions, args.route53MetricsRegion);
    const providerOf = (site: AlarmSite) => (site.key === "route53-metrics" ? args.providers.route53Metrics : args.providers.aws[site.key]);
    // Alarms on Route53 metrics always use the Route53 metrics provider (as the health checks do),
    // even where a region role's provider points at the same region.
    const alarmProvider = (metricRegion: AlarmDefinition["metricRegion"], site: AlarmSite) =>
      metricRegion === "route53-metrics" ? args.providers.route53Metrics : providerOf(site);

    const routing = new Map<AlarmSiteKey, AlertRouting>();
    for (const site of sites) {
      routing.set(
        site.key,
        new AlertRouting(`${name}-routing-${site.key}`, { environment: args.environment, region: site.region, subscriptions: args.subscriptions, provider: providerOf(site) }, { parent: this }),
      );
    }

    const walEvents = Object.fromEntries(
      regionRoles.map((role) => [
        role,
        new WalArchiveEvents(
          `${name}-wal-archive-${role}`,
          {
            environment: args.environment,
            role,
            bucket: args.walArchives[role].bucket,
            repositoryPath: args.walArchives[role].repositoryPath,
            logRetentionDays: args.logRetentionDays,
            provider: args.providers.aws[role],
          },
          { parent: this },
        ),
      ]),
    ) as Record<RegionRole, WalArchiveEvents>;

    const alarmArns: Record<string, pulumi.Output<string>> = {};
    const alarmResources = new Map<string, aws.cloudwatch.MetricAlarm>();
    const dashboardAlarms: { id: string; role: RegionRole; region: string; tier: AlarmDefinition["tier"]; arn: pulumi.Output<string> }[] = [];
    for (const role of regionRoles) {
      for (const alarm of args.alarms) {
        const values: DimensionValues = {
          environment: args.environment,
          region: args.regions[alarm.repository ?? role],
          healthCheckId: args.healthCheckIds[role],
          walRuleName: walEvents[role].ruleName,
        };
        const site = siteOf(alarm, role, sites, args.route53MetricsRegion);
        const severity = severityFor(alarm, role, args.activeRegion);
        const topic = routing.get(site.key)!.topicArns[severity];
        const resource = new aws.cloudwatch.MetricAlarm(
          `${name}-${alarm.id}-${role}`,
          {
            name: alarmName(args.environment, alarm.id, role),
            alarmDescription: `${severity} ${role} (${args.regions[role]}): ${alarm.description}. Source: runbook "${alarm.source}".`,
            ...alarmMetricArgs(alarm, values),
            comparisonOperator: alarm.comparison,
            evaluationPeriods: alarm.evaluationPeriods,
            datapointsToAlarm: alarm.datapointsToAlarm,
            treatMissingData: treatMissingDataFor(alarm, role, args.activeRegion),
            actionsEnabled: true,
            alarmActions: [topic],
            okActions: [topic],
            tags: { Severity: severity, RegionRole: role, AlarmId: alarm.id },
          },
          { parent: this, provider: alarmProvider(alarm.metricRegion, site) },
        );
        alarmArns[`${alarm.id}-${role}`] = resource.arn;
        alarmResources.set(alarmName(args.environment, alarm.id, role), resource);
        dashboardAlarms.push({ id: alarm.id, role, region: site.region, tier: alarm.tier, arn: resource.arn });
      }
    }

    this.rollbackAlarms = rollbackGroups(args.environment, args.alarms, args.activeRegion, sites, args.route53MetricsRegion).map((group) => {
      const composite = new aws.cloudwatch.CompositeAlarm(
        `${name}-${group.key}`,
        {
          alarmName: `crazy-gary-${args.environment}-${group.key}`,
          alarmDescription: `Automated Rollback Triggers (runbook): ANY of the active region's rollback-trigger alarms${group.key === "rollback-health" ? " on Route53 health (us-east-1 only)" : ""}. The deploy pipeline rolls back while this is in ALARM.`,
          alarmRule: rollbackAlarmRule(group.alarmNames),
          actionsEnabled: true,
        },
        { parent: this, provider: alarmProvider(group.metricRegion, group.site), dependsOn: group.alarmNames.map((n) => alarmResources.get(n)!) },
      );
      return { name: composite.alarmName, arn: composite.arn, region: group.region };
    });

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `crazy-gary-${args.environment}`,
        dashboardBody: pulumi
          .all([pulumi.all(dashboardAlarms.map((a) => a.arn)), pulumi.all(regionRoles.map((r) => pulumi.output(args.healthCheckIds[r])))])
          .apply(([arns, healthIds]) =>
            renderDashboardBody({
              environment: args.environment,
              regions: args.regions,
              healthCheckIds: Object.fromEntries(regionRoles.map((r, i) => [r, healthIds[i]])) as Record<RegionRole, string>,
              route53MetricsRegion: args.route53MetricsRegion,
              alarms: dashboardAlarms.map((a, i) => ({ ...a, arn: arns[i] })),
            }),
          ),
      },
      { parent: this, provider: args.providers.route53Metrics },
    );

    this.alarmArns = alarmArns;
    this.topicArns = Object.fromEntries([...routing].map(([key, r]) => [key, r.topicArns]));
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ alarmArns, rollbackAlarms: this.rollbackAlarms, topicArns: this.topicArns, dashboardName: this.dashboardName });
  }
}
