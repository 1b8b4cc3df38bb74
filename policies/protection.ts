/**
 * Protection rules: the backups cannot be read by strangers, silently overwritten, or deleted
 * with the stack. WAL archive buckets are versioned, encrypted with a customer-managed KMS key,
 * closed to the public and to plain HTTP; keys rotate; topics are encrypted; stateful
 * resources are protected from `pulumi destroy`.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { statefulTypes } from "../domain/stateful";
import { resourcePolicy, resourcesPolicy, stackPolicy } from "./define";
import { resolveSettings } from "./settings";
import { describe, knownString, peek, settingsOfBucket, walArchiveBuckets } from "./stackView";

export const protectionPolicyNames = {
  walBucketVersioning: "protection-wal-bucket-versioning",
  walBucketEncryption: "protection-wal-bucket-encryption",
  walBucketPublicAccess: "protection-wal-bucket-public-access",
  walBucketTlsOnly: "protection-wal-bucket-tls-only",
  kmsRotation: "protection-kms-rotation",
  snsEncrypted: "protection-sns-encrypted",
  statefulProtected: "protection-stateful-resources-protected",
} as const;

export const s3SettingTypes = {
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

/** Types whose loss loses data, history or the DNS answer: they must be `protect`ed (or `retainOnDelete`). One list with the flip preview and the failover workflow's guard. */
export { statefulTypes };

export const publicAccessBlockFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** For each WAL archive bucket, the settings resources of `type` attached to it; reports when there are none. */
function forEachWalBucket(
  resources: readonly PolicyResource[],
  type: string,
  missing: string,
  report: ReportViolation,
  check: (bucket: PolicyResource, settings: PolicyResource[]) => void,
): void {
  for (const bucket of walArchiveBuckets(resources)) {
    const attached = settingsOfBucket(resources, type, bucket);
    if (attached.length === 0) report(`WAL archive bucket ${describe(bucket)} has no ${missing}`, bucket.urn);
    else check(bucket, attached);
  }
}

function checkVersioning(resources: readonly PolicyResource[], report: ReportViolation): void {
  forEachWalBucket(resources, s3SettingTypes.versioning, "BucketVersioning; declare one with status Enabled so an overwritten or deleted backup can be recovered", report, (bucket, versionings) => {
    for (const v of versionings) {
      const status = v.props.versioningConfiguration?.status;
      if (status !== "Enabled") report(`WAL archive bucket ${describe(bucket)} has versioning ${status ?? "unset"}; set versioningConfiguration.status to Enabled`, v.urn);
    }
  });
}

/** Whether a rule's KMS key is set (known, or coming from a KMS key the engine has not created yet). */
function kmsKeyOf(resources: readonly PolicyResource[], configuration: PolicyResource, rule: any): string | "pending" | undefined {
  const key = knownString(peek(() => rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId));
  if (key) return key;
  const fromKey = (configuration.propertyDependencies?.rules ?? []).some((d) => resources.some((r) => r.urn === d.urn && r.type === "aws:kms/key:Key"));
  return fromKey ? "pending" : undefined;
}

