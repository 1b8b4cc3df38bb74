/**
 * A `--set` that the stack would ignore: in a stack that follows another (`sync.source`), every
 * synced key takes the source stack's value (infra/environmentSync/syncedSettings.ts `applySync`), so
 * `--stack dr --set retention.walHours=72` would plan prod's 48. Refused with the two forms
 * that do take effect.
 */
import type { StackConfig } from "../../infra/config";
import { syncedTopLevelKeys } from "../../infra/environmentSync/syncedSettings";
import { secretLookingReason } from "../../domain/secretSettings";
import { settingPath } from "../../domain/stackFileRules";
import { StackFileError } from "./stackFiles";

/** The problem for each `--set` on a synced key of a stack that follows another. */
export function setsIgnoredBySync(stack: string, config: StackConfig, sets: readonly string[]): string[] {
  if (!config.sync) return [];
  const source = config.sync.source;
  const sourceStack = source.split("/").pop()!;
  return sets.flatMap((setting) => {
    const eq = setting.indexOf("=");
    const key = settingPath(setting.slice(0, eq).replace(/^[^:]*:/, "")).join(".");
    if (!syncedTopLevelKeys.includes(key.split(".")[0])) return [];
    const text = setting.slice(eq + 1);
    const value = secretLookingReason(key, text) ? "<value>" : text;
    const whole = !key.includes(".") && key !== "appSecrets";
    return [
      `--set ${key}=${value}: ${stack} takes its synced settings from ${sourceStack} (sync.source ${source}), so this value would be ignored. ` +
        (whole
          ? `Set one key at a time (e.g. --set ${key}.<name>=...).`
          : `For ${stack} only: --set 'sync.overrides["${key}"]={value: ${value}, reason: "<why ${stack} differs>"}'; for both: --stack ${sourceStack} --set ${key}=${value}`),
    ];
  });
}

/** Throws a `StackFileError` (exit 2) listing every ignored `--set`. */
export function refuseSetsIgnoredBySync(stack: string, config: StackConfig, sets: readonly string[]): void {
  const problems = setsIgnoredBySync(stack, config, sets);
  if (problems.length > 0) throw new StackFileError(problems.join("\n"));
}
