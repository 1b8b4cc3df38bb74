/**
 * The alarms' wiring (called by `stack.ts`): the catalog from the runbook and
 * the effective config, the alarm set with its alert routing, and each region's log groups.
 */
import { AlarmSet, type WalArchiveSource } from "../components/alarmSet";
import { ApplicationLogs } from "../components/applicationLogs";
import { ChatNotifications } from "../components/chatNotifications";
import { alertDelivery, deliveryOf, pendingConfirmationWarning, slackChannels } from "../domain/alertDelivery";
import { severities } from "../domain/runbook";
import * as pulumi from "@pulumi/pulumi";
import { activeRole } from "../domain/activeRegion";
import { alarmCatalog } from "../domain/alarmCatalog";
import { perRole, type RegionRole } from "../domain/topology";
import { type StackConfig } from "./config";
import { route53MetricsRegion, type RegionProviders } from "./regions";

/** What the alarms take from the other areas of the stack. */
export interface AlarmInputs {
  /** Route53 health-check id of each role's API `/health` check (failover). */
  healthCheckIds: Record<RegionRole, pulumi.Input<string>>;
  /** Each role's WAL archive bucket and repository path (backups). */
  walArchives: Record<RegionRole, { bucketName: pulumi.Input<string>; repositoryPath: string }>;
}

export function declareAlarms(config: StackConfig, providers: RegionProviders, inputs: AlarmInputs) {
  const alarms = new AlarmSet("alarms", {
    environment: config.environment,
    accountId: config.accountId,
    regions: config.regions,
    activeRole: activeRole(config),
    alarms: alarmCatalog(config),
    healthCheckIds: inputs.healthCheckIds,
    walArchives: perRole((role): WalArchiveSource => ({ bucket: inputs.walArchives[role].bucketName, repositoryPath: inputs.walArchives[role].repositoryPath })),
    subscriptions: config.alerts,
    logRetentionDays: config.retention.logDays,
    providers: { aws: providers.aws, route53Metrics: providers.route53Metrics },
    route53MetricsRegion,
  });

  // Slack through AWS Chatbot: one configuration per channel, on every region's topics.
  const chat = new ChatNotifications("chat", {
    environment: config.environment,
    channels: slackChannels(config.alerts),
    topicArns: alarms.topicArns,
    provider: providers.chatbot,
  });
  // E-mail (and any https endpoint other than PagerDuty) delivers nothing until confirmed: say so in the plan.
  for (const severity of severities) {
    for (const subscription of config.alerts[severity].filter((s) => deliveryOf(s) === "pending-until-confirmed")) {
      void pulumi.log.warn(pendingConfirmationWarning(config.environment, severity, subscription));
    }
  }

  const logs = perRole((role) => new ApplicationLogs(`logs-${role}`, { environment: config.environment, retentionInDays: config.retention.logDays, provider: providers.aws[role] }));

  return {
    alarms,
    chat,
    logs,
    outputs: {
      /** The deploy pipeline rolls back while any of these composites is in ALARM. */
      rollbackAlarm: alarms.rollbackAlarms,
      alarmDashboard: alarms.dashboardName,
      /** Per severity: who is reached once the stack is up, and who only after confirming (e-mail). */
      alertDelivery: alertDelivery(config.alerts),
    },
  };
}
