/**
 * The numbers the policy pack enforces. Every default is the runbook's own number, read from
 * `domain/runbook.ts`, and NOT from stack config: a change to `Pulumi.<stack>.yaml` cannot loosen
 * what the pack checks. The pack's own config (`pulumi preview --policy-pack-config`) or a
 * factory argument may tighten a number; loosening one is refused with an error that names the
 * key, the value and what is allowed.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { backups, recoveryObjectives } from "../domain/runbook";

/** Whether a stricter value is lower (an RPO, an interval) or higher (a retention). */
type Stricter = "lower" | "higher";

interface SettingSpec {
  /** The runbook's number: the default and the loosest value allowed. */
  runbook: number;
  stricter: Stricter;
  /** Unit and meaning, for the config schema and error messages. */
  description: string;
}

const spec = (runbook: number, stricter: Stricter, description: string): SettingSpec => ({ runbook, stricter, description });

/** Every setting the pack reads, with its runbook default. */
export const settingSpecs = {
  databaseRpoMinutes: spec(recoveryObjectives.database.rpoMinutes!, "lower", "database recovery point objective, in minutes"),
  archiveTimeoutSeconds: spec((recoveryObjectives.database.rpoMinutes! * 60) / 5, "lower", "longest archive_timeout allowed (RPO / 5), in seconds"),
  fullBackupIntervalHours: spec(backups.full.intervalHours, "lower", "longest interval between full backups, in hours"),
  incrementalBackupIntervalHours: spec(backups.incremental.intervalHours, "lower", "longest interval between incremental backups, in hours"),
  fullRetentionDays: spec(backups.full.retentionDays, "higher", "shortest time every full backup stays restorable, in days"),
  walRetentionHours: spec(backups.transactionLogs.retentionHours, "higher", "shortest time WAL is kept, in hours"),
  pitrWindowHours: spec(backups.pointInTimeRecovery.windowHours, "higher", "point-in-time recovery window, in hours"),
  logRetentionDays: spec(backups.logs.retentionDays, "higher", "shortest log retention, in days"),
  apiRtoMinutes: spec(recoveryObjectives.api.rtoMinutes, "lower", "API recovery time objective (failover records named api), in minutes"),
  webRtoMinutes: spec(recoveryObjectives.web.rtoMinutes, "lower", "web app recovery time objective (failover records named app), in minutes"),
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof settingSpecs;
export type RecoverySettings = { readonly [K in SettingKey]: number };

export const settingKeys = Object.keys(settingSpecs) as SettingKey[];

/** The runbook's numbers, as the pack enforces them when nothing tightens them. */
export const runbookSettings: RecoverySettings = Object.freeze(
  Object.fromEntries(settingKeys.map((key) => [key, settingSpecs[key].runbook])) as RecoverySettings,
);

export class PolicySettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy settings:\n  ${problems.join("\n  ")}`);
    this.name = "PolicySettingsError";
  }
}

function problemWith(key: string, value: unknown): string | undefined {
  if (!(settingKeys as string[]).includes(key)) return `${key}: is not a policy setting; allowed: ${settingKeys.join(", ")}`;
  const { runbook, stricter, description } = settingSpecs[key as SettingKey];
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    return `${key}: ${JSON.stringify(value)} is not a positive number (${description})`;
  }
  if (stricter === "lower" && value > runbook) return `${key}: ${value} is looser than the runbook's ${runbook}; use a value <= ${runbook} (${description})`;
  if (stricter === "higher" && value < runbook) return `${key}: ${value} is looser than the runbook's ${runbook}; use a value >= ${runbook} (${description})`;
  return undefined;
}

/**
 * The runbook's numbers with `overrides` applied; throws `PolicySettingsError` for an unknown
 * key, a value that is not a positive number, or one that loosens the runbook.
 */
export function resolveSettings(overrides: Readonly<Record<string, unknown>> = {}, base: RecoverySettings = runbookSettings): RecoverySettings {
  const problems = Object.entries(overrides)
    .filter(([key]) => key !== "enforcementLevel")
    .map(([key, value]) => problemWith(key, value))
    .filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new PolicySettingsError(problems);
  const picked = Object.fromEntries(Object.entries(overrides).filter(([key]) => key !== "enforcementLevel"));
  return Object.freeze({ ...base, ...picked }) as RecoverySettings;
}

/** The config schema a policy declares for the settings it reads, with `settings` as defaults. */
export function configSchemaFor(keys: readonly SettingKey[], settings: RecoverySettings): PolicyConfigSchema {
  return {
    properties: Object.fromEntries(
      keys.map((key) => {
        const { runbook, stricter, description } = settingSpecs[key];
        const bound = stricter === "lower" ? { maximum: runbook, exclusiveMinimum: 0 } : { minimum: runbook };
        return [key, { type: "number", default: settings[key], description, ...bound }];
      }),
    ),
  };
}

/**
 * The settings a policy runs with: its factory's settings, tightened further by the pack config
 * the engine hands over (`getConfig()`), validated again so the config cannot loosen them.
 */
export function settingsAt(args: { getConfig<T extends object>(): T }, base: RecoverySettings): RecoverySettings {
  const config = args.getConfig<Record<string, unknown>>() ?? {};
  return resolveSettings(config, base);
}
