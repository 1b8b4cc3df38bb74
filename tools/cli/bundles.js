// Where the command-line tools' prebuilt bundles live and when one may be used. A bundle is one
// JavaScript file holding a CLI with everything it loads (tools/cli/buildBundles.js makes it
// with esbuild), kept under node_modules/.cache/crazy-gary-cli/bundles/ beside a manifest that
// fingerprints what it was built from. It is used only while every fingerprint still matches:
// - each file of this repository that went into it, by content (sha256; a file whose size and
//   modification time are those recorded when it was hashed, long enough before, is not hashed
//   again: `unchanged` below);
// - the listing of each folder those files are in (a file added beside them could change what
//   an import resolves to);
// - the installed dependency tree, by the content of node_modules/.package-lock.json (npm
//   rewrites it on every install, remove or update);
// - the builder itself (this file, buildBundles.js, lazyModule.js) and the Node version.
// Anything else means stale, and tools/cli/run.js rebuilds or falls back to loading the
// TypeScript sources one by one (tools/cli/register.js). Files a CLI reads while it runs
// (Pulumi.yaml, the stack files, host file templates) are read from disk as before.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "../..");

/**
 * Where a repository's bundles and installed tree are (a test points it at a scratch folder).
 * @param {string} repository
 */
function locationsOf(repository) {
  return {
    root: repository,
    bundleDir: path.join(repository, "node_modules", ".cache", "crazy-gary-cli", "bundles"),
    installedTree: path.join(repository, "node_modules", ".package-lock.json"),
  };
}
const here = locationsOf(root);
const builderFiles = ["bundles.js", "buildBundles.js", "lazyModule.js"].map((f) => path.join(__dirname, f));

/** @param {string | Buffer} data */
const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

/** @param {string} file */
function hashOfFile(file) {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return "missing";
  }
}

/** @param {string} dir */
function hashOfListing(dir) {
  try {
    return sha256(fs.readdirSync(dir).sort().join("\n"));
  } catch {
    return "missing";
  }
}

/** What the bundle of `entry` (a path relative to the repository, e.g. tools/cli/plan.ts) was built against, apart from its own inputs. */
function environmentFingerprint(at) {
  return {
    node: process.version,
    installedTree: hashOfFile(at.installedTree),
    builder: sha256(builderFiles.map(hashOfFile).join("\n")),
  };
}

/**
 * The files of the bundle of `entry`: its manifest, and, for the bundle text whose sha256 is
 * `sha`, the bundle and its V8 code cache. Both are named by that content: a file once written
 * is never rewritten with other content, so a process never pairs a manifest, a bundle and a
 * code cache of different builds (V8 checks a code cache against the source's length only:
 * nodejs/node deps/v8/src/snapshot/code-serializer.cc, `SerializedCodeData::SourceHash`).
 * @param {string} entry
 * @param {{ bundleDir: string }} at
 * @param {string} [sha]
 */
