import { describe, expect, it } from "vitest";
import { deniesInsecureTransport } from "../../policies/protection";
import { byName, compliantPlan, violationsOf, type ViolationCase, describeViolationCases } from "./fixtures";

type Plan = ReturnType<typeof compliantPlan>;

const change = (name: string, edit: (inputs: Record<string, any>) => void) => (plan: Plan) => {
  const resource = byName(plan, name);
  edit(resource.inputs);
  return resource.urn;
};

const tlsPolicy = (plan: Plan) => JSON.parse(byName(plan, "wal-primary-policy").inputs.policy as string);

const cases: ViolationCase[] = [
  {
    policy: "protection-wal-bucket-versioning",
    change: "versioning suspended",
    mutate: change("wal-primary-versioning", (i) => (i.versioningConfiguration = { status: "Suspended" })),
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) has versioning Suspended; set versioningConfiguration.status to Enabled/,
  },
  {
    policy: "protection-wal-bucket-versioning",
    change: "no versioning resource",
    mutate: (plan) => {
      plan.splice(plan.indexOf(byName(plan, "wal-secondary-versioning")), 1);
      return byName(plan, "wal-secondary-bucket").urn;
    },
    message: /^WAL archive bucket wal-secondary-bucket \(us-west-2\) has no BucketVersioning/,
  },
  {
    policy: "protection-wal-bucket-encryption",
    change: "SSE-S3 instead of SSE-KMS",
    mutate: change("wal-primary-encryption", (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }])),
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) is not encrypted with SSE-KMS under a customer-managed key/,
  },
  {
    policy: "protection-wal-bucket-encryption",
    change: "the AWS-managed key",
    mutate: (plan) => {
      const encryption = byName(plan, "wal-secondary-encryption");
      encryption.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" } }];
      encryption.propertyDependencies = { bucket: encryption.propertyDependencies!.bucket };
      return encryption.urn;
    },
    message: /^WAL archive bucket wal-secondary-bucket \(us-west-2\) is not encrypted with SSE-KMS under a customer-managed key/,
  },
  {
    policy: "protection-wal-bucket-public-access",
    change: "restrictPublicBuckets off",
    mutate: change("wal-primary-public-access", (i) => (i.restrictPublicBuckets = false)),
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) leaves restrictPublicBuckets off; set all four public-access blocks to true/,
  },
  {
    policy: "protection-wal-bucket-tls-only",
    change: "the deny statement only covers objects",
    mutate: (plan) => {
      const document = tlsPolicy(plan);
      document.Statement[0].Resource = document.Statement[0].Resource.filter((r: string) => r.endsWith("/*"));
      return change("wal-primary-policy", (i) => (i.policy = JSON.stringify(document)))(plan);
    },
    message: /^WAL archive bucket wal-primary-bucket \(us-east-1\) accepts requests without TLS; its policy needs a statement denying s3:\*/,
  },
  {
    policy: "protection-wal-bucket-tls-only",
    change: "the statement allows instead of denies",
    mutate: (plan) => {
      const document = tlsPolicy(plan);
      document.Statement[0].Effect = "Allow";
      return change("wal-primary-policy", (i) => (i.policy = JSON.stringify(document)))(plan);
    },
    message: /accepts requests without TLS/,
  },
  {
    policy: "protection-kms-rotation",
    change: "rotation off",
    mutate: change("wal-secondary-key", (i) => (i.enableKeyRotation = false)),
    message: /^KMS key rotation is off; set enableKeyRotation: true$/,
  },
  {
    policy: "protection-sns-encrypted",
    change: "no KMS key",
    mutate: change("alerts-p0-primary", (i) => delete i.kmsMasterKeyId),
    message: /^SNS topic is not encrypted; set kmsMasterKeyId/,
  },
  {
    policy: "protection-stateful-resources-protected",
    change: "bucket not protected",
    mutate: (plan) => {
      const bucket = byName(plan, "wal-primary-bucket");
      bucket.options.protect = false;
      return bucket.urn;
    },
    message: /^Bucket wal-primary-bucket holds state but is not protected; declare it with \{ protect: true \}/,
  },
  {
    policy: "protection-stateful-resources-protected",
    change: "health check not protected",
    mutate: (plan) => {
      const check = byName(plan, "dns-api-secondary-health");
      check.options.protect = false;
      return check.urn;
    },
    message: /^HealthCheck dns-api-secondary-health holds state but is not protected/,
  },
];

describeViolationCases(cases);

describe("protection details", () => {
  it("accepts retainOnDelete instead of protect (the secret in the fixture)", async () => {
    const plan = compliantPlan();
    expect(byName(plan, "db-primary-pgbackrest").options).toMatchObject({ protect: false, retainOnDelete: true });
    expect(await violationsOf("protection-stateful-resources-protected", plan)).toEqual([]);
  });

  it("asymmetric KMS keys are not applicable to rotation", async () => {
    const plan = compliantPlan();
    Object.assign(byName(plan, "wal-primary-key").inputs, { customerMasterKeySpec: "RSA_2048", enableKeyRotation: false });
    expect(await violationsOf("protection-kms-rotation", plan)).toEqual([]);
  });

  it("reads the TLS statement with the principal as {AWS: '*'} and the action as a list", () => {
    expect(
      deniesInsecureTransport({
        Statement: [{ Effect: "Deny", Principal: { AWS: ["*"] }, Action: ["s3:*"], Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": false } } }],
      }),
    ).toBe(true);
  });
});