function checkEncryption(resources: readonly PolicyResource[], report: ReportViolation): void {
  forEachWalBucket(resources, s3SettingTypes.encryption, "server-side encryption configuration; declare SSE-KMS with the region's customer-managed key", report, (bucket, configurations) => {
    for (const configuration of configurations) {
      const rules: any[] = Array.isArray(configuration.props.rules) ? configuration.props.rules : [];
      const ok = rules.some((rule) => {
        const algorithm = rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
        const key = kmsKeyOf(resources, configuration, rule);
        return (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") && key !== undefined && !key.startsWith("alias/aws/");
      });
      if (!ok) {
        report(`WAL archive bucket ${describe(bucket)} is not encrypted with SSE-KMS under a customer-managed key; set sseAlgorithm aws:kms and kmsMasterKeyId to the region's KMS key (not an alias/aws/ key)`, configuration.urn);
      }
    }
  });
}

function checkPublicAccess(resources: readonly PolicyResource[], report: ReportViolation): void {
  forEachWalBucket(resources, s3SettingTypes.publicAccessBlock, "public access block; declare one with all four blocks on", report, (bucket, blocks) => {
    for (const block of blocks) {
      const off = publicAccessBlockFlags.filter((flag) => block.props[flag] !== true);
      if (off.length > 0) report(`WAL archive bucket ${describe(bucket)} leaves ${off.join(", ")} off; set all four public-access blocks to true`, block.urn);
    }
  });
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Whether a policy document denies every S3 action on the bucket and its objects to requests without TLS. */
export function deniesInsecureTransport(document: any): boolean {
  return asArray<any>(document?.Statement).some((s) => {
    const principal = s?.Principal;
    const everyone = principal === "*" || asArray(principal?.AWS).includes("*");
    const actions = asArray<string>(s?.Action);
    const secure = s?.Condition?.Bool?.["aws:SecureTransport"];
    const resourcesDenied = asArray<string>(s?.Resource);
    return (
      s?.Effect === "Deny" &&
      everyone &&
      (actions.includes("s3:*") || actions.includes("*")) &&
      (secure === "false" || secure === false) &&
      resourcesDenied.some((r) => r.endsWith("/*")) &&
      resourcesDenied.some((r) => !r.endsWith("/*"))
    );
  });
}

function checkTlsOnly(resources: readonly PolicyResource[], report: ReportViolation): void {
  forEachWalBucket(resources, s3SettingTypes.policy, "bucket policy; declare one denying s3:* when aws:SecureTransport is false", report, (bucket, policies) => {
    const texts = policies.map((p) => peek(() => p.props.policy));
    // A policy built from a bucket the engine has not created yet is unknown in that first
    // preview; it is checked by every later preview and by `pulumi up`.
    if (texts.every((t) => typeof t !== "string" || knownString(t) === undefined)) return;
    const documents = texts.flatMap((t) => {
      try {
        return typeof t === "string" ? [JSON.parse(t)] : [t];
      } catch {
        return [];
      }
    });
    if (!documents.some(deniesInsecureTransport)) {
      report(
        `WAL archive bucket ${describe(bucket)} accepts requests without TLS; its policy needs a statement denying s3:* to Principal "*" on the bucket and bucket/* when aws:SecureTransport is "false"`,
        policies[0].urn,
      );
    }
  });
}

/** The protection policies (no numbers to tighten; `overrides` are validated all the same). */
export function createProtectionPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  const settings = resolveSettings(overrides);
  return [
    stackPolicy({ name: protectionPolicyNames.walBucketVersioning, description: "WAL archive buckets are versioned.", settings: [] }, settings, (r, _s, report) => checkVersioning(r, report)),
    stackPolicy({ name: protectionPolicyNames.walBucketEncryption, description: "WAL archive buckets are encrypted with SSE-KMS under a customer-managed key.", settings: [] }, settings, (r, _s, report) => checkEncryption(r, report)),
    stackPolicy({ name: protectionPolicyNames.walBucketPublicAccess, description: "WAL archive buckets block all four kinds of public access.", settings: [] }, settings, (r, _s, report) => checkPublicAccess(r, report)),
    stackPolicy({ name: protectionPolicyNames.walBucketTlsOnly, description: "WAL archive bucket policies deny requests without TLS.", settings: [] }, settings, (r, _s, report) => checkTlsOnly(r, report)),
    resourcePolicy({ name: protectionPolicyNames.kmsRotation, description: "KMS keys rotate yearly.", settings: [] }, settings, aws.kms.Key, (props, args, _s, report) => {
      const spec = props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT") args.notApplicable(`${spec} keys cannot rotate`);
      if (props.enableKeyRotation !== true) report("KMS key rotation is off; set enableKeyRotation: true");
    }),
    resourcePolicy({ name: protectionPolicyNames.snsEncrypted, description: "SNS topics are encrypted with KMS.", settings: [] }, settings, aws.sns.Topic, (props, _args, _s, report) => {
      if (!knownString(props.kmsMasterKeyId)) report("SNS topic is not encrypted; set kmsMasterKeyId to a KMS key SNS and CloudWatch may use");
    }),
    resourcesPolicy(
      { name: protectionPolicyNames.statefulProtected, description: "Stateful resources (buckets, keys, secrets, log groups, health checks, failover records, topics) are protected from deletion.", settings: [] },
      settings,
      statefulTypes,
      (args, _s, report) => {
        // The real engine shows `protect`; the offline plan also shows `retainOnDelete`.
        const options = args.opts as { protect?: boolean; retainOnDelete?: boolean };
        if (options.protect !== true && options.retainOnDelete !== true) {
          report(`${args.type.split(":").pop()} ${args.name} holds state but is not protected; declare it with { protect: true } (or retainOnDelete: true)`);
        }
      },
    ),
  ];
}
