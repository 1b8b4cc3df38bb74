/**
 * What a secret looks like, by name or by value. Settings that look secret are never synced
 * in plain text (SSM String parameters, the environment output); they stay in Secrets Manager.
 */

/** Application setting names that hold secrets. */
export const secretSettingPattern = /SECRET|PASSWORD|TOKEN|PRIVATE|CREDENTIAL|(^|_)KEY($|_)/;

/** The synced key that lists the names (never the values) of the application's secrets. */
export const appSecretsKey = "appSecrets";

/** What a secret value looks like; such a value must never sit in a synced (plain-text) key. */
export const secretValuePatterns: readonly { pattern: RegExp; what: string }[] = Object.freeze([
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: "a PEM private key" },
  { pattern: /\[secret\]/, what: "a masked secret ([secret])" },
  { pattern: /\*{3}REDACTED\*{3}/, what: "a redacted secret (***REDACTED***)" },
  { pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: "a URL with a password" },
  { pattern: /\b(sk|rk)_(live|test)_[A-Za-z0-9]{4,}|\bsk-[A-Za-z0-9_-]{16,}|\bhf_[A-Za-z0-9]{20,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abpr]-[A-Za-z0-9-]{10,}|\bAKIA[0-9A-Z]{16}\b/, what: "an API token" },
]);

/** Every scalar inside a value, as text (a secret may hide in a list or a map). */
export function leafTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leafTexts);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(leafTexts);
  return [String(value)];
}

/** Why a synced key or its value looks secret, or `undefined` when it does not. */
export function secretLookingReason(key: string, value: unknown): string | undefined {
  const leaf = key.split(".").pop()!;
  if (key !== appSecretsKey && secretSettingPattern.test(leaf)) return `its name looks like a secret's (${secretSettingPattern})`;
  if (key === appSecretsKey) return undefined; // a list of names, not values
  const texts = leafTexts(value);
  const hit = secretValuePatterns.find(({ pattern }) => texts.some((t) => pattern.test(t)));
  return hit ? `its value looks like ${hit.what}` : undefined;
}

/** How a key got its effective value in one stack. */
export type EffectiveSetting =
  | { value: unknown; origin: "shared" }
  | { value: unknown; origin: "overridden"; reason: string }
  | { value: unknown; origin: "environment-only" };
