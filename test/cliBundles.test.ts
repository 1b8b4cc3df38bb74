/**
 * When a CLI bundle may be used (tools/cli/bundles.js) and what the lazy stand-ins
 * (tools/cli/lazyModule.js) do, on a scratch repository: a stale bundle is never run.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface Locations {
  root: string;
  bundleDir: string;
  installedTree: string;
}
type Fresh = { bundle: string; sha256: string; text: string; codeCache: string } | { stale: string };
const load = createRequire(__filename);
const bundles = load("../tools/cli/bundles.js") as {
  locationsOf(root: string): Locations;
  bundleFiles(entry: string, at: Locations, sha?: string): { bundle: string; manifest: string; codeCache: string };
  storeBundle(entry: string, inputs: string[], text: string, at: Locations): void;
  freshBundle(entry: string, at: Locations): Fresh;
};
const { lazyModule } = load("../tools/cli/lazyModule.js") as { lazyModule(load: () => unknown): Record<string, unknown> };

const entry = "tools/cli/plan.ts";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const bundleText = 'module.exports = "bundle";\n';

describe("a CLI bundle is used only while everything it was built from is unchanged", () => {
  let at: Locations;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(at.root, file)), { recursive: true });
    writeFileSync(path.join(at.root, file), text);
  };
  const reason = () => {
    const found = bundles.freshBundle(entry, at);
    return "stale" in found ? found.stale : "fresh";
  };

  beforeEach(() => {
    at = bundles.locationsOf(mkdtempSync(path.join(tmpdir(), "cli-bundles-")));
    write("node_modules/.package-lock.json", '{"packages":{"node_modules/zod":{"version":"4.6.7"}}}');
    write("tools/cli/plan.ts", 'import "../offline/plan";\n');
    write("tools/offline/plan.ts", "export const x = 1;\n");
    bundles.storeBundle(entry, ["tools/cli/plan.ts", "tools/offline/plan.ts"], bundleText, at);
  });
  afterEach(() => rmSync(at.root, { recursive: true, force: true }));

  it("runs the bundle when nothing changed, with its text and a code cache named by its content", () => {
    const found = bundles.freshBundle(entry, at);
    const name = path.join(at.bundleDir, `tools-cli-plan.${sha256(bundleText).slice(0, 16)}`);
    expect(found).toEqual({ bundle: `${name}.js`, sha256: sha256(bundleText), text: bundleText, codeCache: `${name}.v8cache` });
  });

  describe("a source last modified well before the build (stats older than the racy window)", () => {
    const source = "tools/offline/plan.ts";
    const anHourAgo = () => new Date(Date.now() - 3_600_000);
    beforeEach(() => {
      utimesSync(path.join(at.root, source), anHourAgo(), anHourAgo());
      bundles.storeBundle(entry, ["tools/cli/plan.ts", source], bundleText, at);
    });
    const recordedHash = (hash: string) => {
      const { manifest } = bundles.bundleFiles(entry, at);
      const stored = JSON.parse(readFileSync(manifest, "utf8"));
      writeFileSync(manifest, JSON.stringify({ ...stored, inputs: { ...stored.inputs, [source]: hash } }));
    };

    it("is trusted by its size and modification time, without reading it (as git status does)", () => {
      recordedHash("not-the-content-hash");
      expect(reason()).toBe("fresh");
    });

    it("is hashed again once its modification time differs, even at the same size", () => {
      recordedHash("not-the-content-hash");
      utimesSync(path.join(at.root, source), new Date(), new Date());
      expect(reason()).toBe(`${source} changed`);
    });

    it("is stale after a same-size rewrite (a write sets the modification time to now)", () => {
      write(source, "export const x = 2;\n");
      expect(reason()).toBe(`${source} changed`);
    });
  });

  it("keeps only the newest build: a rebuild removes the older bundle and its code cache", () => {
    const old = bundles.freshBundle(entry, at) as { bundle: string; codeCache: string };
    writeFileSync(old.codeCache, "cache of the old build");
    const newer = 'module.exports = "newer";\n';
    bundles.storeBundle(entry, ["tools/cli/plan.ts", "tools/offline/plan.ts"], newer, at);
    expect(readdirSync(at.bundleDir).sort()).toEqual([`tools-cli-plan.${sha256(newer).slice(0, 16)}.js`, "tools-cli-plan.manifest.json"]);
    expect(bundles.freshBundle(entry, at)).toMatchObject({ text: newer });
  });

  it.each([
    ["a source's content", () => write("tools/offline/plan.ts", "export const x = 2;\n"), "tools/offline/plan.ts changed"],
    ["a source removed", () => rmSync(path.join(at.root, "tools/offline/plan.ts")), "tools/offline/plan.ts changed"],
    ["a file added beside a source (an import could resolve to it)", () => write("tools/offline/plan/index.ts", ""), "files added or removed in tools/offline/"],
    ["the installed dependencies (npm install, update or remove)", () => write("node_modules/.package-lock.json", '{"packages":{"node_modules/zod":{"version":"4.6.8"}}}'), "installedTree changed"],
    ["the bundle file itself, cut short", () => writeFileSync(bundles.bundleFiles(entry, at, sha256(bundleText)).bundle, "module.exports"), "bundle file changed"],
    ["no bundle built", () => rmSync(at.bundleDir, { recursive: true }), "not built"],
  ])("is stale after a change to %s", (_, change, expected) => {
    expect(reason()).toBe("fresh");
    change();
    expect(reason()).toBe(expected);
  });

  it("is stale when built by another Node version (its code cache would be rejected)", () => {
    const { manifest } = bundles.bundleFiles(entry, at);
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), node: "v18.0.0" }));
    expect(reason()).toBe("node changed");
  });
});

describe("lazyModule: a module that loads on first use, as if required at once", () => {
  it("does not load for TypeScript's __importStar check, and loads on the first real use", () => {
    let loads = 0;
    const stand = lazyModule(() => {
      loads++;
      return { Arborist: class Arborist {}, version: "9.0.0" };
    });
    // What `__importStar(require(x))` reads first.
    expect(stand.__esModule).toBe(true);
    expect(loads).toBe(0);
    expect(stand.version).toBe("9.0.0");
    expect(typeof stand.Arborist).toBe("function");
    expect(loads).toBe(1);
  });

  it("gives `default` as __importStar would: the module itself for CommonJS, its default for an ES module", () => {
    const commonJs = { a: 1 };
    expect(lazyModule(() => commonJs).default).toBe(commonJs);
    const esModule = { __esModule: true, default: "the default" };
    expect(lazyModule(() => esModule).default).toBe("the default");
  });

  it("forwards keys, `in` and writes to the real module", () => {
    const real: Record<string, unknown> = { a: 1 };
    const stand = lazyModule(() => real);
    expect(Object.keys(stand)).toEqual(["a"]);
    expect("a" in stand).toBe(true);
    stand.b = 2;
    expect(real.b).toBe(2);
  });
});
