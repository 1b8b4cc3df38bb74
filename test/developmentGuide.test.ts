/** docs/guides/development.md names today's real-component test files, so its suite figures can be read against them. */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../tools/offline/stackFiles";

const guide = readFileSync(path.join(repositoryRoot, "docs/guides/development.md"), "utf8");
const listAt = guide.indexOf("Today's real-component files");
const section = listAt < 0 ? "" : guide.slice(listAt);
const files = readdirSync(path.join(repositoryRoot, "test/postgres"))
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => f.replace(/\.test\.ts$/, ""));

describe("docs/guides/development.md", () => {
  it("has the list of today's real-component files", () => {
    expect(listAt).toBeGreaterThan(0);
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("names test/postgres/%s.test.ts in that list", (file) => {
    if (!section.includes(`\`${file}\``)) throw new Error(`docs/guides/development.md does not name test/postgres/${file}.test.ts under "Today's real-component files"; add it there`);
  });
});
