/**
 * `DatabaseRoles`: the PostgreSQL roles the backup and replication machinery logs in as,
 * with generated passwords kept as Pulumi secrets and in Secrets Manager (one secret per
 * role, replicated to the other region so either region can read it during an outage).
 *
 * Roles are cluster-wide and the standby is a physical replica: a role created on the
 * primary reaches the standby through replication, and the standby (read-only) refuses
 * `CREATE ROLE`. So the roles are declared once, through the PostgreSQL provider of the
 * ACTIVE region (the writable primary); a flip moves them to the other region's provider
 * without changing their URNs or inputs (the engine asks the provider's DiffConfig, and a
 * changed host is no reason to replace a role). Their secrets live in one fixed home region
 * (the primary region role), replicated to the other, so the flip changes nothing there.
 *
 * With `followers` (other AWS accounts whose stacks follow this one), each secret of
 * `FOLLOWER_READ_ROLES` (`schema_reader`) is shared with them: a customer-managed KMS key per region
 * (home and replica) whose key policy lets them Decrypt through Secrets Manager, the secret and its
 * replica encrypted with them, and a resource policy letting them read its current value
 * (domain/secretSharing.ts, with AWS's rules cited: the AWS managed key aws/secretsmanager cannot be
 * used across accounts). The other secrets keep the AWS managed key and no resource policy.
 */
import * as aws from "./aws";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { databaseRoleNames, databaseRoleSecretName, databaseRoleSpecs, type DatabaseRoleName, FOLLOWER_READ_ROLES, PGBACKREST_DATABASE } from "../domain/databaseRoles";
import { partitionOf } from "../domain/awsPartition";
import { followerAccountProblems, followerKeyPolicy, followerSecretPolicy } from "../domain/secretSharing";

export const databaseRolesType = "crazygary:dr:DatabaseRoles";

export { databaseRoleNames, databaseRoleSecretName, databaseRoleSpecs, type DatabaseRoleName, type DatabaseRoleSpec } from "../domain/databaseRoles";

export interface DatabaseRolesArgs {
  /** PostgreSQL provider of the ACTIVE region's database (the writable primary). */
  postgresProvider: postgresql.Provider;
  /** AWS provider of the secrets' home region (a fixed region role, so a flip moves nothing). */
  secretsProvider: aws.Provider;
  /** The region each secret is replicated to (the other region). @example "us-west-2" */
  secretReplicaRegion: string;
  /** The `@pulumi/random` provider. */
  randomProvider: random.Provider;
  /** Stack environment name, part of each secret's name. @example "prod" */
  environment: string;
  /**
   * Database pgBackRest connects to (its `pg-database`), where the function grants apply. The
   * hosts' rendered `pg1-database` and pg_hba.conf line use {@link PGBACKREST_DATABASE}: change both.
   * @default "postgres" (`PGBACKREST_DATABASE`, pgBackRest's default)
   */
  pgbackrestDatabase?: string;
  /**
   * Length of each generated password, in characters (letters and digits only, so they need
   * no quoting in `.pgpass`, connection strings or shell).
   * @default 32
   */
  passwordLength?: number;
  /**
   * Days Secrets Manager keeps a deleted secret recoverable (7 to 30).
   * @default 30
   */
  secretRecoveryWindowDays?: number;
  /**
   * The AWS accounts of the stacks that follow this one and read the secrets of
   * `FOLLOWER_READ_ROLES` (`schema_reader`) across accounts: those secrets get a customer-managed
   * KMS key per region and a resource policy for these accounts.
   * @default none (no secret is shared: AWS managed key, no resource policy)
   * @example { accountIds: ["210987654321"], ownAccountId: "123456789012", homeRegion: "us-east-1", replicaProvider }
   */
  followers?: {
    /** The follower accounts (12 digits each, never `ownAccountId`); empty shares nothing. */
    accountIds: readonly string[];
    /** This stack's account, which keeps administering the keys through IAM. */
    ownAccountId: string;
    /** The secrets' home region (`secretsProvider`'s). @example "us-east-1" */
    homeRegion: string;
    /** AWS provider of `secretReplicaRegion`, where the replica's key is created. */
    replicaProvider: aws.Provider;
  };
}

/** One role's outputs. */
export interface DatabaseRoleOutputs {
  roleName: pulumi.Output<string>;
  secretArn: pulumi.Output<string>;
  secretName: string;
  /** The secret's current version id: it changes when the password does (the hosts re-read it then). */
  secretVersionId: pulumi.Output<string>;
}

export class DatabaseRoles extends pulumi.ComponentResource {
  readonly roles: Record<DatabaseRoleName, DatabaseRoleOutputs>;
  /**
   * The customer-managed keys of each secret shared with follower accounts (home and replica
   * region): a follower's deploy role needs `kms:Decrypt` on them in its own IAM policy too.
   * Empty without followers.
   */
  readonly sharedSecretKeyArns: Partial<Record<DatabaseRoleName, { home: pulumi.Output<string>; replica: pulumi.Output<string> }>> = {};

