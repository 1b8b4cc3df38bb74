/**
 * `AlarmSet`: the runbook's monitoring loop and "Automated Rollback Triggers" as CloudWatch
 * alarms. One alarm per catalog entry (`infra/alarmCatalog.ts`) per region role, in the region
 * where its metric lives (Route53 health-check metrics exist only in us-east-1); alarm and OK
 * actions go to the severity's topic of an `AlertRouting` in that same region. Also: the WAL
 * arrival counts the freshness alarms watch (`WalArchiveEvents`), the composite rollback alarms
 * for the deploy pipeline, and the stack's dashboard (`dashboard.ts`); each alarm's metric part in `metricArgs.ts`.
 *
 * Names follow region ROLES, never active/passive, and every alarm stays on its region's provider:
 * flipping `activeRegion` changes severities, actions and `actionsEnabled`/`treatMissingData` of
 * the one-sided rows, but no URN, region or provider.
 */
import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { actionsEnabledFor, severityFor, treatMissingDataFor } from "../../domain/alarmSettingsByRole";
import type { AlarmDefinition } from "../../domain/alarmTypes";
import { alarmMetricArgs, type DimensionValues } from "./metricArgs";
import { alarmName, alarmRegionOf, alarmRegions, type AlarmRegion, type AlarmRegionKey } from "../../domain/alarmPlacement";
import { rollbackAlarmRule, rollbackGroups } from "../../domain/rollbackComposites";
import { perRole, regionRoles, type RegionRole } from "../../domain/topology";
import type { Severity } from "../../domain/runbook";
import { renderDashboardBody } from "./dashboard";
import { AlertRouting, type AlertSubscription } from "../alertRouting";
import { WalArchiveEvents, type WalArchiveEventsArgs } from "../walArchiveEvents";

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
  /** The AWS account the alert keys belong to (12 digits; from config, never looked up). @example "123456789012" */
  accountId: string;
  /** Region code per role. @example { primary: "us-east-1", secondary: "us-west-2" } */
  regions: Record<RegionRole, string>;
  /** The role whose region serves traffic; decides severities and the rollback composites. */
  activeRole: RegionRole;
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

/** One declared metric alarm: its catalog entry, region role and the region it lives in. */
interface DeclaredAlarm {
  alarm: AlarmDefinition;
  role: RegionRole;
  region: string;
  resource: aws.cloudwatch.MetricAlarm;
}

/** Output of one rollback composite, for the deploy pipeline. */
export interface RollbackAlarmOutput {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  region: string;
  role: RegionRole;
}

export class AlarmSet extends pulumi.ComponentResource {
  /** Every metric alarm's ARN, by `<alarm id>-<role>`. */
  readonly alarmArns: Record<string, pulumi.Output<string>>;
  /** The active role's rollback composites (its alarms, and its health alarm in us-east-1): roll back while any is in ALARM. */
  readonly rollbackAlarms: RollbackAlarmOutput[];
  /** Every rollback composite, both roles, in both roles' regions (they never move). */
  readonly allRollbackAlarms: RollbackAlarmOutput[];
  /** Alert topic ARNs per alarm region (`primary`, `secondary`, `route53-metrics`) and severity. */
  readonly topicArns: Record<string, Record<Severity, pulumi.Output<string>>>;
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: AlarmSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(alarmSetType, name, {}, opts);
    const parent = this;

    const placement = alarmRegions(args.regions, args.route53MetricsRegion);
    const routing = createAlertRouting();
    const walEvents = createWalArchiveEvents();
    const alarms = createMetricAlarms();
    const composites = createRollbackComposites();
    const dashboard = createDashboard();

