/**
 * `WalArchiveBucket`: one region's pgBackRest repository. An S3 bucket (versioned, SSE-KMS
 * under a regional customer-managed key with a bucket key, every public-access block,
 * `BucketOwnerEnforced`, TLS-only) whose lifecycle is the safety net behind pgBackRest's own
 * retention; see `walArchiveLifecycle.ts` for how the two divide the work. EventBridge
 * notifications are on, so alarms can count the WAL objects that arrive.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  defaultRepositoryPath,
  deriveWalArchiveLifecycleDays,
  repositoryKeyPrefix,
  walArchiveLifecycleRules,
  type BackupCadence,
  type WalArchiveLifecycleDays,
  type WalArchiveRetention,
} from "../domain/walArchiveLifecycle";

export const walArchiveBucketType = "crazygary:dr:WalArchiveBucket";

/** Oldest TLS version the bucket accepts. */
export const minimumTlsVersion = "1.2";

/** A statement of an IAM or bucket policy document (plain JSON). */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  /** Absent only in trust policies. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * The bucket policy: refuse every request not made over TLS, and over TLS older than
 * {@link minimumTlsVersion}. Access itself is granted by IAM (the database hosts' role), not here.
 */
export function walArchiveBucketPolicy(bucketArn: string): PolicyDocument {
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { NumericLessThan: { "s3:TlsVersion": minimumTlsVersion } },
      },
    ],
  };
}

export interface WalArchiveBucketArgs {
  /** AWS provider of the bucket's region; the bucket and its key are created there. */
  provider: aws.Provider;
  /** The bucket's region code, as the provider has it (reported in outputs, used in the S3 endpoint). @example "us-east-1" */
  region: string;
  /**
   * Effective retention (runbook numbers, possibly tightened in stack config); the lifecycle
   * horizons are derived from it with {@link deriveWalArchiveLifecycleDays}.
   */
  retention: WalArchiveRetention;
  /** How often backups run, in hours (full: the runbook's 24; incremental: `schedules.incrementalEveryHours`). */
  cadence: BackupCadence;
  /**
   * pgBackRest `repo-path` inside the bucket; the lifecycle rules' prefixes follow it.
   * @default "/" (archive/ and backup/ at the bucket root, as the host's pgbackrest.conf has it)
   */
  repositoryPath?: string;
  /**
   * Days KMS waits before deleting the key once deletion is scheduled (7 to 30).
   * @default 30 (the longest: a deleted key makes every backup in the bucket unreadable)
   */
  keyDeletionWindowDays?: number;
}

export class WalArchiveBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly region: string;
  /** The regional S3 endpoint pgBackRest uses (`repo-s3-endpoint`). */
  readonly endpoint: string;
  readonly repositoryPath: string;
  /** The lifecycle horizons this bucket was given. */
  readonly lifecycleDays: WalArchiveLifecycleDays;

  constructor(name: string, args: WalArchiveBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(walArchiveBucketType, name, {}, opts);
    const repositoryPath = args.repositoryPath ?? defaultRepositoryPath;
    const keyDeletionWindowDays = args.keyDeletionWindowDays ?? 30;
    if (!Number.isInteger(keyDeletionWindowDays) || keyDeletionWindowDays < 7 || keyDeletionWindowDays > 30) {
      throw new Error(`WalArchiveBucket ${name}: keyDeletionWindowDays is ${keyDeletionWindowDays}; use whole days from 7 to 30`);
    }
    repositoryKeyPrefix(repositoryPath, "archive"); // validates the path before any resource exists
    this.lifecycleDays = deriveWalArchiveLifecycleDays(args.retention, args.cadence);
    this.region = args.region;
    this.endpoint = `s3.${args.region}.amazonaws.com`;
    this.repositoryPath = repositoryPath;

    const child = { parent: this, provider: args.provider };

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the pgBackRest repository bucket ${name} (WAL and base backups)`,
        enableKeyRotation: true,
        deletionWindowInDays: keyDeletionWindowDays,
      },
      { ...child, protect: true },
    );

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false }, { ...child, protect: true });

    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );

    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
      },
      child,
    );

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );

    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);

    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(walArchiveBucketPolicy(arn))) },
      { ...child, dependsOn: [publicAccessBlock] },
    );

    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: walArchiveLifecycleRules(repositoryPath, this.lifecycleDays) },
      { ...child, dependsOn: [versioning] },
    );

    new aws.s3.BucketNotification(`${name}-eventbridge`, { bucket: bucket.id, eventbridge: true }, child);

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.keyArn = key.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      keyArn: this.keyArn,
      region: this.region,
      endpoint: this.endpoint,
      repositoryPath: this.repositoryPath,
      lifecycleDays: this.lifecycleDays,
    });
  }
}
