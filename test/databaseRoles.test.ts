import * as aws from "@pulumi/aws";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { describe, expect, it } from "vitest";
import { DatabaseRoles, databaseRoleNames, databaseRoleSecretName, databaseRoleSpecs, databaseRolesType } from "../components/databaseRoles";
import { ofType, parentName, planOf, providerName, resource } from "./support/backups";
import { evaluate, secretMarker, type Plan } from "../tools/offline";
import { followerKeyPolicy, followerSecretPolicy } from "../domain/secretSharing";

describe("role specs", () => {
  it("give pgbackrest exactly what pgBackRest needs on PostgreSQL 15, replicator REPLICATION, rewinder pg_rewind's file functions, monitor pg_monitor, schema_reader pg_read_all_data", () => {
    expect(databaseRoleSpecs).toEqual({
      pgbackrest: {
        purpose: expect.any(String),
        replication: false,
        memberOf: ["pg_checkpoint", "pg_read_all_settings"],
        executeFunctions: ["pg_backup_start", "pg_backup_stop", "pg_create_restore_point", "pg_switch_wal"],
      },
      replicator: { purpose: expect.any(String), replication: true, memberOf: [], executeFunctions: [] },
      // The functions Patroni 3.0.2 grants the rewind user it creates (bootstrap.py post_bootstrap).
      rewinder: { purpose: expect.any(String), replication: false, memberOf: [], executeFunctions: ["pg_ls_dir", "pg_read_binary_file", "pg_stat_file"] },
      monitor: { purpose: expect.any(String), replication: false, memberOf: ["pg_monitor"], executeFunctions: [] },
      schema_reader: { purpose: expect.any(String), replication: false, memberOf: ["pg_read_all_data"], executeFunctions: [] },
    });
  });

  it.each([
    ["prod", "pgbackrest", "crazy-gary/prod/postgres/pgbackrest"],
    ["dr", "monitor", "crazy-gary/dr/postgres/monitor"],
  ] as const)("names %s's %s secret %s", (environment, role, name) => {
    expect(databaseRoleSecretName(environment, role)).toBe(name);
  });

  it("refuses an environment that is no environment name", () => {
    expect(() => databaseRoleSecretName("Prod/x", "monitor")).toThrow('environment is "Prod/x"; use lower-case letters, digits and dashes');
  });
});

const roleResource = (plan: Plan, role: string) => resource(plan, "postgresql:index/role:Role", `database-roles-${role}`);

