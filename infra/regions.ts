/**
 * Providers, created in one place. Every resource in the stack names one of these
 * explicitly; `Pulumi.yaml` disables default providers so nothing lands in a region by
 * accident. Each AWS provider's start-up calls are decided in `domain/providerSettings.ts`, so
 * none reaches a failed region's control plane, nor IAM's.
 */
import * as aws from "../components/aws";
import * as command from "@pulumi/command";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { perRole, type RegionRole } from "../domain/topology";
import { providerStartup } from "../domain/providerSettings";
import { type StackConfig } from "./config";
import { activeRole } from "../domain/activeRegion";

/** Route53 publishes health-check metrics only in us-east-1. */
export const route53MetricsRegion = "us-east-1";

/**
 * Where the stack declares its AWS Chatbot configurations. Chatbot is a global service whose API
 * has endpoints in a few regions only (none in us-east-1: aws/aws-cli#8658; it runs from us-east-2:
 * trussworks/terraform-aws-ou-scp#50, aws/aws-cdk#24675); a configuration may list topics of any region.
 */
export const chatbotRegion = "us-east-2";

export interface RegionProviders {
  /** One AWS provider per region role. */
  aws: Record<RegionRole, aws.Provider>;
  /** AWS provider in us-east-1, where Route53 health-check metrics and their alarms live. */
  route53Metrics: aws.Provider;
  /** AWS provider in {@link chatbotRegion}, for the Slack channel configurations. */
  chatbot: aws.Provider;
  /**
   * PostgreSQL provider connected to the active region's (writable) database. One provider
   * whose host follows `activeRegion`, not one per region: a flip then changes the provider's
   * settings, never the provider a resource belongs to (which would make the engine replace
   * the database roles, and `CREATE ROLE` fails on a standby).
   */
  postgres: postgresql.Provider;
  random: random.Provider;
  /** `@pulumi/tls`: the Patroni/etcd CA and member certificates (made in the provider process; no call anywhere). */
  tls: tls.Provider;
  command: command.Provider;
}

/** Tags every AWS resource carries. */
export function defaultTags(environment: string): Record<string, string> {
  return { Project: "crazy-gary", Environment: environment, ManagedBy: "pulumi:crazy-gary-dr" };
}

export function createProviders(config: StackConfig): RegionProviders {
  const tags = { tags: defaultTags(config.environment) };
  const awsProviders = perRole(
    (role) => new aws.Provider(`aws-${role}`, { region: config.regions[role] as aws.Region, defaultTags: tags, ...providerStartup(role === config.regionDown ? "down" : "regional", config.regions[role]) }),
  );
  const writable = config.databases[activeRole(config)];
  const postgres = new postgresql.Provider("postgres-writable", {
    host: writable.pgHost,
    port: writable.pgPort,
    database: writable.database,
    username: writable.adminUser,
    password: pulumi.secret(config.databaseSecrets[activeRole(config)].adminPassword),
    sslmode: "require",
    superuser: true,
  });
  return {
    aws: awsProviders,
    route53Metrics: new aws.Provider("aws-route53-metrics", { region: route53MetricsRegion, defaultTags: tags, ...providerStartup("global", route53MetricsRegion) }),
    chatbot: new aws.Provider("aws-chatbot", { region: chatbotRegion, defaultTags: tags, ...providerStartup("global", chatbotRegion) }),
    postgres,
    random: new random.Provider("random"),
    tls: new tls.Provider("tls"),
    command: new command.Provider("command"),
  };
}
