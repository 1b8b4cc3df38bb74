/**
 * Where the repository's own files are (host file templates, scripts, stack files): under the
 * nearest folder above this module that holds `Pulumi.yaml`. Found by walking up rather than from
 * a module's `__dirname`, which in a CLI bundle (tools/cli/build.js, one file in dist/) is the
 * bundle's folder for every module; the same answer from the sources, a bundle, vitest and
 * Pulumi's Node runner.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${start} or any folder above it`);
  }
}

/** The repository's root folder (the one holding `Pulumi.yaml`). */
export const repositoryRoot = findRoot(__dirname);

/** A path inside the repository, e.g. `repositoryPath("components", "databaseHost", "files")`. */
export const repositoryPath = (...segments: string[]): string => path.join(repositoryRoot, ...segments);
