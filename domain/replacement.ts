/**
 * Replacement rules: what the Pulumi engine does to a resource whose registration changed
 * (nothing, an in-place update, or a replacement), and which properties cause it, the way the
 * engine and the providers this stack uses decide it. Each rule names its source. Pure: the flip
 * preview (`npm run plan -- --diff`), the tests and (through `stateful.ts`) the failover
 * workflow's guard read the same table.
 *
 * How the engine decides (pulumi/pulumi pkg/resource/deploy/step_generator.go): it diffs old and
 * new inputs through the provider; a changed key that the provider marks "replace" (Terraform
 * `ForceNew`, a native provider's `replaceOnChanges`) or that the resource's own
 * `replaceOnChanges` option names makes the step a replacement (create-before-delete unless
 * `deleteBeforeReplace`); any other changed key is an update. A changed provider reference is
 * diffed through the provider's `DiffConfig` (pulumi/pulumi#18509).
 */

export type ResourceOp = "same" | "update" | "replace";

/** The provider a resource is registered with. */
export interface ProviderView {
  urn: string;
  /** `pulumi:providers:aws` and so on. */
  type: string;
  /** The provider's own inputs (for AWS, `region`). */
  inputs: Record<string, unknown>;
}

/** One side (old or new) of a resource's registration. */
export interface Registration {
  type: string;
  inputs: Record<string, unknown>;
  provider: ProviderView | null;
}

export interface OperationDecision {
  op: ResourceOp;
  /** Top-level keys that differ (`diffReasons` in `pulumi preview --json`), `provider` included when the provider changed. */
  diffReasons: string[];
  /** The keys that force the replacement (`replaceReasons`), `region` and `provider` included. */
  replaceReasons: string[];
  /** Where each replacement rule that fired comes from. */
  sources: string[];
}

export interface ReplaceRule {
  /** Input keys whose change replaces the resource; `"*"`: any input change does. */
  properties: readonly string[] | "*";
  source: string;
}

const tf = (path: string, keys: string) => `terraform-provider-aws internal/service/${path}: ${keys} ForceNew`;
const s3Setting = (file: string, keys = "bucket, expected_bucket_owner"): ReplaceRule => ({
  properties: keys.includes("expected") ? ["bucket", "expectedBucketOwner"] : ["bucket"],
  source: tf(`s3/${file}.go`, keys),
});

/**
 * Per resource type, the inputs whose change replaces it. AWS types come from the Terraform
 * provider pulumi-aws bridges (its schema does not list them); every type the prod and dr plans
 * declare has an entry (a test keeps it so).
 */
