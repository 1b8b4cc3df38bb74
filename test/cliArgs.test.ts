import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, nearest, suggestFrom, wrapList } from "../domain/nearest";
import { parseFlags, positionalHint, renderHelp, UsageError, wantsHelp } from "../tools/cli/args";
import { commands, planCommand, policyCommand } from "../tools/cli/commands";
import { parseStackConfig } from "../infra/parseConfig";
import { loadStackConfig } from "../tools/offline/stackFiles";

const usage = (argv: string[], spec = planCommand): string => {
  try {
    parseFlags(argv, spec);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
};

describe("nearest names", () => {
  it.each([
    ["stak", "stack", 1],
    ["us-west2", "us-west-2", 1],
    ["pord", "prod", 1],
    ["kitten", "sitting", 3],
  ])("editDistance(%s, %s) = %i", (a, b, d) => expect(editDistance(a, b)).toBe(d));

  it.each([
    ["us-west2", ["us-west-2"]],
    ["US-EAST-1", ["us-east-1"]],
    ["eu-wst-1", ["eu-west-1"]],
    ["mars", []],
  ])("%s -> %j among the region codes", (typed, expected) => {
    const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"];
    expect(didYouMean(typed, regions).replace(/^ did you mean |\?$/g, "").split(" or ").filter(Boolean)).toEqual(expected);
  });

  it("a cut-off name counts as near, nearest first", () => {
    expect(nearest("max", ["max-chars", "format", "stack"])).toEqual(["max-chars"]);
  });

  it("wraps a long list to lines of at most the width, every item whole", () => {
    const items = Array.from({ length: 40 }, (_, i) => `region-${i}`);
    const text = wrapList(items, 60, "  ");
    const lines = text.split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(text.replace(/\n {2}/g, " ")).toBe(items.join(", "));
  });

  it("names the nearest when one is close, else the whole list on wrapped lines", () => {
    const many = Array.from({ length: 30 }, (_, i) => `zone-${String.fromCharCode(97 + (i % 26))}${i}`);
    expect(suggestFrom("zone-a00", many, "zones")).toBe("did you mean zone-a0? (30 zones in all)");
    expect(suggestFrom("x", ["a", "b"], "letters")).toBe("use one of a, b");
    expect(suggestFrom("nothing-like-it", many, "zones").split("\n").length).toBeGreaterThan(2);
  });
});

describe("parseFlags", () => {
  it("reads values, repeats and switches from the command's table", () => {
    const flags = parseFlags(["--stack", "prod", "--set", "a=1", "--set=b=2", "--diff", "--out", "x.json"], planCommand);
    expect(flags.values).toEqual({ stack: ["prod"], set: ["a=1", "b=2"], out: ["x.json"] });
    expect([...flags.switches]).toEqual(["diff"]);
    expect(flags.positional).toEqual([]);
  });

  it.each([
    [["--stak", "prod"], "--stak: unknown flag; did you mean --stack? allowed: --stack, --set, --format, --base, --filter, --out, --diff, --detailed-exitcode, --verbose (--help shows each with an example)"],
    [["--dif"], "--dif: unknown flag; did you mean --diff?"],
    [["--json"], "--json: no longer taken; give --format json instead (one flag for every tool), e.g. npm run -s plan -- --stack prod --format json"],
    [["--json=yes"], "--json: no longer taken; give --format json instead"],
    [["-s", "prod"], "-s: unknown flag; flags take two dashes (only -h is short); allowed: --stack"],
    [["-stack", "prod"], "-stack: unknown flag; flags take two dashes (only -h is short); did you mean --stack?"],
    [["--stack"], "--stack: needs a value"],
    [["--stack", "prod", "--stack", "dr"], "--stack: given twice; give it once"],
    [["--diff=yes"], '--diff: takes no value (got "yes"); give --diff alone'],
  ])("%j is refused: %s", (argv, message) => {
    expect(usage(argv)).toContain(message);
  });

  it("suggests among the policy tool's own flags", () => {
    expect(usage(["--max-char", "600"], policyCommand)).toContain("did you mean --max-chars?");
  });

  it.each([[["--help"]], [["-h"]], [["--stack", "prod", "-h"]]])("%j asks for help", (argv) => expect(wantsHelp(argv)).toBe(true));

  it("says npm kept the flag when it came before --", () => {
    expect(positionalHint("prod", "stack", "plan", { npm_config_stack: "prod" })).toBe(
      "prod: npm kept --stack for itself because it came before `--`; run npm run -s plan -- --stack prod",
    );
    // npm 11 keeps a bare `--stack` as npm_config_stack=true and passes `prod` on.
    expect(positionalHint("prod", "stack", "plan", { npm_config_stack: "true" })).toBe(
      "prod: npm kept --stack for itself because it came before `--`; run npm run -s plan -- --stack prod",
    );
    expect(positionalHint("prod", "stack", "plan", {})).toBe("prod: unexpected argument; did you mean --stack prod?");
  });
});

describe.each(commands.map((c) => [c.command, c] as const))("npm run %s -- --help", (_name, command) => {
  const help = renderHelp(command);
  it("lists every flag the parser accepts, with -h", () => {
    for (const flag of command.flags) expect(help).toMatch(new RegExp(`^  --${flag.name}\\b`, "m"));
    expect(help).toMatch(/^ {2}-h, --help {2,}this text$/m);
  });
  it("gives examples that the parser accepts and that use every flag", () => {
    // The examples that run this tool (others show what follows it, e.g. `pulumi policy publish`),
    // split into words as a shell would: quotes group, a redirection ends the arguments.
    const prefix = `npm run -s ${command.command}`;
    const invocations = command.examples.filter((e) => e === prefix || e.startsWith(`${prefix} -- `));
    expect(invocations.length).toBeGreaterThan(0);
    for (const example of invocations) {
      const words = [...example.slice(`${prefix} -- `.length).matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      const argv = words.includes(">") ? words.slice(0, words.indexOf(">")) : words;
      expect(() => parseFlags(argv, command)).not.toThrow();
      const { positional } = parseFlags(argv, command);
      expect(positional).toEqual(command.subcommands ? [positional[0]] : []);
      if (command.subcommands) expect(command.subcommands).toContain(positional[0]);
    }
    const used = command.examples.join(" ");
    for (const flag of command.flags) expect(used).toMatch(new RegExp(`--${flag.name}( |$)`));
  });

  it("gives --set overrides in its examples that the stack's config accepts", () => {
    for (const example of command.examples.filter((e) => e.includes("--set "))) {
      const stack = /--stack (\S+)/.exec(example)?.[1] ?? "prod";
      const set = [...example.matchAll(/--set (\S+)/g)].map((m) => m[1]);
      expect(() => parseStackConfig(loadStackConfig(stack, { set })), example).not.toThrow();
    }
  });
});
