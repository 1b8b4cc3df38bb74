/**
 * Shared by the backups tests: plans (see ./plans.ts), resource lookups, and a reader for the files a
 * `DatabaseHost` install script writes.
 */
import { type StackConfig } from "../../infra/config";
import { parseStackConfig } from "../../infra/parseConfig";
import type { CapturedResource, Plan } from "../../tools/offline";
import { sharedPlan } from "./plans";
import { loadStackConfig } from "../../tools/offline/stackFiles";

/** The plan of `stack` with `--set` settings, shared by every test file of the worker. */
export const planOf: (stack: string, set?: readonly string[]) => Promise<Plan> = sharedPlan;

/** The parsed, effective config of `stack` (with `--set` settings), as the program sees it. */
export const configOf = (stack: string, set: string[] = []): StackConfig => parseStackConfig(loadStackConfig(stack, { set }));

export const ofType = (plan: Plan, type: string): CapturedResource[] => plan.resources.filter((r) => r.type === type);

export function resource(plan: Plan, type: string, name: string): CapturedResource {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the ${plan.stack} plan`);
  return found;
}

/** The component a resource belongs to, by the parent's URN (`...::<name>`). */
export const parentName = (r: CapturedResource): string | undefined => r.parent?.split("::").pop();

/** The provider resource a captured resource uses (its URN's name part), e.g. `aws-primary`. */
export const providerName = (r: CapturedResource): string | undefined => r.provider?.split("::")[3];

/** A file written by an install script. */
export interface InstalledFile {
  mode: string;
  group: string;
  content: string;
}

/** Reads back what `installFilesScript` writes: path -> mode, group and content (the heredoc bodies). */
export function filesOfInstallScript(script: string): Map<string, InstalledFile> {
  const files = new Map<string, InstalledFile>();
  const pattern = /cat >"\$tmp" <<'(CRAZY_GARY_EOF_[0-9a-f]+)'\n([\s\S]*?)\1\n[\s\S]*?install -m (\d{4}) -o root -g (\w+) "\$tmp" '([^']+)'/g;
  for (const match of script.matchAll(pattern)) {
    files.set(match[5]!, { mode: match[3]!, group: match[4]!, content: match[2]! });
  }
  return files;
}
