// Builds the command-line tools' bundles (see ./bundles.js for where they live and when one is
// used): each CLI with everything it loads in one CommonJS file, made by esbuild. One file read
// and, with the V8 code cache tools/cli/run.js keeps beside it, almost no compiling, instead of
// ~1,400 module lookups, reads and compiles: the cold `npm run plan` this was made for.
//
// `node tools/cli/buildBundles.js` builds them all and runs each once (`warmUps`); `npm ci` and
// `npm install` run it as the package's `prepare` script, so a fresh clone's first plan is
// already as fast as its second. Without esbuild
// (an install that omits devDependencies) it says so and exits 0: the tools then load their
// TypeScript sources one by one, as before.
//
// Kept as they are, not bundled:
// - the TypeScript compiler and npm's Arborist: @pulumi/pulumi requires them at load time only
//   for function serialisation and `computeCodePaths`, which an offline plan never calls; they
//   are required from node_modules on first use (./lazyModule.js), ~10 MB less to load;
// - @pulumi/pulumi's Automation API and the rest of `computeCodePaths`'s imports: bundled, but run
//   only on first use.
// Each module's `__dirname` and `__filename` are its own source's, as when loaded one by one
// (the stack files, host file templates and scripts are found beside the sources).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { root, storeBundle } = require("./bundles");

/** The CLIs that run from a bundle (tools/cli/run.js), as paths relative to the repository. */
const bundledEntries = ["tools/cli/plan.ts", "tools/cli/policy.ts", "tools/cli/configDiff.ts", "tools/cli/readiness.ts", "tools/cli/drill.ts", "tools/cli/cost.ts"];

/**
 * One run of each CLI right after its bundle is built, so that the first run a person or CI makes
 * finds what a second run would: the bundle's V8 code cache (tools/cli/run.js writes it when a
 * run ends). Each plans the committed stack files and prints nothing. A run that fails only leaves the cache for the
 * user's first run to make. `drill` is not run: it needs a stack in the cloud.
 */
const warmUps = {
  "tools/cli/plan.ts": ["--stack", "dr"],
  "tools/cli/policy.ts": ["--stack", "dr"],
  "tools/cli/configDiff.ts": ["--stack", "dr", "--base", "prod"],
  "tools/cli/readiness.ts": ["--stack", "dr"],
  "tools/cli/cost.ts": ["--stack", "dr"],
};

/**
 * Runs the warm-up of each of `entries` that has one, one after the other.
 * @param {string[]} entries
 * @returns {string[]} the entries that ran
 */
function warmBundles(entries) {
  const { spawnSync } = require("node:child_process");
  const ran = [];
  for (const entry of entries) {
    const args = warmUps[entry];
    if (!args) continue;
    spawnSync(process.execPath, [path.join(__dirname, "run.js"), entry, ...args], { cwd: root, stdio: "ignore", timeout: 120_000 });
    ran.push(entry);
  }
  return ran;
}

/** @pulumi/pulumi's `computeCodePaths`, which an offline plan never calls. */
const codePaths = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]codePaths\.js$/;

/** Modules loaded only on first use: `request` as required by a file matching `importer`. */
const lazyRequires = [
  { importer: /[\\/]@pulumi[\\/]pulumi[\\/]typescript-shim\.js$/, request: "typescript", bundled: false },
  { importer: codePaths, request: "@npmcli/arborist", bundled: false },
  { importer: /[\\/]@pulumi[\\/]pulumi[\\/]index\.js$/, request: "./automation", bundled: true },
  // The rest of `computeCodePaths`'s imports: normalize-package-data's licence table alone
  // (spdx-correct) sorts itself at load, about 18 ms of every plan.
  ...["fdir", "normalize-package-data", "upath"].map((request) => ({ importer: codePaths, request, bundled: true })),
];

