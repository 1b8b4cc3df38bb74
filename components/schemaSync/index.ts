/**
 * Schema sync (runbook "Database Schema Synchronization"): the dr stack applies prod's schema,
 * never its data, to dr's active database by running `components/schemaSync/schema-sync.sh`
 * from where `pulumi up` runs (see the script's header for what it does and refuses).
 *
 * - `SchemaVersion`: the version every stack exports as `schemaVersion`: the sha256 of its
 *   active database's normalized `pg_dump --schema-only`, computed by the same script in
 *   `SCHEMA_SYNC_MODE=version` by a `command.local.Command` whose trigger is the deployment's
 *   run id. A Command runs only during `pulumi up`, never on preview (pulumi/pulumi-command#49),
 *   so a preview needs no database reach and shows the version unknown (the command is to be
 *   replaced, its stdout unknown: pulumi/pulumi-command#321). An invoke (`command.local.run`)
 *   would run on every preview too (pulumi/pulumi-command#751), from wherever preview runs.
 * - `SchemaSync`: a `command.local.Command` whose `triggers` hold the source's schema version:
 *   when prod's schema changes (and prod has been deployed), the next `pulumi up` of dr runs
 *   the script again. A change of the target (an `activeRegion` flip) or of the script reruns
 *   it as an update. It never deletes anything (no `delete` command). It reads the source as
 *   the source's `schema_reader` role, whose password the script fetches from that role's
 *   Secrets Manager secret at run time (never from a home directory, never into this stack's state).
 *
 * Passwords reach the script only through its environment (as Pulumi secrets), never the
 * command line, whose only content is the script's text.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { repositoryPath } from "../repositoryFiles";

export const schemaSyncType = "crazygary:dr:SchemaSync";

/** The sync script, a real file in the repository (shellchecked, tested against PostgreSQL 15). */
export const schemaSyncScriptPath = repositoryPath("components", "schemaSync", "schema-sync.sh");

/** The script's text, passed as the command itself so it runs the same from any working directory. */
export const readSchemaSyncScript = (): string => readFileSync(schemaSyncScriptPath, "utf8");

/** `bash -c <script>`: the command line holds the script's text and nothing else. */
export const schemaSyncInterpreter = Object.freeze(["/bin/bash", "-c"]);

export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

/** A PostgreSQL database as reached from where `pulumi up` runs; no credentials. */
export interface DatabaseAddress {
  host: string;
  /** TCP port, 1 to 65535. */
  port: number;
  database: string;
  user: string;
}

function side(prefix: "SOURCE" | "TARGET", db: DatabaseAddress): Record<string, string> {
  if (!Number.isInteger(db.port) || db.port < 1 || db.port > 65535) {
    throw new Error(`SchemaSync ${prefix.toLowerCase()}.port: ${db.port} is not a TCP port; use an integer from 1 to 65535`);
  }
  for (const field of ["host", "database", "user"] as const) {
    if (!db[field]) throw new Error(`SchemaSync ${prefix.toLowerCase()}.${field}: empty; give the ${field} of the ${prefix.toLowerCase()} database`);
  }
  return { [`${prefix}_HOST`]: db.host, [`${prefix}_PORT`]: String(db.port), [`${prefix}_DATABASE`]: db.database, [`${prefix}_USER`]: db.user };
}

function common(sslMode: SslMode, connectTimeoutSeconds: number): Record<string, string> {
  if (!Number.isInteger(connectTimeoutSeconds) || connectTimeoutSeconds < 2 || connectTimeoutSeconds > 600) {
    throw new Error(`SchemaSync connectTimeoutSeconds: ${connectTimeoutSeconds} is not allowed; use whole seconds from 2 to 600`);
  }
  return { CONNECT_TIMEOUT_SECONDS: String(connectTimeoutSeconds), PGSSLMODE: sslMode };
}

/** The sync script's environment, without passwords (see schema-sync.sh's header). */
export function schemaSyncSettings(source: DatabaseAddress, target: DatabaseAddress, sslMode: SslMode, connectTimeoutSeconds: number): Record<string, string> {
  return { SCHEMA_SYNC_MODE: "sync", ...side("SOURCE", source), ...side("TARGET", target), ...common(sslMode, connectTimeoutSeconds) };
}

/** The environment that makes the script print a database's schema version and change nothing. */
export function schemaVersionSettings(database: DatabaseAddress, sslMode: SslMode, connectTimeoutSeconds: number): Record<string, string> {
  return { SCHEMA_SYNC_MODE: "version", ...side("SOURCE", database), ...common(sslMode, connectTimeoutSeconds) };
}

/** What reruns the sync from scratch: the source's schema version. */
export const schemaSyncTriggers = (sourceSchemaVersion: pulumi.Input<string>): pulumi.Input<string>[] => [sourceSchemaVersion];

