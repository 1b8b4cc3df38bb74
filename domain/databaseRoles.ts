/**
 * The PostgreSQL roles the backup, replication and monitoring machinery logs in as, what
 * each may do, where its password lives, and which host process uses it. Plain data (no
 * Pulumi): the `DatabaseRoles` component declares them, the host files render the
 * connections, the real-PostgreSQL tests create exactly these grants.
 */

export type DatabaseRoleName = "pgbackrest" | "replicator" | "rewinder" | "monitor" | "schema_reader";

/** What one role may do. */
export interface DatabaseRoleSpec {
  /** Why the role exists (the secret's description). */
  purpose: string;
  /** `REPLICATION` attribute (streaming replication connections). */
  replication: boolean;
  /** Predefined roles it is a member of. */
  memberOf: readonly string[];
  /** `pg_catalog` functions it may EXECUTE (revoked from PUBLIC by default), in the database it connects to. */
  executeFunctions: readonly string[];
}

/**
 * The database pgBackRest connects to (`pg1-database`, pgBackRest's default "postgres":
 * https://pgbackrest.org/configuration.html#section-stanza/option-pg-database); the function
 * grants of {@link databaseRoleSpecs} apply there, since function ACLs are per database.
 */
export const PGBACKREST_DATABASE = "postgres";

/**
 * The roles and exactly their rights on PostgreSQL 15:
 * - `pgbackrest`: pgBackRest's backup session (`pg1-user`). PostgreSQL 15 renamed the backup
 *   functions to `pg_backup_start`/`pg_backup_stop`; pgBackRest also switches WAL
 *   (`pg_switch_wal`) and creates a restore point in `check` (`pg_create_restore_point`). It
 *   reads `data_directory` and other superuser-only settings (`pg_read_all_settings`), and
 *   may ask for a checkpoint (`pg_checkpoint`, new in 15). This is the list EDB gives for a
 *   non-superuser pgBackRest on PostgreSQL 15
 *   (https://www.enterprisedb.com/docs/supported-open-source/pgbackrest/10-non-superuser/);
 *   test/postgres/leastPrivilege.test.ts proves stanza-create, check, backup and the restore
 *   test work with it. No superuser, no table access: it copies files as the OS user, never
 *   reads data over SQL.
 * - `replicator`: the standby's streaming connection: `REPLICATION` and nothing else; Patroni's
 *   replication user too (PATRONI_REPLICATION_USERNAME, the host's /etc/patroni_env.conf).
 * - `rewinder`: Patroni's `pg_rewind` user (PATRONI_REWIND_USERNAME): a returning old leader
 *   rewinds from the new one over TCP as this role, so no superuser password leaves the stack.
 *   PostgreSQL 15's pg_rewind page (Notes) says "a role having sufficient permissions to execute
 *   the functions used by pg_rewind on the source cluster can be used instead of a superuser" and
 *   lists them: EXECUTE on pg_ls_dir(text, boolean, boolean), pg_stat_file(text, boolean),
 *   pg_read_binary_file(text) and pg_read_binary_file(text, bigint, bigint, boolean)
 *   (https://www.postgresql.org/docs/15/app-pgrewind.html); Patroni 3.0.2 grants the same four to
 *   the rewind user it creates at bootstrap (patroni/postgresql/bootstrap.py `post_bootstrap`).
 *   An adopted cluster was never bootstrapped by Patroni, so the stack declares it. The grant is
 *   by name (every overload of the three: the same file-reading rights). Proven on real Patroni:
 *   test/postgres/patroniPartition.test.ts (the returning old leader rewinds as this role).
 * - `monitor`: lag and health queries: `pg_monitor` (read-only statistics and settings); it
 *   also gets SELECT on the heartbeat table alone (configure-postgres.sh), to measure lag.
 * - `schema_reader`: what a following stack's schema sync reads this database as. pg_dump
 *   takes an ACCESS SHARE lock on every table it dumps, which needs SELECT: PostgreSQL 14+'s
 *   predefined `pg_read_all_data` gives SELECT on everything and no write (PostgreSQL docs,
 *   "Predefined Roles"). The following stack reads its password from this role's secret.
 */
export const databaseRoleSpecs: Readonly<Record<DatabaseRoleName, DatabaseRoleSpec>> = Object.freeze({
  pgbackrest: {
    purpose: "pgBackRest backups (pg_backup_start/stop, WAL switch, restore points)",
    replication: false,
    memberOf: ["pg_checkpoint", "pg_read_all_settings"],
    executeFunctions: ["pg_backup_start", "pg_backup_stop", "pg_create_restore_point", "pg_switch_wal"],
  },
  replicator: { purpose: "streaming replication from the primary to the standby", replication: true, memberOf: [], executeFunctions: [] },
  rewinder: { purpose: "Patroni's pg_rewind of a returning old leader from the new one", replication: false, memberOf: [], executeFunctions: ["pg_ls_dir", "pg_read_binary_file", "pg_stat_file"] },
  monitor: { purpose: "replication lag and health monitoring (pg_monitor)", replication: false, memberOf: ["pg_monitor"], executeFunctions: [] },
  schema_reader: {
    purpose: "schema sync: a following stack's pg_dump --schema-only of this database (read-only, pg_read_all_data)",
    replication: false,
    memberOf: ["pg_read_all_data"],
    executeFunctions: [],
  },
});

export const databaseRoleNames = Object.freeze(Object.keys(databaseRoleSpecs) as DatabaseRoleName[]);

/** The roles whose passwords the database hosts hold (in their password file); `schema_reader` is another stack's. */
export const HOST_DATABASE_ROLES = Object.freeze(["pgbackrest", "monitor", "replicator", "rewinder"] as const satisfies readonly DatabaseRoleName[]);
export type HostDatabaseRole = (typeof HOST_DATABASE_ROLES)[number];

/**
 * The roles whose secrets the stacks that follow this one read (the schema sync, as the source's
 * `schema_reader`): shared with follower accounts (domain/secretSharing.ts) when the stack lists any.
 */
export const FOLLOWER_READ_ROLES = Object.freeze(["schema_reader"] as const satisfies readonly DatabaseRoleName[]);

/** The Secrets Manager name of a role's secret: `crazy-gary/<environment>/postgres/<role>`. */
export function databaseRoleSecretName(environment: string, role: DatabaseRoleName): string {
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(environment)) {
    throw new Error(`databaseRoleSecretName: environment is ${JSON.stringify(environment)}; use lower-case letters, digits and dashes`);
  }
  return `crazy-gary/${environment}/postgres/${role}`;
}

/**
 * The ARN of a secret's replica in `region`: the primary's ARN with the region replaced
 * ("The ARN for a replicated secret is the same as the primary secret except for the Region",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html).
 */
export function secretArnInRegion(secretArn: string, region: string): string {
  const match = /^arn:([a-z-]+):secretsmanager:[a-z0-9-]+:(\d{12}:secret:.+)$/.exec(secretArn);
  if (!match) throw new Error(`secretArnInRegion: ${JSON.stringify(secretArn)} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`secretArnInRegion: region is ${JSON.stringify(region)}; use an AWS region code such as us-west-2`);
  return `arn:${match[1]}:secretsmanager:${region}:${match[2]}`;
}