    this.alarmArns = Object.fromEntries(alarms.map((a) => [`${a.alarm.id}-${a.role}`, a.resource.arn]));
    this.allRollbackAlarms = composites;
    this.rollbackAlarms = composites.filter((a) => a.role === args.activeRole);
    this.topicArns = Object.fromEntries([...routing].map(([key, r]) => [key, r.topicArns]));
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ alarmArns: this.alarmArns, rollbackAlarms: this.rollbackAlarms, allRollbackAlarms: this.allRollbackAlarms, topicArns: this.topicArns, dashboardName: this.dashboardName });

    function providerOf(alarmRegion: AlarmRegion) {
      return alarmRegion.key === "route53-metrics" ? args.providers.route53Metrics : args.providers.aws[alarmRegion.key];
    }

    // Alarms on Route53 metrics always use the Route53 metrics provider (as the health checks do),
    // even where a region role's provider points at the same region.
    function alarmProvider(metricRegion: AlarmDefinition["metricRegion"], alarmRegion: AlarmRegion) {
      return metricRegion === "route53-metrics" ? args.providers.route53Metrics : providerOf(alarmRegion);
    }

    /** One `AlertRouting` (a topic per severity) in every alarm region. */
    function createAlertRouting(): Map<AlarmRegionKey, AlertRouting> {
      return new Map(
        placement.map((r) => [
          r.key,
          new AlertRouting(`${name}-routing-${r.key}`, { environment: args.environment, accountId: args.accountId, region: r.region, subscriptions: args.subscriptions, provider: providerOf(r) }, { parent }),
        ]),
      );
    }

    /** The WAL arrival counts the freshness alarms watch, per region role. */
    function createWalArchiveEvents(): Record<RegionRole, WalArchiveEvents> {
      return perRole(
        (role) =>
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
            { parent },
          ),
      );
    }

    /** One metric alarm per catalog entry and region role, in the alarm region of its metric. */
    function createMetricAlarms(): DeclaredAlarm[] {
      return regionRoles.flatMap((role) =>
        args.alarms.map((alarm): DeclaredAlarm => {
          const values: DimensionValues = {
            environment: args.environment,
            region: args.regions[alarm.repository ?? role],
            healthCheckId: args.healthCheckIds[role],
            walRuleName: walEvents[role].ruleName,
          };
          const alarmRegion = alarmRegionOf(alarm, role, placement, args.route53MetricsRegion);
          const severity = severityFor(alarm, role, args.activeRole);
          // Metrics one region publishes (the standby's lag, the active region's restore test): the
          // alarm exists in both regions permanently; it pages only where the metric is published.
          const topic = routing.get(alarmRegion.key)!.topicArns[severity];
          const resource = new aws.cloudwatch.MetricAlarm(
            `${name}-${alarm.id}-${role}`,
            {
              name: alarmName(args.environment, alarm.id, role),
              alarmDescription: `${severity} ${role} (${args.regions[role]}): ${alarm.description}. Source: runbook "${alarm.source}".`,
              ...alarmMetricArgs(alarm, values),
              comparisonOperator: alarm.comparison,
              evaluationPeriods: alarm.evaluationPeriods,
              datapointsToAlarm: alarm.datapointsToAlarm,
              treatMissingData: treatMissingDataFor(alarm, role, args.activeRole),
              actionsEnabled: actionsEnabledFor(alarm, role, args.activeRole),
              alarmActions: [topic],
              okActions: [topic],
              tags: { Severity: severity, RegionRole: role, AlarmId: alarm.id },
            },
            { parent, provider: alarmProvider(alarm.metricRegion, alarmRegion) },
          );
          return { alarm, role, region: alarmRegion.region, resource };
        }),
      );
    }

    /** Per region role, ANY of its rollback-trigger alarms, in each region that holds them. */
    function createRollbackComposites(): RollbackAlarmOutput[] {
      const byName = new Map(alarms.map((a) => [alarmName(args.environment, a.alarm.id, a.role), a.resource]));
      return rollbackGroups(args.environment, args.alarms, placement, args.route53MetricsRegion).map((group) => {
        const composite = new aws.cloudwatch.CompositeAlarm(
          `${name}-${group.key}`,
          {
            alarmName: `crazy-gary-${args.environment}-${group.key}`,
            alarmDescription: `Automated Rollback Triggers (runbook): ANY of the ${group.role} region's rollback-trigger alarms${group.metricRegion === "route53-metrics" ? " on Route53 health (us-east-1 only)" : ""}. The deploy pipeline rolls back while the active role's composites are in ALARM.`,
            alarmRule: rollbackAlarmRule(group.alarmNames),
            actionsEnabled: true,
            tags: { RegionRole: group.role },
          },
          { parent, provider: alarmProvider(group.metricRegion, group.alarmRegion), dependsOn: group.alarmNames.map((n) => byName.get(n)!) },
        );
        return { name: composite.alarmName, arn: composite.arn, region: group.region, role: group.role };
      });
    }

    /** The stack's dashboard of every alarm and both roles' health checks. */
    function createDashboard(): aws.cloudwatch.Dashboard {
      return new aws.cloudwatch.Dashboard(
        `${name}-dashboard`,
        {
          dashboardName: `crazy-gary-${args.environment}`,
          dashboardBody: pulumi
            .all([pulumi.all(alarms.map((a) => a.resource.arn)), pulumi.all(regionRoles.map((r) => pulumi.output(args.healthCheckIds[r])))])
            .apply(([arns, healthIds]) =>
              renderDashboardBody({
                environment: args.environment,
                regions: args.regions,
                healthCheckIds: perRole((r) => healthIds[regionRoles.indexOf(r)]),
                route53MetricsRegion: args.route53MetricsRegion,
                alarms: alarms.map((a, i) => ({ id: a.alarm.id, role: a.role, region: a.region, tier: a.alarm.tier, arn: arns[i] })),
              }),
            ),
        },
        { parent, provider: args.providers.route53Metrics },
      );
    }
  }
}
