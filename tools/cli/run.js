// Starts a command-line tool: `node tools/cli/run.js tools/cli/plan.ts --stack prod`.
// Runs the tool's bundle (./build.js), built again first when any of its inputs is newer.
// Where Node has a module compile cache (`module.enableCompileCache`, Node 22.1 and later) it is
// on, in dist/compile-cache, so the bundle's functions are not compiled again on every run; Node 20
// has none and compiles them each run. The tool runs from its TypeScript sources through ts-node
// instead (as Pulumi's Node runner loads the program) when esbuild is not installed, when the
// build fails, or when asked: CRAZY_GARY_NO_BUNDLE=1, or CRAZY_GARY_TRACES=1 (traces then name
// the source lines). CRAZY_GARY_BUNDLE_DEBUG=1 says on stderr which way it ran and why.
"use strict";
const Module = require("node:module");
const path = require("node:path");
const { build, canBuild, outputsOf, repositoryRoot, staleReason } = require("./build");

/** Says on stderr which way the tool runs (CRAZY_GARY_BUNDLE_DEBUG=1); returns nothing. */
function debug(message) {
  if (process.env.CRAZY_GARY_BUNDLE_DEBUG) process.stderr.write(`[run.js] ${message}\n`);
}

/** The fresh bundle of `entry`, built first when stale; undefined when the tool is to run from its sources. */
function bundleOf(entry) {
  if (process.env.CRAZY_GARY_NO_BUNDLE || process.env.CRAZY_GARY_TRACES) return debug("sources: asked by the environment");
  const stale = staleReason(entry);
  if (stale === undefined) return outputsOf(entry).bundle;
  if (!canBuild()) return debug(`sources: bundle ${stale}, esbuild not installed`);
  try {
    build([entry]);
    debug(`bundle rebuilt: ${stale}`);
    return outputsOf(entry).bundle;
  } catch (err) {
    process.stderr.write(`run.js: ${entry} not bundled (${err.message.split("\n")[0]}); running its sources\n`);
  }
}

const [entry, ...args] = process.argv.slice(2);
if (!entry || !entry.endsWith(".ts")) {
  process.stderr.write("usage: node tools/cli/run.js <tool>.ts [flags]\n");
  process.exit(2);
}
const entryPath = path.resolve(repositoryRoot, entry);
process.argv = [process.argv[0], entryPath, ...args];
const bundle = bundleOf(path.relative(repositoryRoot, entryPath).split(path.sep).join("/"));
Module.enableCompileCache?.(path.join(repositoryRoot, "dist", "compile-cache"));
if (bundle) {
  debug(`bundle ${path.relative(repositoryRoot, bundle)}`);
  require(bundle);
} else {
  require("ts-node").register({ project: path.join(repositoryRoot, "tsconfig.json"), transpileOnly: true });
  require(entryPath);
}
