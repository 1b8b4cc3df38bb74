/**
 * A self-contained copy of the policy pack, for `pulumi policy publish`: the CLI packs only the
 * pack's own folder (https://www.pulumi.com/docs/iac/cli/commands/pulumi_policy_publish/ "Publish a
 * Policy Pack to the Pulumi Cloud ... `pulumi policy publish [org-name]` ... from the current
 * directory"), so the `../domain/` modules the policies import would be missing from the upload.
 * The assembled pack holds the policies at its root and the domain modules they reach under
 * `domain/`, with each `../domain/` import rewritten to `./domain/`, and a package.json that
 * declares the pack's own dependencies at the versions the repository pins.
 *
 * Pure: it reads through `readFile` and returns the files; the CLI writes them.
 */
import { posix } from "node:path";

/** The pack's runtime dependencies: what `policies/` imports (test/layering.test.ts keeps it so). */
export const packDependencies = ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws"] as const;

/** What a file of the assembled pack is: its path inside the pack and its text. */
export type PackFiles = Map<string, string>;

/** The repository as the assembler sees it: paths relative to the repository's root. */
export interface PackSource {
  /** The files of `policies/` (names only, e.g. `index.ts`). */
  policyFiles: readonly string[];
  /** The text of a repository file, e.g. `domain/runbook.ts`. */
  readFile(path: string): string;
  /** The repository's package.json dependencies (name -> version). */
  dependencies: Record<string, string>;
}

const relativeImport = /(from\s+|require\(\s*|import\(\s*)(["'])(\.{1,2}\/[^"']+)\2/g;

/** The relative module specifiers a TypeScript file imports. */
export function relativeImportsOf(text: string): string[] {
  return [...text.matchAll(relativeImport)].map((m) => m[3]!);
}

/** The repository file a specifier names, from the importing file's folder (`.ts` added when absent). */
function resolveSpecifier(fromFile: string, specifier: string): string {
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  return /\.(ts|json)$/.test(joined) ? joined : `${joined}.ts`;
}

/**
 * The assembled pack: `policies/*` at the root, the `domain/` files they import (transitively)
 * under `domain/`, and package.json. Throws when a policy imports anything outside `policies/`
 * and `domain/`, or when a pinned dependency is missing.
 */
export function assemblePolicyPack(source: PackSource): PackFiles {
  const files: PackFiles = new Map();
  const pending: string[] = [];
  for (const name of source.policyFiles) {
    if (name === "package.json") continue;
    const path = `policies/${name}`;
    const text = source.readFile(path);
    files.set(name, name.endsWith(".ts") ? text.replace(relativeImport, (_all, lead, quote, spec: string) => `${lead}${quote}${spec.replace(/^\.\.\/domain\//, "./domain/")}${quote}`) : text);
    if (name.endsWith(".ts")) pending.push(...relativeImportsOf(text).map((s) => resolveSpecifier(path, s)));
  }
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (path.startsWith("policies/")) continue;
    if (!path.startsWith("domain/")) throw new Error(`${path}: imported by the policy pack but outside policies/ and domain/; the assembled pack cannot hold it`);
    if (files.has(path)) continue;
    const text = source.readFile(path);
    files.set(path, text);
    if (path.endsWith(".ts")) pending.push(...relativeImportsOf(text).map((s) => resolveSpecifier(path, s)));
  }
  const dependencies = Object.fromEntries(
    packDependencies.map((name) => {
      const version = source.dependencies[name];
      if (!version) throw new Error(`package.json: ${name} is not a dependency; the pack needs it`);
      return [name, version];
    }),
  );
  const manifest = JSON.parse(source.readFile("policies/package.json")) as Record<string, unknown>;
  files.set("package.json", `${JSON.stringify({ ...manifest, description: "CrossGuard pack assembled by npm run policy:pack for pulumi policy publish", dependencies }, null, 2)}\n`);
  return files;
}
