// Starts a command-line tool: `node tools/cli/run.js tools/cli/plan.ts --stack prod`.
// Runs the tool's prebuilt bundle (./bundles.js, ./buildBundles.js) when it is fresh, with a V8
// code cache beside it so that its functions are not compiled again on every run; rebuilds a
// stale one first when esbuild is installed; otherwise loads the TypeScript sources one by one
// through ./register.js, exactly as `node -r ./tools/cli/register.js tools/cli/plan.ts` does.
// CRAZY_GARY_TRACES=1 (traces that name the real source lines) and CRAZY_GARY_NO_BUNDLE=1 take
// the sources path too; CRAZY_GARY_BUNDLE_DEBUG=1 says on stderr which path was taken and why.
//
// Node 20 has no built-in module compile cache (`module.enableCompileCache` is Node 22), so the
// cache is made here with `vm.Script`'s `cachedData` (https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata):
// written once after a run, after the functions that run used were compiled, and used while V8
// accepts it. V8 rejects a cache made by another V8 version or with other flags, but checks the
// source by its length alone (nodejs/node deps/v8/src/snapshot/code-serializer.cc,
// `SerializedCodeData::SourceHash` and `SanityCheck`): so each cache is named by its bundle's
// sha256 (./bundles.js `bundleFiles`) and never meets another bundle's text.
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");
const { root, freshBundle, writeWhole } = require("./bundles");

const debug = process.env.CRAZY_GARY_BUNDLE_DEBUG ? (message) => process.stderr.write(`[run.js ${Math.round(performance.now())} ms] ${message}\n`) : () => {};

/** Loads `entry` from its TypeScript sources, as `node -r ./register.js entry` does. */
function runFromSources(entryPath) {
  require("./register");
  process.argv[1] = entryPath;
  require(entryPath);
}

/** Packages whose files were required from node_modules rather than from a bundle. */
function packagesLoadedFromDisk() {
  const names = Object.keys(require.cache).flatMap((file) => {
    const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    return match && !file.includes(".cache") ? [match[1].replace("\\", "/")] : [];
  });
  return [...new Set(names)].sort();
}

/** Runs a bundle as the module `entryPath` would have run, with its code cache. */
function runBundle(found, entryPath) {
  let cachedData;
  try {
    cachedData = fs.readFileSync(found.codeCache);
  } catch {
    // first run: the cache is written at exit
  }
  const script = new vm.Script(Module.wrap(found.text), { filename: found.bundle, cachedData, importModuleDynamically: undefined });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  debug(`bundle ${path.relative(root, found.bundle)}; code cache ${cachedData === undefined ? "none yet" : accepted ? "used" : "rejected"}`);
  if (!accepted) {
    process.once("exit", () => {
      try {
        writeWhole(found.codeCache, script.createCachedData());
      } catch (err) {
        debug(`code cache not written: ${err.message}`);
      }
    });
  }
  // What register.js sets for the sources path: the tools' traces stay unmapped (cheap).
  Error.prepareStackTrace = undefined;
  const bundleModule = new Module(found.bundle, module);
  bundleModule.filename = found.bundle;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(found.bundle));
  process.argv[1] = entryPath;
  script.runInThisContext()(bundleModule.exports, Module.createRequire(found.bundle), bundleModule, found.bundle, path.dirname(found.bundle));
  debug("bundle's top level done");
  process.once("exit", () => debug(`exit; packages loaded outside the bundle: ${packagesLoadedFromDisk().join(", ") || "none"}`));
}

function main() {
  const entry = process.argv[2];
  if (!entry || !entry.endsWith(".ts")) {
    process.stderr.write("usage: node tools/cli/run.js tools/cli/<tool>.ts [flags]\n");
    process.exit(2);
  }
  process.argv.splice(2, 1);
  const entryPath = path.resolve(root, entry);
  const relative = path.relative(root, entryPath).split(path.sep).join("/");
  const { bundledEntries, buildBundles, canBuild } = require("./buildBundles");
  if (process.env.CRAZY_GARY_TRACES || process.env.CRAZY_GARY_NO_BUNDLE || !bundledEntries.includes(relative)) {
    debug(`sources: ${relative} (${bundledEntries.includes(relative) ? "bundle turned off by the environment" : "not a bundled tool"})`);
    return runFromSources(entryPath);
  }
  debug("checking the bundle");
  const found = freshBundle(relative);
  if ("bundle" in found) return runBundle(found, entryPath);
  if (!canBuild()) {
    debug(`sources: bundle ${found.stale}, esbuild not installed`);
    return runFromSources(entryPath);
  }
  debug(`rebuilding: bundle ${found.stale}`);
  buildBundles([relative]).then(
    () => {
      const rebuilt = freshBundle(relative);
      if ("bundle" in rebuilt) return runBundle(rebuilt, entryPath);
      // A source changed while it was being built: never run a bundle that does not match.
      debug(`sources: rebuilt bundle already ${rebuilt.stale}`);
      return runFromSources(entryPath);
    },
    (err) => {
      debug(`sources: rebuild failed: ${err.message}`);
      runFromSources(entryPath);
    },
  );
}

main();
