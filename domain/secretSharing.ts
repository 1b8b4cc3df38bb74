/**
 * Sharing a secret with the stacks that follow this one (`sync.source`) when they run in other AWS
 * accounts: dr reads prod's `schema_reader` secret to sync prod's schema (components/schemaSync).
 * Plain policy documents, decided from plain values; `DatabaseRoles` declares them.
 *
 * AWS's rules (Secrets Manager user guide, "Access AWS Secrets Manager secrets from a different
 * account", https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html):
 * - cross-account access needs a resource policy on the secret AND an identity policy in the
 *   other account;
 * - "you can't use the AWS managed key (aws/secretsmanager) for cross-account access. Instead, you
 *   must encrypt your secret with a KMS key that you create, and then attach a key policy to it",
 *   whose statement lets the other account `kms:Decrypt` and `kms:DescribeKey`;
 * - a resource policy naming `arn:aws:iam::<account>:root` lets that account's administrator
 *   delegate the right to its users and roles; `secretsmanager:VersionStage` AWSCURRENT limits it
 *   to the current version ("Resource-based policies",
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html);
 * - a replica needs a key in its own region (ReplicaRegionType KmsKeyId), and "Secrets Manager
 *   replicates the encrypted secret data and metadata such as tags and resource policies across the
 *   specified Regions" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html);
 *   PutResourcePolicy on a replica is refused ("Operation not permitted on a replica secret",
 *   lgallard/terraform-aws-secrets-manager#188), so the policy is put on the primary only.
 */

/** An IAM policy document (resource or key policy). */
export interface SharingPolicyDocument {
  Version: "2012-10-17";
  Statement: {
    Sid: string;
    Effect: "Allow";
    Principal: { AWS: string | string[] };
    Action: string | string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string | string[]>>;
  }[];
}

const accountRoot = (partition: string, accountId: string) => `arn:${partition}:iam::${accountId}:root`;

/**
 * Refuses a follower list that is not 12-digit account ids, repeats one, or names the stack's own
 * account (a follower in the same account reads with its own IAM rights: the AWS managed key and
 * no resource policy suffice). Returns each problem with the entry's index, its value and what is
 * wrong ("is ...", to follow the value).
 */
export function followerAccountProblems(ownAccountId: string, followerAccountIds: readonly string[]): { index: number; value: string; message: string }[] {
  return followerAccountIds.flatMap((value, index) => {
    if (!/^[0-9]{12}$/.test(value)) return [{ index, value, message: 'is not an AWS account id; use the 12 digits in quotes, e.g. "210987654321"' }];
    if (value === ownAccountId) return [{ index, value, message: "is this stack's own account (accountId); list only other accounts: a follower in the same account needs no resource policy" }];
    if (followerAccountIds.indexOf(value) !== index) return [{ index, value, message: "is listed twice; list each account once" }];
    return [];
  });
}

/** The secret's resource policy: each follower account may read its current value, nothing else. */
export function followerSecretPolicy(followerAccountIds: readonly string[], partition = "aws"): SharingPolicyDocument {
  if (followerAccountIds.length === 0) throw new Error("followerSecretPolicy: followerAccountIds is empty; a secret no other account reads needs no resource policy");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "FollowerAccountsReadCurrentValue",
        Effect: "Allow",
        Principal: { AWS: followerAccountIds.map((id) => accountRoot(partition, id)) },
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "secretsmanager:VersionStage": "AWSCURRENT" } },
      },
    ],
  };
}

/**
 * The key policy of the customer-managed key that encrypts a shared secret in `region`:
 * - the key's own account keeps the default statement, so IAM policies govern the key there and it
 *   never becomes unmanageable (AWS KMS developer guide, "Default key policy",
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
 * - each follower account may `kms:Decrypt` and `kms:DescribeKey` (the cross-account page's key
 *   policy statement), only through Secrets Manager in that region (`kms:ViaService`,
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 * In a key policy `"Resource": "*"` means this key.
 */
export function followerKeyPolicy(params: { ownAccountId: string; followerAccountIds: readonly string[]; region: string; partition?: string }): SharingPolicyDocument {
  const partition = params.partition ?? "aws";
  if (params.followerAccountIds.length === 0) throw new Error("followerKeyPolicy: followerAccountIds is empty; a secret no other account reads keeps the AWS managed key");
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "EnableIamPoliciesOfThisAccount", Effect: "Allow", Principal: { AWS: accountRoot(partition, params.ownAccountId) }, Action: "kms:*", Resource: "*" },
      {
        Sid: "FollowerAccountsDecryptThroughSecretsManager",
        Effect: "Allow",
        Principal: { AWS: params.followerAccountIds.map((id) => accountRoot(partition, id)) },
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${params.region}.amazonaws.com` } },
      },
    ],
  };
}