  constructor(name: string, args: DatabaseRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(databaseRolesType, name, {}, opts);
    const pgbackrestDatabase = args.pgbackrestDatabase ?? PGBACKREST_DATABASE;
    const passwordLength = args.passwordLength ?? 32;
    const recoveryWindowInDays = args.secretRecoveryWindowDays ?? 30;
    if (!Number.isInteger(passwordLength) || passwordLength < 20 || passwordLength > 128) {
      throw new Error(`DatabaseRoles ${name}: passwordLength is ${passwordLength}; use 20 to 128 characters`);
    }
    if (!Number.isInteger(recoveryWindowInDays) || recoveryWindowInDays < 7 || recoveryWindowInDays > 30) {
      throw new Error(`DatabaseRoles ${name}: secretRecoveryWindowDays is ${recoveryWindowInDays}; use whole days from 7 to 30`);
    }

    const followers = args.followers && args.followers.accountIds.length > 0 ? args.followers : undefined;
    if (followers) {
      const problems = followerAccountProblems(followers.ownAccountId, followers.accountIds);
      if (problems.length > 0) throw new Error(`DatabaseRoles ${name}: followers.accountIds: ${problems.map((p) => `${p.index}: "${p.value}" ${p.message}`).join("; ")}`);
    }
    /** The customer-managed key a shared secret is encrypted with in `region`: protected, rotated, its policy naming the followers. */
    const followerKey = (roleName: DatabaseRoleName, suffix: string, region: string, provider: aws.Provider) =>
      new aws.kms.Key(
        `${name}-${roleName}-${suffix}`,
        {
          description: `Encrypts the ${roleName} secret in ${region}, shared with the following stacks' accounts`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: JSON.stringify(followerKeyPolicy({ ownAccountId: followers!.ownAccountId, followerAccountIds: followers!.accountIds, region, partition: partitionOf(region) })),
        },
        { parent: this, provider, protect: true },
      );

    const entries = databaseRoleNames.map((roleName) => {
      const spec = databaseRoleSpecs[roleName];
      const secretName = databaseRoleSecretName(args.environment, roleName);
      const password = new random.RandomPassword(
        `${name}-${roleName}-password`,
        { length: passwordLength, special: false, minLower: 1, minUpper: 1, minNumeric: 1 },
        { parent: this, provider: args.randomProvider, additionalSecretOutputs: ["result"] },
      );
      const secretPassword = pulumi.secret(password.result);
      const role = new postgresql.Role(
        `${name}-${roleName}`,
        {
          name: roleName,
          login: true,
          password: secretPassword,
          replication: spec.replication,
          roles: [...spec.memberOf],
          superuser: false,
          createDatabase: false,
          createRole: false,
        },
        { parent: this, provider: args.postgresProvider },
      );
      if (spec.executeFunctions.length > 0) {
        new postgresql.Grant(
          `${name}-${roleName}-functions`,
          {
            database: pgbackrestDatabase,
            role: role.name,
            schema: "pg_catalog",
            objectType: "function",
            // Always a named list: an empty list would mean every function in pg_catalog.
            objects: [...spec.executeFunctions],
            privileges: ["EXECUTE"],
          },
          { parent: this, provider: args.postgresProvider },
        );
      }
      const shared = followers !== undefined && (FOLLOWER_READ_ROLES as readonly string[]).includes(roleName);
      const keys = shared
        ? { home: followerKey(roleName, "key", followers.homeRegion, args.secretsProvider), replica: followerKey(roleName, "replica-key", args.secretReplicaRegion, followers.replicaProvider) }
        : undefined;
      const secret = new aws.secretsmanager.Secret(
        `${name}-${roleName}-secret`,
        {
          name: secretName,
          description: `PostgreSQL role ${roleName}: ${spec.purpose}`,
          recoveryWindowInDays,
          ...(keys ? { kmsKeyId: keys.home.arn } : {}),
          replicas: [{ region: args.secretReplicaRegion, ...(keys ? { kmsKeyId: keys.replica.arn } : {}) }],
        },
        { parent: this, provider: args.secretsProvider, protect: true },
      );
      if (keys) this.sharedSecretKeyArns[roleName] = { home: keys.home.arn, replica: keys.replica.arn };
      if (shared) {
        // On the primary only: Secrets Manager replicates it (domain/secretSharing.ts).
        new aws.secretsmanager.SecretPolicy(
          `${name}-${roleName}-secret-policy`,
          { secretArn: secret.arn, policy: JSON.stringify(followerSecretPolicy(followers.accountIds, partitionOf(followers.homeRegion))), blockPublicPolicy: true },
          { parent: this, provider: args.secretsProvider },
        );
      }
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-${roleName}-secret-version`,
        { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: roleName, password: secretPassword })) },
        { parent: this, provider: args.secretsProvider },
      );
      return [roleName, { roleName: role.name, secretArn: secret.arn, secretName, secretVersionId: version.versionId }] as const;
    });
    this.roles = Object.fromEntries(entries) as Record<DatabaseRoleName, DatabaseRoleOutputs>;
    this.registerOutputs({
      secretArns: Object.fromEntries(entries.map(([role, out]) => [role, out.secretArn])),
    });
  }
}