describe.each([
  ["prod", { primary: "us-east-1", secondary: "us-west-2" }, { primary: "db-use1.ops.crazy-gary.app", secondary: "db-usw2.ops.crazy-gary.app" }],
  ["dr", { primary: "us-east-2", secondary: "us-west-1" }, { primary: "db-use2.dr.ops.crazy-gary.app", secondary: "db-usw1.dr.ops.crazy-gary.app" }],
] as const)("the %s stack's database roles", (stack, regions, databaseHosts) => {
  it(`are one DatabaseRoles component holding five roles, five passwords, two grants, five secrets with their versions${stack === "prod" ? ", and schema_reader's sharing with dr's account: two keys and a secret policy" : ""}`, async () => {
    const plan = await planOf(stack);
    expect(resource(plan, databaseRolesType, "database-roles").custom).toBe(false);
    const children = plan.resources.filter((r) => parentName(r) === "database-roles");
    expect(children.map((r) => r.name).sort()).toEqual(
      [
        ...databaseRoleNames.flatMap((role) => [`database-roles-${role}`, `database-roles-${role}-password`, `database-roles-${role}-secret`, `database-roles-${role}-secret-version`]),
        "database-roles-pgbackrest-functions",
        "database-roles-rewinder-functions",
        ...(stack === "prod" ? ["database-roles-schema_reader-key", "database-roles-schema_reader-replica-key", "database-roles-schema_reader-secret-policy"] : []),
      ].sort(),
    );
  });

  it.each([
    ["pgbackrest", { replication: false, roles: ["pg_checkpoint", "pg_read_all_settings"] }],
    ["replicator", { replication: true, roles: [] }],
    ["monitor", { replication: false, roles: ["pg_monitor"] }],
    ["rewinder", { replication: false, roles: [] }],
  ] as const)("declares %s as a login role with exactly its rights and a secret password", async (role, rights) => {
    const plan = await planOf(stack);
    expect(roleResource(plan, role).inputs).toEqual({
      name: role,
      login: true,
      password: secretMarker,
      superuser: false,
      createDatabase: false,
      createRole: false,
      ...rights,
    });
  });

  it.each([
    ["rewinder", "pg_rewind's three file functions, in the database Patroni's pg_rewind connects to", ["pg_ls_dir", "pg_read_binary_file", "pg_stat_file"]],
    ["pgbackrest", "the four backup functions, in the database pgBackRest connects to", ["pg_backup_start", "pg_backup_stop", "pg_create_restore_point", "pg_switch_wal"]],
  ] as const)("grants %s EXECUTE on %s only, by name", async (role, _, functions) => {
    const plan = await planOf(stack);
    expect(resource(plan, "postgresql:index/grant:Grant", `database-roles-${role}-functions`).inputs).toEqual({
      database: "postgres",
      role,
      schema: "pg_catalog",
      objectType: "function",
      objects: [...functions],
      privileges: ["EXECUTE"],
    });
  });

  it.each(["primary", "secondary"] as const)("declares the roles through the one writable-database provider, connected to the active region (activeRegion=%s)", async (active) => {
    const plan = await planOf(stack, active === "primary" ? [] : ["activeRegion=secondary"]);
    const postgresResources = plan.resources.filter((r) => r.type.startsWith("postgresql:index/") && parentName(r) === "database-roles");
    // 5 roles and the pgbackrest and rewinder roles' function grants.
    expect(postgresResources).toHaveLength(7);
    for (const r of postgresResources) expect([r.name, providerName(r)]).toEqual([r.name, "postgres-writable"]);
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:postgresql")!;
    expect([provider.name, provider.inputs.host, provider.inputs.password]).toEqual(["postgres-writable", databaseHosts[active], "[secret]"]);
  });

  it.each(databaseRoleNames.filter((role) => stack !== "prod" || role !== "schema_reader"))("keeps %s's secret in the primary region, replicated to the secondary, protected, its value secret", async (role) => {
    const plan = await planOf(stack);
    const secret = resource(plan, "aws:secretsmanager/secret:Secret", `database-roles-${role}-secret`);
    expect([secret.region, providerName(secret), secret.options.protect]).toEqual([regions.primary, "aws-primary", true]);
    expect(secret.inputs).toEqual({
      name: `crazy-gary/${stack}/postgres/${role}`,
      description: expect.stringContaining(`PostgreSQL role ${role}: `),
      recoveryWindowInDays: 30,
      replicas: [{ region: regions.secondary }],
    });
    const version = resource(plan, "aws:secretsmanager/secretVersion:SecretVersion", `database-roles-${role}-secret-version`);
    expect([version.region, version.inputs.secretString]).toEqual([regions.primary, secretMarker]);
  });

  if (stack === "prod") {
    it("shares schema_reader's secret with dr's account (followerAccountIds): customer-managed keys at home and for the replica, a resource policy for dr's account", async () => {
      const plan = await planOf(stack);
      const secret = resource(plan, "aws:secretsmanager/secret:Secret", "database-roles-schema_reader-secret");
      const key = resource(plan, "aws:kms/key:Key", "database-roles-schema_reader-key");
      const replicaKey = resource(plan, "aws:kms/key:Key", "database-roles-schema_reader-replica-key");
      expect([key.region, replicaKey.region, key.options.protect, replicaKey.options.protect]).toEqual([regions.primary, regions.secondary, true, true]);
      for (const [k, region] of [[key, regions.primary], [replicaKey, regions.secondary]] as const) {
        expect({ ...k.inputs, policy: JSON.parse(k.inputs.policy as string) }).toEqual({
          description: `Encrypts the schema_reader secret in ${region}, shared with the following stacks' accounts`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: followerKeyPolicy({ ownAccountId: "123456789012", followerAccountIds: ["210987654321"], region }),
        });
      }
      expect([secret.region, secret.options.protect]).toEqual([regions.primary, true]);
      expect(secret.inputs).toEqual({
        name: "crazy-gary/prod/postgres/schema_reader",
        description: expect.stringContaining("PostgreSQL role schema_reader: "),
        recoveryWindowInDays: 30,
        kmsKeyId: `arn:aws:kms:${regions.primary}:123456789012:key/database-roles-schema_reader-key-id`,
        replicas: [{ region: regions.secondary, kmsKeyId: `arn:aws:kms:${regions.secondary}:123456789012:key/database-roles-schema_reader-replica-key-id` }],
      });
      const policy = resource(plan, "aws:secretsmanager/secretPolicy:SecretPolicy", "database-roles-schema_reader-secret-policy");
      expect([policy.region, policy.inputs.secretArn, policy.inputs.blockPublicPolicy]).toEqual([regions.primary, "arn:aws:secretsmanager:us-east-1:123456789012:secret:database-roles-schema_reader-secret-AbCdEf", true]);
      expect(JSON.parse(policy.inputs.policy as string)).toEqual(followerSecretPolicy(["210987654321"]));
      expect(plan.outputs.schemaReaderSecretKeys).toEqual({ home: secret.inputs.kmsKeyId, replica: (secret.inputs.replicas as { kmsKeyId: string }[])[0]!.kmsKeyId });
      // The other secrets are not shared: AWS managed key, no policy.
      expect(ofType(plan, "aws:secretsmanager/secretPolicy:SecretPolicy").map((r) => r.name)).toEqual(["database-roles-schema_reader-secret-policy"]);
    });
  } else {
    it("shares nothing: no follower account, so no key and no secret policy for schema_reader", async () => {
      const plan = await planOf(stack);
      expect(resource(plan, "aws:secretsmanager/secret:Secret", "database-roles-schema_reader-secret").inputs.kmsKeyId).toBeUndefined();
      expect(ofType(plan, "aws:secretsmanager/secretPolicy:SecretPolicy")).toEqual([]);
      expect(plan.outputs.schemaReaderSecretKeys).toBeUndefined();
    });
  }

  it("generates passwords of 32 letters and digits through the random provider", async () => {
    const plan = await planOf(stack);
    for (const password of ofType(plan, "random:index/randomPassword:RandomPassword").filter((r) => parentName(r) === "database-roles")) {
      expect([password.name, providerName(password), password.inputs]).toEqual([
        password.name,
        "random",
        { length: 32, special: false, minLower: 1, minUpper: 1, minNumeric: 1 },
      ]);
    }
  });

  it("flips without touching a secret: same URNs and inputs for every secret and password", async () => {
    const [before, after] = await Promise.all([planOf(stack), planOf(stack, ["activeRegion=secondary"])]);
    const view = (plan: Plan) =>
      plan.resources
        .filter((r) => parentName(r) === "database-roles" && !r.type.startsWith("postgresql:"))
        .map((r) => [r.urn, r.inputs, r.provider]);
    expect(view(after)).toEqual(view(before));
    const roles = (plan: Plan) => plan.resources.filter((r) => r.type === "postgresql:index/role:Role").map((r) => [r.urn, r.inputs]);
    expect(roles(after)).toEqual(roles(before));
  });
});

