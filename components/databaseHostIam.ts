/**
 * `DatabaseHostIam`: the IAM role (and instance profile) a database host runs with. It may do
 * exactly what pgBackRest and the host's scripts do: read, write, list and delete objects of
 * the repositories in both regions' buckets, use the two buckets' KMS keys through S3,
 * publish the backup and replication metrics, and read the passwords of the roles its
 * processes log in as and Patroni's REST API credentials (configure-postgres.sh). The policy document is built by a pure function.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { secretArnInRegion } from "../domain/databaseRoles";
import { repositoryKeyPrefix } from "../domain/walArchiveLifecycle";
import { HOST_METRICS } from "../domain/hostMetrics";
import type { PolicyDocument } from "./walArchiveBucket";

export const databaseHostIamType = "crazygary:dr:DatabaseHostIam";

/**
 * Metric namespaces the hosts publish to: the backup jobs, the monitor and the restore test
 * publish `CrazyGary/Backup`; the standby's monitor publishes `CrazyGary/Database`
 * ReplicationLagSeconds (from the heartbeat). Both are needed, nothing else.
 */
export const hostMetricNamespaces = Object.freeze([HOST_METRICS.backupNamespace, HOST_METRICS.databaseNamespace] as const);

/** One pgBackRest repository the host reaches: a bucket, its key, its region. */
export interface RepositoryAccess {
  bucketArn: string;
  keyArn: string;
  /** The bucket's (and key's) region code. */
  region: string;
  /** pgBackRest `repo-path` inside the bucket. */
  repositoryPath: string;
}

/** The object ARN pattern of a repository: `arn:aws:s3:::bucket/*` at the root, `.../pgbackrest/*` under a path. */
export function repositoryObjectsArn(repo: Pick<RepositoryAccess, "bucketArn" | "repositoryPath">): string {
  const prefix = repositoryKeyPrefix(repo.repositoryPath, "archive").replace(/archive\/$/, "");
  return `${repo.bucketArn}/${prefix}*`;
}

/** Trust policy: EC2 instances assume the role through the instance profile. */
export function databaseHostTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "Ec2InstancesAssume", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/**
 * The host's permissions over every repository (both regions, so each host pushes WAL and
 * backups to both):
 * - `s3:ListBucket` on the buckets (pgBackRest lists the repository; bucket ARN);
 * - `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject` on the repository's objects (restore
 *   and archive-get read; backup and archive-push write, multipart parts included; expire
 *   deletes). No version, ACL or tagging action: pgBackRest 2.45 uses none;
 * - `kms:GenerateDataKey` (write) and `kms:Decrypt` (read, and multipart completion) on the
 *   two keys, only when S3 calls KMS on the host's behalf (`kms:ViaService`). SSE-KMS with a
 *   bucket key needs no more: S3 calls KMS itself, `kms:Encrypt` and `kms:DescribeKey` are
 *   never used for objects;
 * - `cloudwatch:PutMetricData` in the two regions, only into {@link hostMetricNamespaces}.
 *   PutMetricData has no resource-level permissions: AWS requires `Resource: "*"` for it,
 *   the namespace condition is how it is narrowed;
 * - `secretsmanager:GetSecretValue` on exactly the secrets the host reads: the roles it logs in
 *   as (`pgbackrest`, `monitor`, `replicator`, Patroni's `rewinder`; never `schema_reader`) and
 *   Patroni's REST API credentials (configure-postgres.sh), each in every repository
 *   region: the primary secret in its home region and its replica in the other, which has the
 *   same ARN but for the region (https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html),
 *   so a host reads it in its own region during the other's outage. No KMS right: the secrets
 *   are encrypted with the AWS managed key `aws/secretsmanager`, whose key policy lets every
 *   principal of the account use it through Secrets Manager
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html);
 * - `secretsmanager:DescribeSecret` on the same secrets, only for a host that reads replicas
 *   (`secretReplicaRegion`): its `<name>-secret-replicas` step (components/databaseHost/preflight/
 *   secret-replicas.sh) asks the replica in that region for its versions and the primary, in its
 *   home region, for the replica's ReplicationStatus. DescribeSecret returns no secret value
 *   ("It does not include the encrypted secret value",
 *   https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html).
 */
