/**
 * Every AWS resource type the cost report knows, with its pricer. A type of the plan missing
 * here is listed as "not priced" by name (never dropped); a free type names the price-table
 * entry that says why it is free.
 */
import { free, type Pricer } from "../context";
import { priceCompositeAlarm, priceDashboard, priceLogGroup, priceMetricAlarm } from "./cloudwatch";
import { priceHealthCheck, priceRecord } from "./route53";
import { priceKey, priceParameter, priceSecret } from "./security";
import { bucketType, priceBackupPlan, priceBucket } from "./storage";

export const pricers: Readonly<Record<string, Pricer>> = {
  "aws:route53/healthCheck:HealthCheck": priceHealthCheck,
  "aws:route53/record:Record": priceRecord,
  "aws:cloudwatch/metricAlarm:MetricAlarm": priceMetricAlarm,
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": priceCompositeAlarm,
  "aws:cloudwatch/dashboard:Dashboard": priceDashboard,
  "aws:cloudwatch/logGroup:LogGroup": priceLogGroup,
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": free("cloudwatch.free", "log resource policy (no charge)"),
  "aws:cloudwatch/eventRule:EventRule": free("eventbridge.awsServiceEvents", "rule on AWS service events (no charge)"),
  "aws:cloudwatch/eventTarget:EventTarget": free("eventbridge.awsServiceEvents", "target of AWS service events (no charge)"),
  [bucketType]: priceBucket,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketNotification:BucketNotification": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketPolicy:BucketPolicy": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": free("s3.configuration", "bucket setting (no charge)"),
  "aws:s3/bucketVersioning:BucketVersioning": free("s3.configuration", "bucket setting (no charge)"),
  "aws:backup/plan:Plan": priceBackupPlan,
  "aws:backup/selection:Selection": free("backup.configuration", "backup selection (no charge)"),
  "aws:backup/vault:Vault": free("backup.configuration", "vault (its storage is priced on the plan that fills it)"),
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": free("backup.configuration", "vault lock (no charge)"),
  "aws:backup/regionSettings:RegionSettings": free("backup.configuration", "region opt-in settings (no charge)"),
  "aws:kms/key:Key": priceKey,
  "aws:kms/alias:Alias": free("kms.alias", "alias (no charge)"),
  "aws:secretsmanager/secret:Secret": priceSecret,
  "aws:secretsmanager/secretVersion:SecretVersion": free("secretsmanager.version", "secret version (in the secret's price)"),
  "aws:secretsmanager/secretPolicy:SecretPolicy": free("secretsmanager.resourcePolicy", "resource policy (in the secret's price)"),
  "aws:ssm/parameter:Parameter": priceParameter,
  "aws:sns/topic:Topic": free("sns.topic", "topic (publishes far below the free million)"),
  "aws:sns/topicSubscription:TopicSubscription": free("sns.topic", "subscription (deliveries far below the free tier)"),
  "aws:iam/role:Role": free("iam.free", "IAM (no charge)"),
  "aws:iam/rolePolicy:RolePolicy": free("iam.free", "IAM (no charge)"),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": free("iam.free", "IAM (no charge)"),
  "aws:iam/instanceProfile:InstanceProfile": free("iam.free", "IAM (no charge)"),
  "aws:iam/policy:Policy": free("iam.free", "IAM (no charge)"),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": free("vpc.securityGroupRule", "security group rule (no charge)"),
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": free("chatbot.free", "Slack channel configuration (no charge)"),
};