export const replaceRules: Readonly<Record<string, ReplaceRule>> = {
  "command:remote:Command": {
    properties: ["triggers"],
    source:
      "pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go: only `triggers` is `replaceOnChanges` (the SDK adds replaceOnChanges [\"triggers[*]\"]); a changed `create`, `connection`, `environment` or `stdin` is an update that runs `update`, or `create` again when there is no `update` (remote/commandController.go Update)",
  },
  "command:local:Command": {
    properties: ["triggers"],
    source: "pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go: only `triggers` is `replaceOnChanges`; other changes re-run `update` or `create` in place (local/commandController.go)",
  },
  "aws:route53/record:Record": {
    properties: ["name", "zoneId"],
    source: `${tf("route53/record.go", "name, zone_id")}; a changed type or set_identifier is an update (one DELETE+CREATE change batch), a changed failover type an UPSERT`,
  },
  "aws:route53/healthCheck:HealthCheck": {
    properties: ["type", "referenceName", "measureLatency", "requestInterval", "routingControlArn"],
    source: `${tf("route53/health_check.go", "type, reference_name, measure_latency, request_interval, routing_control_arn")}; disabled, invert_healthcheck, child_healthchecks update in place (UpdateHealthCheck)`,
  },
  "aws:s3/bucket:Bucket": { properties: ["bucket", "bucketPrefix", "objectLockEnabled"], source: tf("s3/bucket.go", "bucket, bucket_prefix, object_lock_enabled") },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": s3Setting("bucket_lifecycle_configuration"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": s3Setting("bucket_server_side_encryption_configuration"),
  "aws:s3/bucketVersioning:BucketVersioning": s3Setting("bucket_versioning"),
  "aws:s3/bucketNotification:BucketNotification": s3Setting("bucket_notification", "bucket"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": s3Setting("bucket_ownership_controls", "bucket"),
  "aws:s3/bucketPolicy:BucketPolicy": s3Setting("bucket_policy", "bucket"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": s3Setting("bucket_public_access_block", "bucket"),
  "aws:kms/key:Key": {
    properties: ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    source: tf("kms/key.go", "customer_master_key_spec, key_usage, multi_region, custom_key_store_id, xks_key_id"),
  },
  "aws:kms/alias:Alias": { properties: ["name", "namePrefix"], source: tf("kms/alias.go", "name, name_prefix") },
  "aws:sns/topic:Topic": { properties: ["name", "namePrefix", "fifoTopic"], source: tf("sns/topic.go", "name, name_prefix, fifo_topic") },
  "aws:sns/topicSubscription:TopicSubscription": { properties: ["topic", "protocol", "endpoint"], source: tf("sns/topic_subscription.go", "topic_arn, protocol, endpoint") },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { properties: ["name"], source: `${tf("cloudwatch/metric_alarm.go", "alarm_name")}; actions, rule and thresholds update in place (PutMetricAlarm)` },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
    properties: ["alarmName", "actionsEnabled"],
    source: `${tf("cloudwatch/composite_alarm.go", "alarm_name, actions_enabled")}: switching a composite's actions on or off replaces it; alarm_rule and actions update in place`,
  },
  "aws:cloudwatch/dashboard:Dashboard": { properties: ["dashboardName"], source: tf("cloudwatch/dashboard.go", "dashboard_name") },
  "aws:cloudwatch/logGroup:LogGroup": { properties: ["name", "namePrefix", "logGroupClass"], source: tf("logs/group.go", "name, name_prefix, log_group_class") },
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { properties: ["policyName"], source: tf("logs/resource_policy.go", "policy_name") },
  "aws:cloudwatch/eventRule:EventRule": { properties: ["name", "namePrefix", "eventBusName"], source: tf("events/rule.go", "name, name_prefix, event_bus_name") },
  "aws:cloudwatch/eventTarget:EventTarget": { properties: ["rule", "targetId", "eventBusName"], source: tf("events/target.go", "rule, target_id, event_bus_name") },
  "aws:iam/role:Role": { properties: ["name", "namePrefix", "path"], source: tf("iam/role.go", "name, name_prefix, path") },
  "aws:iam/rolePolicy:RolePolicy": { properties: ["name", "namePrefix", "role"], source: tf("iam/role_policy.go", "name, name_prefix, role") },
  "aws:iam/instanceProfile:InstanceProfile": { properties: ["name", "namePrefix", "path"], source: tf("iam/instance_profile.go", "name, name_prefix, path") },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { properties: ["role", "policyArn"], source: tf("iam/role_policy_attachment.go", "role, policy_arn") },
  "aws:backup/vault:Vault": { properties: ["name", "kmsKeyArn"], source: tf("backup/vault.go", "name, kms_key_arn") },
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
    properties: "*",
    source: `${tf("backup/vault_lock_configuration.go", "backup_vault_name, changeable_for_days, max_retention_days, min_retention_days")} (no Update): a changed bound is a new lock, which a compliance-mode lock past its lock date refuses`,
  },
  "aws:backup/plan:Plan": { properties: ["name"], source: `${tf("backup/plan.go", "name")}; rules update in place (UpdateBackupPlan)` },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { properties: ["securityGroupId"], source: tf("vpc/security_group_ingress_rule.go", "security_group_id") },
  "aws:backup/regionSettings:RegionSettings": {
    properties: [],
    source: `${tf("backup/region_settings.go", "no ForceNew input")}: both preference maps update in place (UpdateRegionSettings); its delete changes nothing in AWS`,
  },
  "aws:backup/selection:Selection": { properties: "*", source: `${tf("backup/selection.go", "name, plan_id, iam_role_arn, resources, conditions, not_resources, selection_tag")} (no Update)` },
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": {
    properties: ["configurationName", "slackTeamId"],
    source: "terraform-provider-aws internal/service/chatbot/slack_channel_configuration.go: configuration_name, slack_team_id RequiresReplace; channel, topics, role and guardrails update in place (UpdateSlackChannelConfiguration)",
  },
  "aws:secretsmanager/secret:Secret": { properties: ["name", "namePrefix"], source: tf("secretsmanager/secret.go", "name, name_prefix") },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    properties: ["secretId", "secretString", "secretBinary"],
    source: `${tf("secretsmanager/secret_version.go", "secret_id, secret_string, secret_binary")}: a new password is a new version, the old one loses AWSCURRENT`,
  },
  "aws:secretsmanager/secretPolicy:SecretPolicy": { properties: ["secretArn"], source: `${tf("secretsmanager/secret_policy.go", "secret_arn")}; policy and block_public_policy update in place (PutResourcePolicy)` },
  "aws:ssm/parameter:Parameter": { properties: ["name", "dataType"], source: `${tf("ssm/parameter.go", "name, data_type")}; value and type update in place (PutParameter with Overwrite)` },
  "postgresql:index/role:Role": { properties: [], source: "terraform-provider-postgresql resource_postgresql_role.go: no ForceNew input; a new name is ALTER ROLE ... RENAME" },
  "postgresql:index/grant:Grant": { properties: "*", source: "terraform-provider-postgresql resource_postgresql_grant.go: no Update; every input is ForceNew" },
  "random:index/randomPassword:RandomPassword": { properties: "*", source: "terraform-provider-random password: every attribute has RequiresReplace (a new password on any change)" },
  // terraform-provider-tls (bridged by @pulumi/tls): a key, request or certificate is made once and
  // never edited; a certificate inside its early-renewal window is replaced by the next plan
  // (internal/provider/common_cert.go modifyPlanIfCertificateReadyForRenewal).
  "tls:index/privateKey:PrivateKey": { properties: "*", source: "terraform-provider-tls resource_private_key.go: every attribute has RequiresReplace (a new key on any change)" },
  "tls:index/certRequest:CertRequest": { properties: "*", source: "terraform-provider-tls resource_cert_request.go: every attribute has RequiresReplace" },
  "tls:index/selfSignedCert:SelfSignedCert": {
    properties: "*",
    source: "terraform-provider-tls resource_self_signed_cert.go: every attribute has RequiresReplace (guess: early_renewal_hours may update in place; counted as a replacement here)",
  },
  "tls:index/locallySignedCert:LocallySignedCert": {
    properties: "*",
    source: "terraform-provider-tls resource_locally_signed_cert.go: every attribute has RequiresReplace, the CA's certificate and key included (guess: early_renewal_hours may update in place; counted as a replacement here)",
  },
};

