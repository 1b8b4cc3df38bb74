import { describe, expect, it } from "vitest";
import { followerAccountProblems, followerKeyPolicy, followerSecretPolicy } from "../domain/secretSharing";
import { resource, violationsOf } from "./policies/fixtures";
import { sharedSecretKeyPolicyName } from "../policies/sharedSecretKey";
import { schemaReaderAccessProblem } from "../infra/environmentSync/source";

describe("the policies that share prod's schema_reader secret with dr's account", () => {
  it("resource policy: each follower account (its root, so its administrator delegates) reads the current value, nothing else", () => {
    expect(followerSecretPolicy(["210987654321"])).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "FollowerAccountsReadCurrentValue",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::210987654321:root"] },
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { "ForAnyValue:StringEquals": { "secretsmanager:VersionStage": "AWSCURRENT" } },
        },
      ],
    });
  });

  it("key policy: the own account administers the key through IAM; followers Decrypt and DescribeKey only through Secrets Manager in the key's region", () => {
    expect(followerKeyPolicy({ ownAccountId: "123456789012", followerAccountIds: ["210987654321"], region: "us-west-2" })).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "EnableIamPoliciesOfThisAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
        {
          Sid: "FollowerAccountsDecryptThroughSecretsManager",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::210987654321:root"] },
          Action: ["kms:Decrypt", "kms:DescribeKey"],
          Resource: "*",
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
        },
      ],
    });
    expect(followerKeyPolicy({ ownAccountId: "123456789012", followerAccountIds: ["210987654321"], region: "cn-north-1", partition: "aws-cn" }).Statement[0]!.Principal).toEqual({ AWS: "arn:aws-cn:iam::123456789012:root" });
  });

  it("refuses to build a policy for nobody", () => {
    expect(() => followerSecretPolicy([])).toThrow("followerSecretPolicy: followerAccountIds is empty");
    expect(() => followerKeyPolicy({ ownAccountId: "123456789012", followerAccountIds: [], region: "us-east-1" })).toThrow("followerKeyPolicy: followerAccountIds is empty");
  });

  it("names each bad follower entry by index: not an account id, the own account, a repeat", () => {
    expect(followerAccountProblems("123456789012", ["21098765432", "123456789012", "210987654321", "210987654321"])).toEqual([
      { index: 0, value: "21098765432", message: 'is not an AWS account id; use the 12 digits in quotes, e.g. "210987654321"' },
      { index: 1, value: "123456789012", message: "is this stack's own account (accountId); list only other accounts: a follower in the same account needs no resource policy" },
      { index: 3, value: "210987654321", message: "is listed twice; list each account once" },
    ]);
  });
});

/** A shared secret as the engine shows it: a key per region, the secret and its replica under them, its policy. */
function sharedSecretPlan() {
  const key = resource("aws:kms/key:Key", "key-home", {}, { region: "us-east-1", protect: true });
  const replicaKey = resource("aws:kms/key:Key", "key-replica", {}, { region: "us-west-2", protect: true });
  const secret = resource(
    "aws:secretsmanager/secret:Secret",
    "reader-secret",
    { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/home", replicas: [{ region: "us-west-2", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/replica" }] },
    { region: "us-east-1", protect: true, propertyDependencies: { kmsKeyId: [key.urn], replicas: [replicaKey.urn] } },
  );
  const policy = resource(
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "reader-secret-policy",
    { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:reader-AbCdEf", policy: JSON.stringify(followerSecretPolicy(["210987654321"])), blockPublicPolicy: true },
    { region: "us-east-1", propertyDependencies: { secretArn: [secret.urn] } },
  );
  return { plan: [key, replicaKey, secret, policy], secret, policy };
}

