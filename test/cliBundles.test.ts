/**
 * When a CLI bundle may be used (tools/cli/bundles.js) and what the lazy stand-ins
 * (tools/cli/lazyModule.js) do, on a scratch repository: a stale bundle is never run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface Locations {
  root: string;
  bundleDir: string;
  installedTree: string;
}
type Fresh = { bundle: string; text: string; codeCache: string } | { stale: string };
const load = createRequire(__filename);
const bundles = load("../tools/cli/bundles.js") as {
  locationsOf(root: string): Locations;
  bundleFiles(entry: string, at: Locations): { bundle: string; manifest: string; codeCache: string };
  manifestOf(entry: string, inputs: string[], text: string, at: Locations): Record<string, unknown>;
  freshBundle(entry: string, at: Locations): Fresh;
};
const { lazyModule } = load("../tools/cli/lazyModule.js") as { lazyModule(load: () => unknown): Record<string, unknown> };

const entry = "tools/cli/plan.ts";
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
    const files = bundles.bundleFiles(entry, at);
    mkdirSync(at.bundleDir, { recursive: true });
    writeFileSync(files.bundle, bundleText);
    writeFileSync(files.manifest, JSON.stringify(bundles.manifestOf(entry, ["tools/cli/plan.ts", "tools/offline/plan.ts"], bundleText, at)));
  });
  afterEach(() => rmSync(at.root, { recursive: true, force: true }));

  it("runs the bundle when nothing changed, with its text and the code cache beside it", () => {
    const found = bundles.freshBundle(entry, at);
    expect(found).toEqual({ bundle: path.join(at.bundleDir, "tools-cli-plan.js"), text: bundleText, codeCache: path.join(at.bundleDir, "tools-cli-plan.v8cache") });
  });

  it.each([
    ["a source's content", () => write("tools/offline/plan.ts", "export const x = 2;\n"), "tools/offline/plan.ts changed"],
    ["a source removed", () => rmSync(path.join(at.root, "tools/offline/plan.ts")), "tools/offline/plan.ts changed"],
    ["a file added beside a source (an import could resolve to it)", () => write("tools/offline/plan/index.ts", ""), "files added or removed in tools/offline/"],
    ["the installed dependencies (npm install, update or remove)", () => write("node_modules/.package-lock.json", '{"packages":{"node_modules/zod":{"version":"4.6.8"}}}'), "installedTree changed"],
    ["the bundle file itself, torn", () => writeFileSync(bundles.bundleFiles(entry, at).bundle, "module.exports"), "bundle file changed"],
    ["no bundle built", () => rmSync(at.bundleDir, { recursive: true }), "not built"],
  ])("is stale after a change to %s", (_, change, expected) => {
    expect(reason()).toBe("fresh");
    change();
    expect(reason()).toBe(expected);
  });

  it("is stale when built by another Node version (its code cache would be rejected)", () => {
    const files = bundles.bundleFiles(entry, at);
    const manifest = JSON.parse(JSON.stringify(bundles.manifestOf(entry, ["tools/cli/plan.ts"], bundleText, at)));
    writeFileSync(files.manifest, JSON.stringify({ ...manifest, node: "v18.0.0" }));
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