describe("DatabaseRoles options", () => {
  const program = (overrides: Record<string, unknown>, seen: Record<string, unknown>) => async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      if (args.type === "random:index/randomPassword:RandomPassword") seen[args.name] = (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs;
      return undefined;
    });
    try {
      new DatabaseRoles("roles", {
        postgresProvider: new postgresql.Provider("pg", { host: "db.example.com" }),
        secretsProvider: new aws.Provider("aws", { region: "us-east-1" }),
        secretReplicaRegion: "us-west-2",
        randomProvider: new random.Provider("random"),
        environment: "prod",
        ...overrides,
      });
    } catch (error) {
      seen.error = (error as Error).message;
    }
  };

  it("asks the engine to keep each generated password secret (additionalSecretOutputs)", async () => {
    const seen: Record<string, unknown> = {};
    await evaluate(program({}, seen), { stack: "test" });
    expect(Object.keys(seen).sort()).toEqual(databaseRoleNames.map((role) => `roles-${role}-password`).sort());
    for (const outputs of Object.values(seen)) expect(outputs).toContain("result");
  });

  it.each([
    [{ passwordLength: 12 }, "DatabaseRoles roles: passwordLength is 12; use 20 to 128 characters"],
    [{ secretRecoveryWindowDays: 3 }, "DatabaseRoles roles: secretRecoveryWindowDays is 3; use whole days from 7 to 30"],
    [
      { followers: { accountIds: ["123456789012"], ownAccountId: "123456789012", homeRegion: "us-east-1", replicaProvider: undefined } },
      "DatabaseRoles roles: followers.accountIds: 0: \"123456789012\" is this stack's own account (accountId); list only other accounts: a follower in the same account needs no resource policy",
    ],
  ])("refuses %j before declaring anything", async (overrides, message) => {
    const seen: Record<string, unknown> = {};
    const evaluation = await evaluate(program(overrides, seen), { stack: "test" });
    expect(seen.error).toBe(message);
    expect(evaluation.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))).toEqual([]);
  });
});