/**
 * What a change of a provider's own configuration does (its `DiffConfig`): the keys that
 * replace the provider, and with it every resource registered with it.
 */
export const providerConfigRules: Readonly<Record<string, ReplaceRule>> = {
  "pulumi:providers:aws": {
    properties: [],
    source:
      "pulumi-aws v7 removed the ForcesProviderReplace on `region` (pulumi/pulumi-aws#5656, #5652); a region change reaches each resource as its own `region` instead (see regionRule)",
  },
  "pulumi:providers:postgresql": { properties: [], source: "bridged provider: DiffConfig replaces only on ForcesProviderReplace keys, none here (pulumi/pulumi-terraform-bridge#1683)" },
  "pulumi:providers:random": { properties: [], source: "bridged provider: DiffConfig replaces only on ForcesProviderReplace keys, none here (pulumi/pulumi-terraform-bridge#1683)" },
  "pulumi:providers:tls": { properties: [], source: "bridged provider: DiffConfig replaces only on ForcesProviderReplace keys, none here (pulumi/pulumi-terraform-bridge#1683)" },
  "pulumi:providers:command": {
    properties: "*",
    source: "pulumi-command is built on pulumi-go-provider, which has no DiffConfig: any config change replaces the provider and its resources (pulumi/pulumi-go-provider#409; pulumi/ci-mgmt#1113)",
  },
};