function bundleFiles(entry, at = here, sha = "") {
  const base = path.join(at.bundleDir, entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-"));
  return { base, manifest: `${base}.manifest.json`, bundle: `${base}.${sha.slice(0, 16)}.js`, codeCache: `${base}.${sha.slice(0, 16)}.v8cache` };
}

/**
 * The manifest to store beside a bundle built from `inputs` (repository-relative paths of this
 * repository's files that went into it).
 * @param {string} entry
 * @param {string[]} inputs
 * @param {string} bundleText
 */
function manifestOf(entry, inputs, bundleText, at = here) {
  const sorted = [...inputs].sort();
  const folders = [...new Set(sorted.map((f) => path.dirname(f)))].sort();
  // Stats before content: a file written after its stat is taken never matches them later.
  const stats = Object.fromEntries(sorted.map((f) => [f, statOf(path.join(at.root, f))]));
  const statsTakenAtMs = Date.now();
  return {
    entry,
    ...environmentFingerprint(at),
    bundleSha256: sha256(bundleText),
    // Its size: catches a bundle file cut short.
    bundleBytes: Buffer.byteLength(bundleText),
    // An ASCII bundle is read as Latin-1 (the same characters, without a UTF-8 decoder's cost).
    ascii: !/[^\x00-\x7f]/.test(bundleText),
    inputs: Object.fromEntries(sorted.map((f) => [f, hashOfFile(path.join(at.root, f))])),
    // Each input's size and modification time just before it was hashed, and that moment: see `unchanged`.
    statsTakenAtMs,
    stats,
    folders: Object.fromEntries(folders.map((d) => [d, hashOfListing(path.join(at.root, d))])),
  };
}

/**
 * A file's size and modification time, or null when it cannot be read.
 * @param {string} file
 * @returns {[number, number] | null}
 */
function statOf(file) {
  try {
    const stat = fs.statSync(file);
    return [stat.size, stat.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * Modification times are kept at the kernel's clock tick (a few ms), so a file written again
 * within the same tick as before keeps its time. Git calls such a file "racily clean" and
 * compares its content (https://git-scm.com/docs/racy-git); so does `unchanged` for a file
 * modified less than this long before its stats were taken.
 */
const RACY_MS = 2000;

/**
 * True when `file` still has the content hashed as `hash`. Comparing size and modification time
 * with those taken when it was hashed is enough, as it is for `git status`, unless the file was
 * modified so shortly before that a later write could have kept its time; only then, or when
 * they differ, is the content hashed (the hashing of every input was most of the check's time).
 * @param {string} file
 * @param {string} hash
 * @param {[number, number] | null | undefined} recorded
 * @param {number | undefined} takenAtMs
 */
function unchanged(file, hash, recorded, takenAtMs) {
  if (recorded && takenAtMs !== undefined && recorded[1] < takenAtMs - RACY_MS) {
    const now = statOf(file);
    if (now && now[0] === recorded[0] && now[1] === recorded[1]) return true;
  }
  return hashOfFile(file) === hash;
}

/**
 * Stores a freshly built bundle: the bundle first, then the manifest that names it (so a
 * manifest never names a missing bundle), then removes the bundles and code caches of older builds.
 * @param {string} entry
 * @param {string[]} inputs
 * @param {string} bundleText
 */
function storeBundle(entry, inputs, bundleText, at = here) {
  const manifest = manifestOf(entry, inputs, bundleText, at);
  const files = bundleFiles(entry, at, manifest.bundleSha256);
  writeWhole(files.bundle, bundleText);
  writeWhole(files.manifest, `${JSON.stringify(manifest, null, 1)}\n`);
  const prefix = `${path.basename(files.base)}.`;
  for (const file of fs.readdirSync(at.bundleDir)) {
    const old = file.startsWith(prefix) && /^[0-9a-f]{16}\.(js|v8cache)$/.test(file.slice(prefix.length));
    if (old && path.join(at.bundleDir, file) !== files.bundle) fs.rmSync(path.join(at.bundleDir, file), { force: true });
  }
}

/**
 * The bundle of `entry` when it exists and every fingerprint matches, with its text; otherwise
 * why it is stale.
 * @param {string} entry
 * @returns {{ bundle: string, sha256: string, text: string, codeCache: string } | { stale: string }}
 */
function freshBundle(entry, at = here) {
  let manifest;
  let bytes;
  let files;
  try {
    manifest = JSON.parse(fs.readFileSync(bundleFiles(entry, at).manifest, "utf8"));
    files = bundleFiles(entry, at, manifest.bundleSha256);
    bytes = fs.readFileSync(files.bundle);
  } catch {
    return { stale: "not built" };
  }
  const now = environmentFingerprint(at);
  for (const key of /** @type {const} */ (["node", "installedTree", "builder"])) {
    if (manifest[key] !== now[key]) return { stale: `${key} changed` };
  }
  if (manifest.entry !== entry || manifest.bundleBytes !== bytes.length) return { stale: "bundle file changed" };
  for (const [file, hash] of Object.entries(manifest.inputs ?? {})) {
    if (!unchanged(path.join(at.root, file), hash, manifest.stats?.[file], manifest.statsTakenAtMs)) return { stale: `${file} changed` };
  }
  for (const [dir, hash] of Object.entries(manifest.folders ?? {})) {
    if (hashOfListing(path.join(at.root, dir)) !== hash) return { stale: `files added or removed in ${dir}/` };
  }
  return { bundle: files.bundle, sha256: manifest.bundleSha256, text: bytes.toString(manifest.ascii ? "latin1" : "utf8"), codeCache: files.codeCache };
}

/**
 * Writes `data` to `file` whole, through a temporary file renamed into place: a process
 * starting at the same moment reads the old file or the new one, never half of one.
 * @param {string} file
 * @param {string | Buffer} data
 */
function writeWhole(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, file);
}

module.exports = { root, locationsOf, bundleFiles, storeBundle, freshBundle, writeWhole };