export function databaseHostPolicy(repositories: readonly RepositoryAccess[], roleSecretArns: readonly string[] = [], secretReplicaRegion?: string): PolicyDocument {
  if (repositories.length === 0) throw new Error("databaseHostPolicy: repositories is empty; give every region's repository");
  const regions = [...new Set(repositories.map((r) => r.region))];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListRepositoryBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: repositories.map((r) => r.bucketArn) },
      {
        Sid: "ReadWriteRepositoryObjects",
        Effect: "Allow",
        Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        Resource: repositories.map(repositoryObjectsArn),
      },
      {
        Sid: "UseRepositoryKeysThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: repositories.map((r) => r.keyArn),
        Condition: { StringEquals: { "kms:ViaService": regions.map((region) => `s3.${region}.amazonaws.com`) } },
      },
      {
        Sid: "PublishBackupAndReplicationMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        // PutMetricData supports no resource-level permissions; AWS requires "*" here.
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": [...hostMetricNamespaces], "aws:RequestedRegion": regions } },
      },
      ...(roleSecretArns.length === 0
        ? []
        : [
            {
              Sid: "ReadDatabaseRolePasswords",
              Effect: "Allow" as const,
              Action: ["secretsmanager:GetSecretValue"],
              Resource: roleSecretArns.flatMap((arn) => regions.map((region) => secretArnInRegion(arn, region))),
            },
          ]),
      ...(roleSecretArns.length === 0 || secretReplicaRegion === undefined
        ? []
        : [
            {
              Sid: "WaitForSecretReplicas",
              Effect: "Allow" as const,
              Action: ["secretsmanager:DescribeSecret"],
              Resource: roleSecretArns.flatMap((arn) => [arn, secretArnInRegion(arn, secretReplicaRegion)]),
            },
          ]),
    ],
  };
}

/** A repository as the component receives it (bucket and key ARNs are outputs of `WalArchiveBucket`). */
export interface RepositoryAccessInput {
  bucketArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  /** The bucket's region code. */
  region: string;
  /** pgBackRest `repo-path` inside the bucket. @default "/" */
  repositoryPath?: string;
}

export interface DatabaseHostIamArgs {
  /** AWS provider of the hosts' region role (IAM is global; the provider names the account). */
  provider: aws.Provider;
  /** Every region's repository, primary region's first. */
  repositories: RepositoryAccessInput[];
  /**
   * ARNs (in their home region) of the secrets the host reads: the passwords of the roles it logs
   * in as and Patroni's REST API credentials; the host may read each, and its replica, in every
   * repository region.
   * @default [] (no Secrets Manager right)
   */
  roleSecretArns?: pulumi.Input<string>[];
  /**
   * The region whose replicas of those secrets the host reads (its own, when it is not the
   * secrets' home region): the host may then DescribeSecret them there and in their home region,
   * to wait for the replicas before reading them.
   * @default none (the host reads the primary secrets; no DescribeSecret)
   */
  secretReplicaRegion?: string;
}

export class DatabaseHostIam extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly instanceProfileName: pulumi.Output<string>;
  readonly instanceProfileArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseHostIamArgs, opts?: pulumi.ComponentResourceOptions) {
    super(databaseHostIamType, name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const repositories = args.repositories.map((r) => ({ ...r, repositoryPath: r.repositoryPath ?? "/" }));
    if (repositories.length === 0) throw new Error(`DatabaseHostIam ${name}: repositories is empty; give every region's repository`);
    for (const repo of repositories) repositoryKeyPrefix(repo.repositoryPath, "backup"); // a bad path fails here, before any resource

    const role = new aws.iam.Role(
      `${name}-role`,
      { description: "pgBackRest and the backup scripts on a Crazy-Gary database host", assumeRolePolicy: JSON.stringify(databaseHostTrustPolicy()) },
      child,
    );

    const policy = pulumi
      .all([pulumi.all(repositories.map((r) => pulumi.all([r.bucketArn, r.keyArn]))), pulumi.all(args.roleSecretArns ?? [])])
      .apply(([arns, secretArns]) =>
        JSON.stringify(databaseHostPolicy(repositories.map((r, i) => ({ ...r, bucketArn: arns[i]![0], keyArn: arns[i]![1] })), secretArns, args.secretReplicaRegion)),
      );
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy }, child);

    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, child);

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.instanceProfileName = profile.name;
    this.instanceProfileArn = profile.arn;
    this.registerOutputs({ roleArn: this.roleArn, instanceProfileName: this.instanceProfileName, instanceProfileArn: this.instanceProfileArn });
  }
}
