/**
 * Every excerpt of real output in README.md and docs/ (a `<!-- npm run docs runs: COMMAND -->`
 * marker, dev/docs/excerpts.ts) is what its command prints today: the command runs again, as
 * `npm run docs` runs it, and a committed excerpt that differs is stale. Counts, headers and
 * lines quoted from the tools thus follow every change another helper makes to them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findExcerpts, markdownFiles, renderExcerptDocs } from "../../dev/docs/excerpts";
import { repositoryRoot } from "../../tools/offline";

const withExcerpts = markdownFiles(repositoryRoot).filter((file) => findExcerpts(readFileSync(path.join(repositoryRoot, file), "utf8"), file).length > 0);

describe("excerpts of real output in the docs", () => {
  const rendered = renderExcerptDocs(repositoryRoot);

  it("are found in the README and the guides", () => {
    expect(withExcerpts).toEqual(expect.arrayContaining(["README.md", "docs/guides/offline-plan.md", "docs/reference/flip-preview.md", "docs/guides/readiness.md", "docs/guides/cli.md"]));
  });

  it("show every mistake of the CLI guide exiting non-zero, with a message", () => {
    const text = rendered["docs/guides/cli.md"];
    const mistakes = findExcerpts(text, "docs/guides/cli.md").filter((e) => e.command.endsWith('2>&1; echo "exit $?"'));
    expect(mistakes.length).toBeGreaterThanOrEqual(15);
    for (const excerpt of mistakes) {
      const output = text.slice(excerpt.from, excerpt.to).split("\n").slice(2, -2);
      expect(output.at(-1), excerpt.command).toMatch(/^exit [12]$/);
      expect(output.length, excerpt.command).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(withExcerpts)("%s shows what its commands print today", (file) => {
    const committed = readFileSync(path.join(repositoryRoot, file), "utf8");
    if (committed !== rendered[file]) {
      const stale = findExcerpts(committed, file).filter((e, i) => committed.slice(e.from, e.to) !== rendered[file].slice(findExcerpts(rendered[file], file)[i].from, findExcerpts(rendered[file], file)[i].to));
      throw new Error(`${file}: stale excerpts of ${stale.map((e) => `\`${e.command}\``).join(", ")}; run npm run docs`);
    }
  });
});
