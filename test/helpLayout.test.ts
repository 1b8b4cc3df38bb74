/** `--help` fits the terminal (tools/cli/helpLayout.ts): prose wraps under its column, examples wrap with ` \` and still run. */
import { describe, expect, it } from "vitest";
import { renderHelp } from "../tools/cli/args";
import { commands } from "../tools/cli/commands";
import { wrapCommand, wrapProse } from "../tools/cli/helpLayout";

/** What bash runs from wrapped lines: a line ending in a backslash joins the next. */
const asBashReadsIt = (lines: readonly string[]) => lines.join("\n").replace(/ \\\n +/g, " ");

describe("help layout", () => {
  it("wraps a command between shell words, a flag beside its value, quotes whole, and bash reads it as typed", () => {
    const command = 'npm run -s pr-comment -- --marker crazy-gary-preview:prod --heading "Preview: prod" --section "Readiness=reports/readiness-prod.md" --max-chars 65536';
    const lines = wrapCommand("  ", command, 62, 6);
    expect(lines).toEqual([
      "  npm run -s pr-comment -- --marker crazy-gary-preview:prod \\",
      '      --heading "Preview: prod" \\',
      '      --section "Readiness=reports/readiness-prod.md" \\',
      "      --max-chars 65536",
    ]);
    expect(asBashReadsIt(lines)).toBe(`  ${command}`);
  });

  it("wraps prose between words under its column; a word wider than the room stays whole", () => {
    expect(wrapProse("  --stack NAME  ", "the stack to plan (a Pulumi.NAME.yaml beside Pulumi.yaml); required", 40, 16)).toEqual([
      "  --stack NAME  the stack to plan (a",
      "                Pulumi.NAME.yaml beside",
      "                Pulumi.yaml); required",
    ]);
    expect(wrapProse("", "x".repeat(50), 40, 0)).toEqual(["x".repeat(50)]);
  });

  it.each(commands.map((c) => [c.command, c] as const))("npm run %s -- --help at 120 columns: no line wider, every example whole", (_name, command) => {
    const help = renderHelp(command, 120);
    expect(help.split("\n").filter((l) => [...l].length > 120)).toEqual([]);
    for (const example of command.examples) expect(asBashReadsIt(help.split("\n"))).toContain(`\n  ${example}\n`);
    expect(asBashReadsIt(help.split("\n"))).toBe(asBashReadsIt(renderHelp(command, 120).split("\n")));
  });
});
