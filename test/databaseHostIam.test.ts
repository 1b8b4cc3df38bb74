import { describe, expect, it } from "vitest";
import {
  databaseHostIamType,
  databaseHostPolicy,
  databaseHostTrustPolicy,
  hostMetricNamespaces,
  repositoryObjectsArn,
  type RepositoryAccess,
} from "../components/databaseHostIam";
import { HOST_METRICS } from "../domain/hostMetrics";
import { parentName, planOf, providerName, resource } from "./support/backups";

const repositories: RepositoryAccess[] = [
  { bucketArn: "arn:aws:s3:::wal-a", keyArn: "arn:aws:kms:us-east-1:123456789012:key/a", region: "us-east-1", repositoryPath: "/" },
  { bucketArn: "arn:aws:s3:::wal-b", keyArn: "arn:aws:kms:us-west-2:123456789012:key/b", region: "us-west-2", repositoryPath: "/" },
];

/** The document for two repositories in us-east-1 and us-west-2, written out in full. */
const expectedPolicy = (bucketArns: [string, string], keyArns: [string, string], regions: [string, string], secretArns: string[] = [], describeSecretArns: string[] = []) => ({
  Version: "2012-10-17",
  Statement: [
    { Sid: "ListRepositoryBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArns },
    { Sid: "ReadWriteRepositoryObjects", Effect: "Allow", Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: bucketArns.map((arn) => `${arn}/*`) },
    {
      Sid: "UseRepositoryKeysThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: keyArns,
      Condition: { StringEquals: { "kms:ViaService": regions.map((r) => `s3.${r}.amazonaws.com`) } },
    },
    {
      Sid: "PublishBackupAndReplicationMetrics",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricData"],
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": ["CrazyGary/Backup", "CrazyGary/Database"], "aws:RequestedRegion": regions } },
    },
    ...(secretArns.length === 0 ? [] : [{ Sid: "ReadDatabaseRolePasswords", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns }]),
    ...(describeSecretArns.length === 0 ? [] : [{ Sid: "WaitForSecretReplicas", Effect: "Allow", Action: ["secretsmanager:DescribeSecret"], Resource: describeSecretArns }]),
  ],
});

describe("the database host policy document", () => {
  it("allows exactly the S3, KMS and CloudWatch actions pgBackRest and the scripts use, on exactly the two repositories", () => {
    expect(databaseHostPolicy(repositories)).toEqual(
      expectedPolicy(["arn:aws:s3:::wal-a", "arn:aws:s3:::wal-b"], ["arn:aws:kms:us-east-1:123456789012:key/a", "arn:aws:kms:us-west-2:123456789012:key/b"], ["us-east-1", "us-west-2"]),
    );
  });

  it("has no wildcard action, and a wildcard resource only for PutMetricData (which has no resource-level permissions)", () => {
    const statements = databaseHostPolicy(repositories).Statement;
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(statements.filter((s) => [s.Resource].flat().some((r) => r?.includes("*") && !r.endsWith("/*"))).map((s) => s.Action)).toEqual([["cloudwatch:PutMetricData"]]);
  });

  it("lets the host read exactly the given role secrets, each in every repository region (the primary secret and its replica)", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crazy-gary/prod/postgres/monitor-AbCdEf";
    expect(databaseHostPolicy(repositories, [secret]).Statement.at(-1)).toEqual({
      Sid: "ReadDatabaseRolePasswords",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [secret, "arn:aws:secretsmanager:us-west-2:123456789012:secret:crazy-gary/prod/postgres/monitor-AbCdEf"],
    });
  });

  it("lets a host that reads replicas DescribeSecret exactly those secrets, at home and in its region, to wait for the replicas; a host at home gets no DescribeSecret", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crazy-gary/prod/postgres/monitor-AbCdEf";
    const replica = "arn:aws:secretsmanager:us-west-2:123456789012:secret:crazy-gary/prod/postgres/monitor-AbCdEf";
    expect(databaseHostPolicy(repositories, [secret], "us-west-2").Statement.slice(-2)).toEqual([
      { Sid: "ReadDatabaseRolePasswords", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secret, replica] },
      { Sid: "WaitForSecretReplicas", Effect: "Allow", Action: ["secretsmanager:DescribeSecret"], Resource: [secret, replica] },
    ]);
    expect(databaseHostPolicy(repositories, [secret]).Statement.map((s) => s.Sid)).not.toContain("WaitForSecretReplicas");
    expect(databaseHostPolicy(repositories, [], "us-west-2").Statement.map((s) => s.Sid)).not.toContain("WaitForSecretReplicas");
  });

  it("refuses a secret ARN that is not one, naming it", () => {
    expect(() => databaseHostPolicy(repositories, ["arn:aws:s3:::not-a-secret"])).toThrow(
      'secretArnInRegion: "arn:aws:s3:::not-a-secret" is not a Secrets Manager secret ARN',
    );
  });

  it("allows the namespaces the host scripts publish to, and no other", () => {
    expect([...hostMetricNamespaces].sort()).toEqual([HOST_METRICS.backupNamespace, HOST_METRICS.databaseNamespace].sort());
  });

  it.each([
    ["/", "arn:aws:s3:::wal-a/*"],
    ["/pgbackrest", "arn:aws:s3:::wal-a/pgbackrest/*"],
  ])("limits object access to the repository path %s: %s", (repositoryPath, arn) => {
    expect(repositoryObjectsArn({ bucketArn: "arn:aws:s3:::wal-a", repositoryPath })).toBe(arn);
  });

  it("refuses an empty repository list", () => {
    expect(() => databaseHostPolicy([])).toThrow("databaseHostPolicy: repositories is empty");
  });

  it("is assumed by EC2 instances only", () => {
    expect(databaseHostTrustPolicy()).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "Ec2InstancesAssume", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
  });
});

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }],
] as const)("the %s stack's database host IAM", (stack, regions) => {
  describe.each(["primary", "secondary"] as const)("%s", (role) => {
    const name = `database-host-iam-${role}`;

    it(`is a role, its inline policy and an instance profile, through the ${role} provider (${regions[role]})`, async () => {
      const plan = await planOf(stack);
      expect(resource(plan, databaseHostIamType, name).custom).toBe(false);
      const children = plan.resources.filter((r) => parentName(r) === name);
      expect(children.map((r) => [r.type, r.name, r.region, providerName(r)])).toEqual([
        ["aws:iam/instanceProfile:InstanceProfile", `${name}-profile`, regions[role], `aws-${role}`],
        ["aws:iam/role:Role", `${name}-role`, regions[role], `aws-${role}`],
        ["aws:iam/rolePolicy:RolePolicy", `${name}-policy`, regions[role], `aws-${role}`],
      ]);
      expect(JSON.parse(resource(plan, "aws:iam/role:Role", `${name}-role`).inputs.assumeRolePolicy as string)).toEqual(databaseHostTrustPolicy());
      expect(resource(plan, "aws:iam/instanceProfile:InstanceProfile", `${name}-profile`).inputs).toEqual({ role: `${name}-role` });
    });

    it(`allows exactly the two buckets and keys of the stack, in their regions, and reading the host roles' secrets and Patroni's REST API secret (no SSM parameter: the lease is gone)${role === "secondary" ? ", and describing them to wait for their replicas" : ""}`, async () => {
      const plan = await planOf(stack);
      const policy = resource(plan, "aws:iam/rolePolicy:RolePolicy", `${name}-policy`);
      const secretArns = [...["pgbackrest", "monitor", "replicator", "rewinder"].map((dbRole) => `database-roles-${dbRole}-secret`), "patroni-rest-secret"].flatMap((secret) =>
        [regions.primary, regions.secondary].map((region) => `arn:aws:secretsmanager:${region}:123456789012:secret:${secret}-AbCdEf`),
      );
      expect(policy.inputs.role).toBe(`${name}-role`);
      expect(JSON.parse(policy.inputs.policy as string)).toEqual(
        expectedPolicy(
          ["arn:aws:s3:::wal-archive-primary-bucket-0a1b2c3", "arn:aws:s3:::wal-archive-secondary-bucket-0a1b2c3"],
          [`arn:aws:kms:${regions.primary}:123456789012:key/wal-archive-primary-key-id`, `arn:aws:kms:${regions.secondary}:123456789012:key/wal-archive-secondary-key-id`],
          [regions.primary, regions.secondary],
          // The secrets of pgbackrest, monitor, replicator and rewinder (never schema_reader) and the REST API's, at home and replicated.
          secretArns,
          // Only the host outside the secrets' home region waits for replicas.
          role === "secondary" ? secretArns : [],
        ),
      );
    });
  });

  it("exports each region's instance profile name", async () => {
    const plan = await planOf(stack);
    expect(plan.outputs.databaseHostInstanceProfiles).toEqual({ primary: "database-host-iam-primary-profile", secondary: "database-host-iam-secondary-profile" });
  });
});