/**
 * AWS resources are regional except the global services (Route 53, IAM). Since Terraform AWS
 * provider 6 (pulumi-aws 7) every regional resource has a `region`, defaulted from its provider,
 * and "changing the value of `region` will force resource replacement" (terraform-provider-aws
 * website/docs/guides/enhanced-region-support.html.markdown; pulumi/pulumi-aws#5521 for the
 * injected default). Moving a regional resource to a provider of another region replaces it.
 */
export const regionRule = {
  globalTypePrefixes: ["aws:route53/", "aws:iam/"] as readonly string[],
  source: "terraform-provider-aws guides/enhanced-region-support: changing `region` forces replacement; pulumi/pulumi-aws#4000, #5521",
};

const unchangedSentinel = Symbol("unchanged");
const json = (value: unknown) => (value === undefined ? unchangedSentinel : JSON.stringify(value));

/** Top-level input keys whose values differ (keys starting `__` are engine bookkeeping). */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !k.startsWith("__")));
  return [...keys].filter((k) => json(before[k]) !== json(after[k])).sort();
}

const matching = (rule: ReplaceRule | undefined, keys: readonly string[]) => (rule === undefined ? [] : rule.properties === "*" ? [...keys] : keys.filter((k) => (rule.properties as readonly string[]).includes(k)));

/** The AWS region a registration lands in, or null for a global or non-AWS type. */
export function regionOf(registration: Registration): string | null {
  if (!registration.type.startsWith("aws:") || regionRule.globalTypePrefixes.some((p) => registration.type.startsWith(p))) return null;
  const region = registration.provider?.inputs.region;
  return typeof region === "string" ? region : null;
}

/**
 * Decides one resource's operation from its old and new registration. `providerReplaced`: the
 * provider it was registered with is itself replaced in this update.
 */
export function decideOperation(before: Registration, after: Registration, providerReplaced = false): OperationDecision {
  if (before.type !== after.type) throw new Error(`decideOperation: type changed from ${before.type} to ${after.type}; a changed type is a new URN (delete + create), not an operation on one resource`);
  const diffReasons = changedKeys(before.inputs, after.inputs);
  const isProvider = after.type.startsWith("pulumi:providers:");
  const ownRule = isProvider ? providerConfigRules[after.type] : replaceRules[after.type];
  const replaceReasons = matching(ownRule, diffReasons);
  const sources = replaceReasons.length > 0 ? [ownRule!.source] : [];

  const beforeRegion = regionOf(before);
  const afterRegion = regionOf(after);
  if (beforeRegion !== null && afterRegion !== null && beforeRegion !== afterRegion) {
    diffReasons.push("region");
    replaceReasons.push("region");
    sources.push(regionRule.source);
  }

  const providerMoved = (before.provider?.urn ?? null) !== (after.provider?.urn ?? null);
  if (!isProvider && (providerMoved || providerReplaced)) {
    diffReasons.push("provider");
    const providerRule = after.provider ? providerConfigRules[after.provider.type] : undefined;
    const configChanges = changedKeys(before.provider?.inputs ?? {}, after.provider?.inputs ?? {});
    if (providerReplaced || matching(providerRule, configChanges).length > 0) {
      replaceReasons.push("provider");
      sources.push(providerRule?.source ?? "pulumi/pulumi#18509: a changed provider reference is diffed by the provider's DiffConfig");
    }
  }
  const op: ResourceOp = replaceReasons.length > 0 ? "replace" : diffReasons.length > 0 ? "update" : "same";
  return { op, diffReasons, replaceReasons, sources };
}

/** Whether `type` has a replacement rule (a type without one cannot be judged offline). */
export const hasReplaceRule = (type: string): boolean => type in replaceRules || type in providerConfigRules;
