/**
 * Sharing rule: a secret whose resource policy lets another account read it is encrypted, and so
 * are its replicas, under a customer-managed KMS key, and its policy is put with
 * `blockPublicPolicy`. "You can't use the AWS managed key (aws/secretsmanager) for cross-account
 * access" (Secrets Manager user guide, "Access AWS Secrets Manager secrets from a different
 * account"; domain/secretSharing.ts): a shared secret under it is unreadable by the account it is
 * shared with, and the deploy of that account fails later, far from the cause.
 *
 * The secret of a `SecretPolicy` is found by the engine's property dependencies (`secretArn`
 * came from it; works in a preview), else by a known ARN. A key counts when it is a known ARN or id
 * that is not an `alias/aws/` one, or when the value came from a KMS key the stack declares.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { settinglessStackPolicy } from "./define";
import { describe, knownString, peek } from "./stackView";

export const sharedSecretKeyPolicyName = "protection-shared-secret-customer-key";

export const secretTypes = {
  secret: "aws:secretsmanager/secret:Secret",
  policy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  key: "aws:kms/key:Key",
} as const;

/** The secret a SecretPolicy is attached to, or undefined when the stack does not declare it. */
function secretOf(resources: readonly PolicyResource[], policy: PolicyResource): PolicyResource | undefined {
  const urns = (policy.propertyDependencies?.secretArn ?? []).map((d) => d.urn);
  const byDependency = resources.find((r) => r.type === secretTypes.secret && urns.includes(r.urn));
  if (byDependency) return byDependency;
  const arn = knownString(peek(() => policy.props.secretArn));
  return arn ? resources.find((r) => r.type === secretTypes.secret && knownString(peek(() => r.props.arn)) === arn) : undefined;
}

/** Whether `value` (the input `input` of `resource`) names a customer-managed key. */
function customerKey(resources: readonly PolicyResource[], resource: PolicyResource, input: string, value: unknown): boolean {
  const key = knownString(value);
  if (key) return !key.startsWith("alias/aws/");
  const deps = (resource.propertyDependencies?.[input] ?? []).map((d) => d.urn);
  return resources.some((r) => r.type === secretTypes.key && deps.includes(r.urn));
}

export function checkSharedSecretKeys(resources: readonly PolicyResource[], report: ReportViolation): void {
  for (const policy of resources.filter((r) => r.type === secretTypes.policy)) {
    const secret = secretOf(resources, policy);
    if (peek(() => policy.props.blockPublicPolicy) !== true) {
      report(`secret policy ${describe(policy)} is put without blockPublicPolicy; set blockPublicPolicy: true so a policy granting everyone is refused`, policy.urn);
    }
    if (!secret) continue;
    if (!customerKey(resources, secret, "kmsKeyId", peek(() => secret.props.kmsKeyId))) {
      report(
        `secret ${describe(secret)} is shared by a resource policy (${policy.name}) but encrypted with the AWS managed key aws/secretsmanager, which cannot be used across accounts; set kmsKeyId to a customer-managed KMS key whose key policy lets the reading accounts decrypt (domain/secretSharing.ts)`,
        secret.urn,
      );
    }
    const replicas: unknown[] = Array.isArray(peek(() => secret.props.replicas)) ? (secret.props.replicas as unknown[]) : [];
    for (const replica of replicas as { region?: unknown; kmsKeyId?: unknown }[]) {
      if (!customerKey(resources, secret, "replicas", replica?.kmsKeyId)) {
        report(
          `secret ${describe(secret)} is shared by a resource policy (${policy.name}), but its replica in ${knownString(replica?.region) ?? "a region"} uses the AWS managed key; set that replica's kmsKeyId to a customer-managed KMS key of its region`,
          secret.urn,
        );
      }
    }
  }
}

export const createSharedSecretKeyPolicies = settinglessStackPolicy(
  sharedSecretKeyPolicyName,
  "A secret shared with other accounts by a resource policy is encrypted, with its replicas, under customer-managed KMS keys, and its policy blocks public access.",
  checkSharedSecretKeys,
);
