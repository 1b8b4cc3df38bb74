/**
 * One layout for components (docs/architecture/README.md#components): `components/<name>.ts`,
 * or, for a component that owns more than one file, `components/<name>/index.ts` with its files
 * beside it; never both.
 */
import { readdirSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const componentsDir = path.resolve(__dirname, "..", "components");
const entries = readdirSync(componentsDir);
const folders = entries.filter((e) => statSync(path.join(componentsDir, e)).isDirectory());

describe("component folders", () => {
  it("every folder is a component with an index.ts", () => {
    expect(folders.filter((f) => !existsSync(path.join(componentsDir, f, "index.ts")))).toEqual([]);
  });

  it("no component is both a file and a folder", () => {
    expect(folders.filter((f) => entries.includes(`${f}.ts`))).toEqual([]);
  });
});
