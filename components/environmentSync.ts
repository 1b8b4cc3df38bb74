/**
 * `EnvironmentSync`: publishes an environment's effective synced settings as SSM Parameter
 * Store `String` parameters under `/crazy-gary/<environment>/` in both regions, for the
 * applications (the runbook's `railway service config set`). Each application secret gets
 * this environment's own Secrets Manager secret (replicated to the secondary region); its value
 * is set out of band and never copied between environments, and only its ARN is published.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { regionRoles, type RegionRole } from "../domain/topology";
import { secretLookingReason, type EffectiveSetting } from "../domain/secretSettings";

export const environmentSyncType = "crazygary:dr:EnvironmentSync";

/** Root of every synced parameter and secret name. */
export const defaultPathPrefix = "/crazy-gary";

/** SSM parameter name of a synced key: `/crazy-gary/dr/retention/walHours`, `/crazy-gary/dr/app/LOG_LEVEL`. */
export function parameterName(pathPrefix: string, environment: string, key: string): string {
  return `${pathPrefix}/${environment}/${key.split(".").join("/")}`;
}

/** SSM parameter name holding the ARN of an application secret: `/crazy-gary/dr/secrets/JWT_SECRET_KEY`. */
export function secretArnParameterName(pathPrefix: string, environment: string, secretName: string): string {
  return `${pathPrefix}/${environment}/secrets/${secretName}`;
}

/** Secrets Manager name of an application secret: `crazy-gary/dr/JWT_SECRET_KEY`. */
export function secretManagerName(pathPrefix: string, environment: string, secretName: string): string {
  return `${pathPrefix.replace(/^\//, "")}/${environment}/${secretName}`;
}

/** The logical-name part for a key (`retention.walHours` -> `retention-walHours`). */
export const keySlug = (key: string): string => key.replace(/[^A-Za-z0-9_-]/g, "-");

/**
 * The `String` value of a synced setting: scalars as text, lists comma-separated. Throws,
 * naming the key, for a value that looks secret (a String parameter is plain text).
 */
export function parameterValue(key: string, value: unknown): string {
  const secret = secretLookingReason(key, value);
  if (secret) throw new Error(`EnvironmentSync settings["${key}"]: ${secret}; a String parameter is plain text. Keep it in Secrets Manager`);
  if (Array.isArray(value)) return value.map(String).join(",");
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`EnvironmentSync settings["${key}"]: ${JSON.stringify(value)} is not a string, number, boolean or list`);
}

/** What the parameter's description says about where its value comes from. */
export function parameterDescription(environment: string, key: string, setting: EffectiveSetting): string {
  const origin = setting.origin === "overridden" ? `overridden in ${environment}: ${setting.reason}` : "shared by every environment (Pulumi.yaml; synced from the source stack)";
  return `Crazy-Gary ${environment} setting ${key}, ${origin}`.slice(0, 1024);
}

/** A secret's ARN in another region: a Secrets Manager replica keeps the ARN except for the region. */
export function replicaArn(arn: string, region: string): string {
  const parts = arn.split(":");
  if (parts.length < 7 || parts[2] !== "secretsmanager") throw new Error(`replicaArn: ${arn} is not a Secrets Manager secret ARN`);
  parts[3] = region;
  return parts.join(":");
}

export interface EnvironmentSyncArgs {
  /** Environment name; everything is published under `/crazy-gary/<environment>/`. */
  environment: string;
  /**
   * The effective synced settings by dotted key (`retention.walHours`, `app.LOG_LEVEL`), with
   * their origin; environment-only keys are skipped. Values must not look secret.
   * @example { "app.LOG_LEVEL": { value: "debug", origin: "overridden", reason: "..." } }
   */
  settings: Record<string, EffectiveSetting>;
  /** Names of the application's secrets (config `appSecrets`): one Secrets Manager secret each. */
  secretNames: readonly string[];
  /** One AWS provider per region role; parameters are written in both regions. */
  providers: Record<RegionRole, aws.Provider>;
  /** Region code per region role; the secrets live in the primary and replicate to the secondary. */
  regions: Record<RegionRole, string>;
  /**
   * Days a deleted secret can still be restored.
   * @default 30 (the Secrets Manager maximum: a secret deleted by mistake can be recovered for a month)
   */
  secretRecoveryWindowDays?: number;
  /**
   * Root of the parameter paths and secret names.
   * @default "/crazy-gary" (docs/architecture/README.md#components: `/crazy-gary/<environment>/`)
   */
  pathPrefix?: string;
}

export class EnvironmentSync extends pulumi.ComponentResource {
  /** The SSM parameter names, by synced key (the same in both regions). */
  readonly parameterNames: Record<string, string>;
  /** The Secrets Manager secrets, by application secret name. */
  readonly secrets: Record<string, aws.secretsmanager.Secret>;
  /** The SSM parameter names that hold each secret's ARN, by secret name. */
  readonly secretArnParameterNames: Record<string, string>;

  constructor(name: string, args: EnvironmentSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super(environmentSyncType, name, {}, opts);
    const pathPrefix = args.pathPrefix ?? defaultPathPrefix;
    const recoveryWindowInDays = args.secretRecoveryWindowDays ?? 30;
    const synced = Object.entries(args.settings).filter(([, setting]) => setting.origin !== "environment-only");

    this.parameterNames = {};
    for (const [key, setting] of synced) {
      const parameter = parameterName(pathPrefix, args.environment, key);
      const value = parameterValue(key, setting.value);
      this.parameterNames[key] = parameter;
      for (const role of regionRoles) {
        new aws.ssm.Parameter(
          `${name}-${role}-${keySlug(key)}`,
          // `insecureValue`: the value is checked non-secret above, and previews must show it.
          { name: parameter, type: "String", insecureValue: value, description: parameterDescription(args.environment, key, setting) },
          { parent: this, provider: args.providers[role] },
        );
      }
    }

    this.secrets = {};
    this.secretArnParameterNames = {};
    for (const secretName of args.secretNames) {
      // The secret's value is put out of band (`aws secretsmanager put-secret-value`): the stack
      // creates no version, so no secret value ever passes through its state.
      const secret = new aws.secretsmanager.Secret(
        `${name}-secret-${keySlug(secretName)}`,
        {
          name: secretManagerName(pathPrefix, args.environment, secretName),
          description: `Crazy-Gary ${args.environment} application secret ${secretName}; this environment's own value, never copied from another environment`,
          recoveryWindowInDays,
          replicas: [{ region: args.regions.secondary }],
        },
        { parent: this, provider: args.providers.primary, protect: true },
      );
      this.secrets[secretName] = secret;
      const arnParameter = secretArnParameterName(pathPrefix, args.environment, secretName);
      this.secretArnParameterNames[secretName] = arnParameter;
      for (const role of regionRoles) {
        new aws.ssm.Parameter(
          `${name}-${role}-secret-arn-${keySlug(secretName)}`,
          {
            name: arnParameter,
            type: "String",
            insecureValue: role === "primary" ? secret.arn : secret.arn.apply((arn) => replicaArn(arn, args.regions[role])),
            description: `ARN of Crazy-Gary ${args.environment}'s secret ${secretName} in this region (the value lives only in Secrets Manager)`,
          },
          { parent: this, provider: args.providers[role] },
        );
      }
    }

    this.registerOutputs({ parameterNames: this.parameterNames, secretArnParameterNames: this.secretArnParameterNames });
  }
}
