/**
 * When tools/cli/run.js builds a CLI's bundle again (tools/cli/build.js): as make decides, when
 * any input is newer than the bundle, on a scratch repository built with the real esbuild.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const { build, outputsOf, staleReason } = require("../tools/cli/build.js") as {
  build(entries: string[], root: string): void;
  outputsOf(entry: string, root: string): { bundle: string; inputs: string };
  staleReason(entry: string, root: string): string | undefined;
};

const entry = "tools/cli/hello.ts";

describe("a CLI bundle is built again when any of its inputs is newer", () => {
  let root: string;
  const file = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  };
  /** Gives `name` a modification time `ms` after the bundle's. */
  const newer = (name: string, ms: number) => {
    const time = new Date(Math.ceil(statSync(outputsOf(entry, root).bundle).mtimeMs) + ms);
    utimesSync(path.join(root, name), time, time);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "cli-build-"));
    file("tsconfig.json", "{}\n");
    file("node_modules/.package-lock.json", '{"packages":{}}\n');
    file("lib/greeting.ts", 'export const greeting: string = "hello";\n');
    file(entry, 'import { greeting } from "../../lib/greeting";\nimport * as ts from "typescript";\nexport const said = greeting;\nexport const compiler = ts;\n');
    // Every file older than the build, as after a checkout some time ago.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const name of ["tsconfig.json", "node_modules/.package-lock.json", "lib/greeting.ts", entry, "lib", "tools/cli"]) utimesSync(path.join(root, name), anHourAgo, anHourAgo);
    build([entry], root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes one CommonJS file in dist/ that runs, and the repository files that went into it", () => {
    const { bundle, inputs } = outputsOf(entry, root);
    expect(bundle).toBe(path.join(root, "dist", "tools", "cli", "hello.js"));
    expect(require(bundle).said).toBe("hello");
    const standIn = path.relative(root, path.join(__dirname, "../tools/cli/notBundled.js"));
    expect(JSON.parse(readFileSync(inputs, "utf8")).sort()).toEqual(["lib/greeting.ts", standIn, entry].sort());
  });

  it("puts an empty stand-in where a module requires the TypeScript compiler (tools/cli/notBundled.js)", () => {
    const { bundle } = outputsOf(entry, root);
    expect(require(bundle).compiler.createSourceFile).toBeUndefined();
    expect(statSync(bundle).size).toBeLessThan(5_000);
  });

  it("is fresh while nothing changed", () => {
    expect(staleReason(entry, root)).toBeUndefined();
  });

  it("is dated before its build started, so a source saved during the build is newer", () => {
    const start = Date.now() + 60_000;
    vi.spyOn(Date, "now").mockReturnValue(start);
    try {
      build([entry], root);
    } finally {
      vi.restoreAllMocks();
    }
    expect(statSync(outputsOf(entry, root).bundle).mtimeMs).toBeLessThan(start);
    const savedAtTheStart = new Date(start);
    utimesSync(path.join(root, "lib/greeting.ts"), savedAtTheStart, savedAtTheStart);
    expect(staleReason(entry, root)).toBe("lib/greeting.ts changed");
  });

  it.each([
    ["a source it imports", "lib/greeting.ts", "lib/greeting.ts changed"],
    ["its entry", entry, `${entry} changed`],
    ["the installed dependency tree (npm rewrites it on every install)", "node_modules/.package-lock.json", "node_modules/.package-lock.json changed"],
    ["the compiler options", "tsconfig.json", "tsconfig.json changed"],
  ])("is stale once %s is newer", (_, name, reason) => {
    newer(name, 1_000);
    expect(staleReason(entry, root)).toBe(reason);
  });

  it("is stale once a file is added beside a source (an import may resolve to it), or a source is removed", () => {
    newer("lib/greeting.ts", -1_000);
    file("lib/greeting.js", "module.exports = {};\n");
    expect(staleReason(entry, root)).toBe("lib changed");
    // Built again a while later (not within the few ms a bundle is dated before its build).
    newer("lib", -1_000);
    build([entry], root);
    expect(staleReason(entry, root)).toBeUndefined();
    rmSync(path.join(root, "lib/greeting.ts"));
    expect(staleReason(entry, root)).toMatch(/^lib(\/greeting\.ts)? changed$/);
  });

  it("is not built before the first build, nor when its bundle is gone", () => {
    expect(staleReason("tools/cli/other.ts", root)).toBe("not built");
    rmSync(outputsOf(entry, root).bundle);
    expect(staleReason(entry, root)).toBe("not built");
  });
});
