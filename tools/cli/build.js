// Builds the command-line tools with esbuild: each tool with everything it loads in one CommonJS
// file, dist/<entry>.js (dist/ is git-ignored), beside dist/<entry>.inputs.json, the files of this
// repository that went into it. One file to read instead of ~1,400 modules to find, read and compile.
// `node tools/cli/build.js` builds every tool package.json starts through ./run.js (the `prepare`
// script, so `npm ci` leaves them built); ./run.js rebuilds a stale one before it runs it.
//
// Fresh, as make decides: no input is newer than the bundle. The inputs are the tool's own files,
// the folders they are in (adding a file beside one changes the folder and may change what an
// import resolves to), node_modules/.package-lock.json (npm rewrites it on every install),
// tsconfig.json and this builder. The bundle is dated a little before its build started, so a file
// saved while esbuild read the sources is newer and rebuilds next time (the kernel dates files by a
// clock that may lag by a tick, a few ms: a file saved just before the build costs one more build).
// Not noticed: a hand edit inside node_modules, or a file given back an older time (`touch -d`):
// run `node tools/cli/build.js` after one.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const repositoryRoot = path.resolve(__dirname, "../..");
const builder = [__filename, path.join(__dirname, "notBundled.js")];

/** Where the bundle of `entry` (a path relative to `root`, e.g. tools/cli/plan.ts) and its list of inputs go. */
function outputsOf(entry, root = repositoryRoot) {
  const base = path.join(root, "dist", entry.replace(/\.ts$/, ""));
  return { bundle: `${base}.js`, inputs: `${base}.inputs.json` };
}

const modifiedMs = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

/** Why the bundle of `entry` must be built again, or undefined when it is fresh. */
function staleReason(entry, root = repositoryRoot) {
  const outputs = outputsOf(entry, root);
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(outputs.inputs, "utf8"));
  } catch {
    return "not built";
  }
  const builtMs = modifiedMs(outputs.bundle);
  if (builtMs === Number.POSITIVE_INFINITY) return "not built";
  const folders = [...new Set(inputs.map((file) => path.dirname(file)))];
  const shared = ["node_modules/.package-lock.json", "tsconfig.json"];
  for (const file of [...inputs, ...folders, ...shared].map((f) => path.join(root, f)).concat(builder)) {
    if (modifiedMs(file) >= builtMs) return `${path.relative(root, file) || "."} changed`;
  }
  return undefined;
}

/** Writes `text` to `file` through a temporary file renamed into place (a tool starting meanwhile reads the old file or the new one), with modification time `time`. */
function writeWhole(file, text, time) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, text);
  fs.utimesSync(partial, time, time);
  fs.renameSync(partial, file);
}

/** How long before its build's start a bundle is dated: more than the kernel's clock tick (1 to 10 ms). */
const CLOCK_TICK_MARGIN_MS = 50;

/** Builds the bundles of `entries` (paths relative to `root`) in one esbuild run. Throws esbuild's errors. */
function build(entries, root = repositoryRoot) {
  const startedAt = new Date(Date.now() - CLOCK_TICK_MARGIN_MS);
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: entries,
    outbase: root,
    outdir: path.join(root, "dist"),
    bundle: true,
    platform: "node",
    format: "cjs",
    // The oldest Node the package supports (package.json `engines`): one bundle for Node 20, 22 and 24.
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
    // Whitespace and comments only (names stay): less to read and parse; ASCII, one byte a character in V8.
    minifyWhitespace: true,
    charset: "ascii",
    alias: { typescript: path.join(__dirname, "notBundled.js"), "@npmcli/arborist": path.join(__dirname, "notBundled.js") },
  });
  for (const entry of entries) {
    const [outputPath, output] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entry);
    const inputs = Object.keys(output.inputs).filter((file) => !file.includes(":") && !file.split(/[\\/]/).includes("node_modules"));
    const outputs = outputsOf(entry, root);
    writeWhole(outputs.inputs, `${JSON.stringify(inputs, null, 1)}\n`, startedAt);
    writeWhole(outputs.bundle, result.outputFiles.find((f) => f.path === path.join(root, outputPath)).text, startedAt);
  }
}

/** True when esbuild is installed (a devDependency: `npm ci --omit=dev` leaves it out). */
function canBuild() {
  try {
    require.resolve("esbuild");
    return true;
  } catch {
    return false;
  }
}

/** The tools package.json's scripts start through ./run.js. */
const scriptEntries = () =>
  Object.values(require(path.join(repositoryRoot, "package.json")).scripts).flatMap((script) => [...script.matchAll(/tools\/cli\/run\.js (\S+\.ts)/g)].map((m) => m[1]));

module.exports = { repositoryRoot, outputsOf, staleReason, build, canBuild, scriptEntries };

if (require.main === module) {
  const entries = [...new Set(scriptEntries())];
  const started = Date.now();
  try {
    if (!canBuild()) throw new Error("esbuild is not installed (devDependencies omitted)");
    build(entries);
    process.stdout.write(`CLI bundles built into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${entries.join(", ")})\n`);
  } catch (err) {
    // Not an install failure: the tools then run from their sources (./run.js).
    process.stdout.write(`CLI bundles not built: ${err.message.split("\n")[0]}; the tools run from their TypeScript sources\n`);
  }
}