/** @type {import("esbuild").Plugin} */
const lazyPlugin = {
  name: "lazy-requires",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.namespace !== "file" || args.kind !== "require-call") return undefined;
      const lazy = lazyRequires.find((l) => l.request === args.path && l.importer.test(args.importer));
      if (!lazy) return undefined;
      if (!lazy.bundled) return { path: args.path, namespace: "lazy", pluginData: { target: args.path, resolveDir: args.resolveDir } };
      const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, namespace: "lazy", pluginData: { target: resolved.path, resolveDir: args.resolveDir } };
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.namespace !== "lazy") return undefined;
      const lazy = lazyRequires.find((l) => !l.bundled && l.request === args.path);
      return lazy ? { path: args.path, external: true } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => ({
      contents: `const { lazyModule } = require(${JSON.stringify(path.join(__dirname, "lazyModule.js"))});\nmodule.exports = lazyModule(() => require(${JSON.stringify(args.pluginData.target)}));\n`,
      resolveDir: args.pluginData.resolveDir,
      loader: "js",
    }));
  },
};

/**
 * Gives every module its own `__dirname` and `__filename` (in a bundle they would be the
 * bundle's), by esbuild's own `define`, so only real identifiers change, never text in strings.
 * @param {typeof import("esbuild")} esbuild
 * @param {Record<string, unknown>} tsconfigRaw
 * @returns {import("esbuild").Plugin}
 */
function ownPathsPlugin(esbuild, tsconfigRaw) {
  return {
    name: "own-paths",
    setup(build) {
      build.onLoad({ filter: /\.(c?js|ts)$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, "utf8");
        if (!source.includes("__dirname") && !source.includes("__filename")) return undefined;
        const loader = args.path.endsWith(".ts") ? "ts" : "js";
        const define = { __dirname: JSON.stringify(path.dirname(args.path)), __filename: JSON.stringify(args.path) };
        const { code } = await esbuild.transform(source, { loader, define, tsconfigRaw, sourcefile: args.path });
        return { contents: code, loader: "js" };
      });
    },
  };
}

/**
 * Builds the bundles of `entries` (paths relative to the repository, e.g. tools/cli/plan.ts)
 * in one esbuild run, and their manifests.
 * @param {string[]} entries
 */
async function buildBundles(entries) {
  const esbuild = require("esbuild");
  const tsconfigRaw = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(entries.map((entry) => [entry.replace(/\.ts$/, ""), path.join(root, entry)])),
    outdir: path.join(root, "node_modules", ".cache", "crazy-gary-cli", "esbuild-out"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    tsconfig: path.join(root, "tsconfig.json"),
    write: false,
    metafile: true,
    logLevel: "silent",
    // Whitespace and comments only (names and code stay as they are): a smaller file to read and
    // compile, and one in ASCII alone, which V8 keeps at one byte a character.
    minifyWhitespace: true,
    charset: "ascii",
    plugins: [lazyPlugin, ownPathsPlugin(esbuild, tsconfigRaw)],
  });
  for (const entry of entries) {
    const [outputPath, output] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === entry);
    const text = result.outputFiles.find((f) => f.path === path.join(root, outputPath)).text;
    // Every file of this repository that went in, node_modules apart (the installed tree's
    // fingerprint covers those); namespaced inputs ("lazy:...") are made here, not read.
    const inputs = Object.keys(output.inputs).filter((f) => !f.includes(":") && !f.split(/[\\/]/).includes("node_modules"));
    storeBundle(entry, inputs, text);
  }
}

/** True when esbuild is installed (it is a devDependency). */
function canBuild() {
  try {
    require.resolve("esbuild");
    return true;
  } catch {
    return false;
  }
}

module.exports = { bundledEntries, buildBundles, canBuild, warmBundles };

if (require.main === module) {
  if (!canBuild()) {
    process.stdout.write("CLI bundles not built: esbuild is not installed (devDependencies omitted); the tools load their sources one by one\n");
    process.exit(0);
  }
  const started = Date.now();
  buildBundles(bundledEntries).then(
    () => {
      const built = Date.now();
      process.stdout.write(`CLI bundles built in ${((built - started) / 1000).toFixed(1)} s (${bundledEntries.join(", ")})\n`);
      const warmed = warmBundles(bundledEntries);
      process.stdout.write(`CLI bundles warmed (code cache, dr's stand-in of prod) in ${((Date.now() - built) / 1000).toFixed(1)} s (${warmed.join(", ")})\n`);
    },
    (err) => {
      // A failed build must not fail the install: the tools fall back to loading sources.
      process.stdout.write(`CLI bundles not built (${err instanceof Error ? err.message : err}); the tools load their sources one by one\n`);
    },
  );
}
