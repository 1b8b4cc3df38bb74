/**
 * The backups' wiring (called by `stack.ts`): one WAL archive bucket (a
 * complete pgBackRest repository) per region, the database hosts' IAM role per region, the
 * configuration of both database hosts (Patroni, pgBackRest, the timers) and the database roles
 * with their secrets. The hosts and the flip are ordered here (COORDINATION.md contract): the
 * candidate's (active role's) host first, so its `nofailover` is lifted and Patroni reloaded,
 * then the flip, then the other host, which gets `nofailover` back only after the flip.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseHost } from "../components/databaseHost";
import { schedulesFromRunbook } from "../domain/hostSchedules";
import { DatabaseHostIam } from "../components/databaseHostIam";
import { DatabaseRoles } from "../components/databaseRoles";
import { HOST_DATABASE_ROLES } from "../domain/databaseRoles";
import { WalArchiveBucket } from "../components/walArchiveBucket";
import { ImmutableBackupCopy } from "../components/immutableBackupCopy";
import { dailySnapshotSchedule } from "../domain/immutableBackupCopy";
import { walArchiveLifecycleDaysFromConfig, type BackupCadence } from "../domain/walArchiveLifecycle";
import { activeRole, passiveRole } from "../domain/activeRegion";
import { etcdClientHosts } from "../domain/etcd";
import { maximumLagOnFailoverBytes, memberNoFailover, patroniScope } from "../domain/patroni";
import type { HostPatroni } from "../components/databaseHost/hostFiles";
import { etcdClusterToken, etcdMembers } from "./quorum";
import { perRole, regionRoles, type RegionRole } from "../domain/topology";
import { type StackConfig } from "./config";
import type { RegionProviders } from "./regions";
import { backups } from "../domain/runbook";
import { walQueueMaxMiB } from "../domain/walQueue";

/** Backup frequency from config: the full backup is daily (runbook), the incremental interval may be tightened. */
export const backupCadence = (config: Pick<StackConfig, "schedules">): BackupCadence => ({
  fullIntervalHours: backups.full.intervalHours,
  incrementalIntervalHours: config.schedules.incrementalEveryHours,
});

/** The lifecycle horizons the stack's buckets get (the policy pack and the tests derive the same). */
export const stackLifecycleDays = (config: Pick<StackConfig, "retention" | "schedules">) =>
  walArchiveLifecycleDaysFromConfig(config, backups.full.intervalHours);

/** The timers' schedules from the effective config (runbook numbers, possibly tightened). */
export const hostSchedules = (config: Pick<StackConfig, "schedules">) =>
  schedulesFromRunbook({
    full: { timeUtc: config.schedules.fullBackupTimeUtc },
    incremental: { intervalHours: config.schedules.incrementalEveryHours },
    restoreTest: { dayOfMonth: config.schedules.restoreTestDayOfMonth, timeUtc: config.schedules.restoreTestTimeUtc },
  });

/** One member's TLS material (components/patroniTls.ts `PatroniTls`). */
export interface MembersTls {
  caCertPem: pulumi.Input<string>;
  members: Record<RegionRole, { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> }>;
}

export interface BackupsOptions {
  /** Patroni's REST API credentials (components/patroniRestCredentials.ts): the hosts write them into Patroni's environment. */
  restApi: { secretName: string; secretArn: pulumi.Input<string>; secretVersionId: pulumi.Input<string> };
  /** The CA and each database member's certificate and key. */
  tls: MembersTls;
  /** Declares the flip after the given resources (the candidate host's configure step) and returns what the other host waits for. */
  declareFlip: (after: pulumi.Resource[]) => { command: pulumi.Resource };
}

/** Each database host's Patroni member settings: the one cluster, `nofailover` on the passive member unless automatic cross-region failover is on. */
export function hostPatroni(config: Pick<StackConfig, "environment" | "regions" | "databases" | "witness" | "patroni" | "etcd" | "recovery" | "activeRegion">, role: RegionRole, restApiSecret: string): HostPatroni {
  return {
    scope: patroniScope(config.environment),
    member: config.regions[role],
    noFailover: memberNoFailover({ isActive: role === activeRole(config) }, config.patroni.automaticCrossRegionFailover),
    etcdHosts: etcdClientHosts(etcdMembers(config), config.etcd),
    timings: { ttl: config.patroni.ttl, loopWait: config.patroni.loopWait, retryTimeout: config.patroni.retryTimeout },
    restApiPort: config.patroni.restApiPort,
    maximumLagOnFailoverBytes: maximumLagOnFailoverBytes(config.recovery.databaseRpoMinutes),
    connectHost: config.databases[role].pgHost,
    restApiSecret,
  };
}