/** Reads `sha256:<hex>` from the script's line `schema-sync: schema version sha256:<hex>`. */
export function parseSchemaVersion(stdout: string): string {
  const match = /^schema-sync: schema version (sha256:[0-9a-f]{64})$/m.exec(stdout);
  if (!match) {
    throw new Error(`schema-sync.sh printed no "schema-sync: schema version sha256:<hex>" line; its output ended: ${JSON.stringify(stdout.slice(-300))}`);
  }
  return match[1];
}

export const schemaVersionType = "crazygary:dr:SchemaVersion";

export interface SchemaVersionArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** The database whose schema version is read (the stack's active one). */
  database: DatabaseAddress;
  /** Its user's password; passed only through the script's environment, as a secret. */
  password: pulumi.Input<string>;
  /**
   * What makes `pulumi up` read the version again: a value new on every deployment (the CI
   * run id). Unchanged, the command does not run and the exported version stays as it was.
   * @example "run-9142-1"
   */
  runId: pulumi.Input<string>;
  /** libpq `sslmode`. @default "require" (the same as the stack's PostgreSQL providers) */
  sslMode?: SslMode;
  /** libpq connect timeout, in seconds, 2 to 600. @default 10 (schema-sync.sh's default) */
  connectTimeoutSeconds?: number;
}

/**
 * The database's schema version, `sha256:<hex>`, read during `pulumi up` only. Not a secret
 * (a hash of the schema), so it is exported in plain text.
 */
export class SchemaVersion extends pulumi.ComponentResource {
  readonly command: command.local.Command;
  /** `sha256:<hex>`; unknown in a preview. */
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: SchemaVersionArgs, opts?: pulumi.ComponentResourceOptions) {
    super(schemaVersionType, name, {}, opts);
    this.command = new command.local.Command(
      `${name}-read`,
      {
        create: readSchemaSyncScript(),
        interpreter: [...schemaSyncInterpreter],
        environment: {
          ...schemaVersionSettings(args.database, args.sslMode ?? "require", args.connectTimeoutSeconds ?? 10),
          SOURCE_PASSWORD: pulumi.secret(args.password),
        },
        triggers: [args.runId],
        addPreviousOutputInEnv: false,
      },
      { parent: this, provider: args.provider },
    );
    this.version = pulumi.unsecret(this.command.stdout.apply(parseSchemaVersion));
    this.registerOutputs({ version: this.version });
  }
}

export interface SchemaSyncArgs {
  /** The `@pulumi/command` provider. */
  provider: command.Provider;
  /** The source (prod) database's address, from its `schemaSource` output, and the user to read it as. */
  source: DatabaseAddress;
  /**
   * The source's schema version (its `schemaVersion` output, `sha256:<hex>`): the command runs
   * again when it changes.
   */
  sourceSchemaVersion: pulumi.Input<string>;
  /** This stack's active database, where the schema is applied. */
  target: DatabaseAddress;
  /** The target user's password; passed only through the script's environment, as a secret. */
  targetPassword: pulumi.Input<string>;
  /**
   * ARN of the Secrets Manager secret (`{"username", "password"}`) of the source's read-only
   * role, from the source's `schemaSource` output. The script reads it with the AWS CLI when
   * it runs (during `pulumi up` only), with the deploying job's credentials: the password never
   * enters this stack's state, a command line or a home directory.
   * @example "arn:aws:secretsmanager:us-east-1:123456789012:secret:crazy-gary/prod/postgres/schema_reader-AbCdEf"
   */
  sourcePasswordSecretArn: pulumi.Input<string>;
  /** libpq `sslmode` for both connections. @default "require" (the same as the stack's PostgreSQL providers) */
  sslMode?: SslMode;
  /** libpq connect timeout, in seconds, 2 to 600. @default 10 (schema-sync.sh's default) */
  connectTimeoutSeconds?: number;
}

export class SchemaSync extends pulumi.ComponentResource {
  /** The local command that runs schema-sync.sh. */
  readonly command: command.local.Command;
  /** The script's output of its last run (the schema version, what it created). */
  readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: SchemaSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super(schemaSyncType, name, {}, opts);
    const settings = schemaSyncSettings(args.source, args.target, args.sslMode ?? "require", args.connectTimeoutSeconds ?? 10);
    const passwords: Record<string, pulumi.Input<string>> = { TARGET_PASSWORD: pulumi.secret(args.targetPassword), SOURCE_PASSWORD_SECRET_ARN: args.sourcePasswordSecretArn };

    this.command = new command.local.Command(
      `${name}-apply`,
      {
        create: readSchemaSyncScript(),
        interpreter: [...schemaSyncInterpreter],
        environment: { ...settings, ...passwords },
        triggers: schemaSyncTriggers(args.sourceSchemaVersion),
        addPreviousOutputInEnv: false,
      },
      { parent: this, provider: args.provider },
    );
    this.stdout = this.command.stdout;

    this.registerOutputs({ stdout: this.stdout });
  }
}