describe(`policy ${sharedSecretKeyPolicyName}`, () => {
  it("passes a shared secret under customer-managed keys, at home and in its replica, whose policy blocks public access", async () => {
    expect(await violationsOf(sharedSecretKeyPolicyName, sharedSecretPlan().plan)).toEqual([]);
  });

  it("passes while the keys are not created yet (a first preview): the values come from the stack's KMS keys", async () => {
    const { plan, secret } = sharedSecretPlan();
    secret.inputs.kmsKeyId = "[unknown]";
    secret.inputs.replicas = [{ region: "us-west-2", kmsKeyId: "[unknown]" }];
    expect(await violationsOf(sharedSecretKeyPolicyName, plan)).toEqual([]);
  });

  it.each([
    [
      "the secret under aws/secretsmanager",
      (s: ReturnType<typeof sharedSecretPlan>) => {
        delete s.secret.inputs.kmsKeyId;
        delete s.secret.propertyDependencies!.kmsKeyId;
        return s.secret.urn;
      },
      "secret reader-secret (us-east-1) is shared by a resource policy (reader-secret-policy) but encrypted with the AWS managed key aws/secretsmanager, which cannot be used across accounts; set kmsKeyId to a customer-managed KMS key whose key policy lets the reading accounts decrypt (domain/secretSharing.ts)",
    ],
    [
      "the secret under the alias of the AWS managed key",
      (s: ReturnType<typeof sharedSecretPlan>) => {
        s.secret.inputs.kmsKeyId = "alias/aws/secretsmanager";
        return s.secret.urn;
      },
      "secret reader-secret (us-east-1) is shared by a resource policy (reader-secret-policy) but encrypted with the AWS managed key aws/secretsmanager",
    ],
    [
      "the replica under aws/secretsmanager",
      (s: ReturnType<typeof sharedSecretPlan>) => {
        s.secret.inputs.replicas = [{ region: "us-west-2" }];
        delete s.secret.propertyDependencies!.replicas;
        return s.secret.urn;
      },
      "secret reader-secret (us-east-1) is shared by a resource policy (reader-secret-policy), but its replica in us-west-2 uses the AWS managed key; set that replica's kmsKeyId to a customer-managed KMS key of its region",
    ],
    [
      "a policy put without blockPublicPolicy",
      (s: ReturnType<typeof sharedSecretPlan>) => {
        delete s.policy.inputs.blockPublicPolicy;
        return s.policy.urn;
      },
      "secret policy reader-secret-policy (us-east-1) is put without blockPublicPolicy; set blockPublicPolicy: true so a policy granting everyone is refused",
    ],
  ])("reports %s, mandatory, on the resource", async (_case, mutate, message) => {
    const shared = sharedSecretPlan();
    const urn = mutate(shared);
    const violations = await violationsOf(sharedSecretKeyPolicyName, shared.plan);
    expect(violations).toEqual([expect.objectContaining({ policy: sharedSecretKeyPolicyName, enforcementLevel: "mandatory", urn, message: expect.stringContaining(message) })]);
  });
});

describe("dr's check of prod's schema reader secret", () => {
  const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crazy-gary/prod/postgres/schema_reader-AbCdEf";
  it("accepts a secret in its own account (the documented same-account path) or one shared with its account", () => {
    expect(schemaReaderAccessProblem("org/p/prod", "123456789012", { passwordSecretArn: arn, readerAccountIds: [] })).toBeUndefined();
    expect(schemaReaderAccessProblem("org/p/prod", "210987654321", { passwordSecretArn: arn, readerAccountIds: ["210987654321"] })).toBeUndefined();
  });
  it("refuses one in another account not shared with it, saying what to add where", () => {
    expect(schemaReaderAccessProblem("org/p/prod", "210987654321", { passwordSecretArn: arn, readerAccountIds: ["333333333333"] })).toBe(
      'schemaSource.passwordSecretArn: org/p/prod\'s schema_reader secret is in account 123456789012, which does not share it with this stack\'s account 210987654321 (its readerAccountIds: ["333333333333"]); add "210987654321" to org/p/prod\'s followerAccountIds and run `pulumi up` on org/p/prod first',
    );
  });
});