export function declareBackups(config: StackConfig, providers: RegionProviders, options: BackupsOptions) {
  const cadence = backupCadence(config);
  const buckets = perRole(
    (role) =>
      new WalArchiveBucket(`wal-archive-${role}`, {
        provider: providers.aws[role],
        region: config.regions[role],
        retention: config.retention,
        cadence,
      }),
  );
  // The locked copy nobody reachable from a host can delete: each region's bucket backed up into
  // a locked vault there and copied to the other region's (the stack's own two regions, so one
  // regional outage never takes a bucket and its only copy; see docs/runbooks/security-breach.md).
  const copy = new ImmutableBackupCopy("backup-copy", {
    environment: config.environment,
    regions: config.regions,
    bucketArns: perRole((role) => buckets[role].bucketArn),
    settings: config.backupCopy,
    snapshotSchedule: dailySnapshotSchedule(config.schedules.fullBackupTimeUtc),
    providers: providers.aws,
  });
  // repo1 = primary region's bucket, repo2 = secondary's, on every host.
  const ordered = regionRoles.map((role) => buckets[role]);

  // Roles are cluster-wide and replicate to the standby, which refuses CREATE ROLE: they are
  // declared once, through the provider of the writable (active) database; see databaseRoles.ts.
  // Every secret a host reads has its home in the primary region role's region, replicated to the other (DatabaseRoles, PatroniRestCredentials).
  const secretsHomeRole: RegionRole = "primary";
  const roles = new DatabaseRoles("database-roles", {
    postgresProvider: providers.postgres,
    secretsProvider: providers.aws[secretsHomeRole],
    secretReplicaRegion: config.regions.secondary,
    randomProvider: providers.random,
    environment: config.environment,
    // prod and dr are separate accounts (accountId): dr's schema sync reads prod's schema_reader
    // secret across accounts, so prod lists dr's account in followerAccountIds (docs/guides/schema-sync.md).
    followers: {
      accountIds: config.followerAccountIds,
      ownAccountId: config.accountId,
      homeRegion: config.regions[secretsHomeRole],
      replicaProvider: providers.aws.secondary,
    },
  });

  const hostSecrets = [
    ...HOST_DATABASE_ROLES.map((name) => ({ name: roles.roles[name].secretName, versionId: roles.roles[name].secretVersionId })),
    { name: options.restApi.secretName, versionId: options.restApi.secretVersionId },
  ];

  const iam = perRole(
    (role) =>
      new DatabaseHostIam(`database-host-iam-${role}`, {
        provider: providers.aws[role],
        repositories: ordered.map((b) => ({ bucketArn: b.bucketArn, keyArn: b.keyArn, region: b.region, repositoryPath: b.repositoryPath })),
        // The hosts read the passwords of the roles they log in as and Patroni's REST API credentials (configure-postgres.sh).
        roleSecretArns: [...HOST_DATABASE_ROLES.map((name) => roles.roles[name].secretArn), options.restApi.secretArn],
        // The secrets live in the primary region role's region; the other region's host reads their replicas, waiting for them first.
        secretReplicaRegion: role === secretsHomeRole ? undefined : config.regions[role],
      }),
  );

  const schedules = hostSchedules(config);
  const declareHost = (role: RegionRole, after: pulumi.Resource[]) => {
    const db = config.databases[role];
    return new DatabaseHost(`database-host-${role}`, {
          provider: providers.command,
          connection: { host: db.sshHost, user: db.sshUser, port: db.sshPort, privateKey: pulumi.secret(config.databaseSecrets[role].sshPrivateKey) },
          environment: config.environment,
          region: config.regions[role],
          patroni: hostPatroni(config, role, options.restApi.secretName),
          tls: { caCertPem: options.tls.caCertPem, certPem: options.tls.members[role].certPem, keyPem: options.tls.members[role].keyPem },
          etcd: { members: etcdMembers(config), clusterToken: etcdClusterToken(config.environment), settings: config.etcd },
          repositories: ordered.map((b) => ({ bucket: b.bucketName, region: b.region, path: b.repositoryPath })),
          fullRetentionDays: config.retention.fullDays,
          archiveTimeoutSeconds: config.recovery.archiveTimeoutSeconds,
          archivePushQueueMaxMiB: walQueueMaxMiB(config),
          schedules,
          postgres: { dataDir: db.dataDirectory, port: db.pgPort, database: db.database },
          replicationClients: db.replicationClients,
          // configure-postgres.sh reads the roles' secrets and logs in as the roles: they exist first.
          after: [roles, ...after],
          // The host checks it carries its role's instance profile before anything else runs on it.
          instanceProfileArn: iam[role].instanceProfileArn,
          // A new password (a new secret version) re-runs configure, which rewrites the password file and Patroni's environment;
          // the other region's host first waits for its replicas to hold it.
          secretsRead: { homeRegion: config.regions[secretsHomeRole], secrets: hostSecrets },
        });
  };
  // The candidate's host, then the flip after its configure step, then the other host after the flip.
  const candidateHost = declareHost(activeRole(config), []);
  const flip = options.declareFlip([candidateHost.configured]);
  const otherHost = declareHost(passiveRole(config), [flip.command]);
  const hosts = perRole((role) => (role === activeRole(config) ? candidateHost : otherHost));

  return {
    buckets,
    iam,
    hosts,
    flip,
    roles,
    copy,
    outputs: {
      /** The locked AWS Backup vaults, per region role, and the role AWS Backup restores with (docs/runbooks/security-breach.md). */
      backupVaults: copy.vaultNames,
      backupRoleArn: copy.roleArn,
      walArchiveBuckets: perRole((role) => buckets[role].bucketName),
      walArchiveLifecycleDays: stackLifecycleDays(config),
      databaseHostInstanceProfiles: perRole((role) => iam[role].instanceProfileName),
      databaseRoleSecrets: Object.fromEntries(Object.entries(roles.roles).map(([role, out]) => [role, out.secretName])),
      /** prod with followerAccountIds: the KMS keys of the shared schema_reader secret (a follower's deploy role needs kms:Decrypt on them). */
      ...(roles.sharedSecretKeyArns.schema_reader ? { schemaReaderSecretKeys: roles.sharedSecretKeyArns.schema_reader } : {}),
    },
  };
}
