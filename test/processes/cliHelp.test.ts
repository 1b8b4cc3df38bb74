/**
 * The tools as a user runs them through npm: `--help`/`-h` on each (exit 0, every flag and an
 * example), and `--out FILE`, which keeps JSON clean of npm's banner.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commands } from "../../tools/cli/commands";
import { repositoryRoot } from "../../tools/offline";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-help-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const npm = (...args: string[]) => spawnSync("npm", args, { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 });

describe.each(commands.map((c) => [c.command, c] as const))("npm run -s %s -- --help", (name, command) => {
  it.each([["--help"], ["-h"]])("%s exits 0 and lists every flag with an example, loading no program", (flag) => {
    const result = npm("run", "-s", name, "--", flag);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith(`npm run -s ${name} -- ${command.subcommands ? `${command.subcommands.join("|")} ` : ""}[flags]\n`)).toBe(true);
    for (const f of command.flags) expect(result.stdout).toMatch(new RegExp(`^  --${f.name}\\b`, "m"));
    // An example too wide for the terminal (a pipe: 100 columns) wraps with ` \` and runs as one command.
    expect(result.stdout.replace(/ \\\n +/g, " ")).toContain(`Examples:\n  ${command.examples[0]}\n`);
  });
});

describe("npm run plan with --out", () => {
  it("writes the JSON plan to the file (stdout stays empty), the same JSON --format json prints", () => {
    const file = path.join(dir, "dr.json");
    const written = npm("run", "plan", "--", "--stack", "dr", "--out", file);
    expect(written.status).toBe(0);
    expect(written.stderr).toMatch(new RegExp(`^wrote ${file.replace(/[.]/g, "\\.")} \\(\\d+ bytes\\)$`, "m"));
    const plan = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(plan.stack).toBe("dr");
    const printed = npm("run", "-s", "plan", "--", "--stack", "dr", "--format", "json");
    expect(JSON.parse(printed.stdout)).toEqual(plan);
  });

  it("without -s, npm's banner precedes the output on stdout: the reason for --out and -s", () => {
    const banner = npm("run", "plan", "--", "--help");
    expect(banner.stdout).toMatch(/^\n> crazy-gary-dr@0\.1\.0 plan\n/);
  });

  it("a folder that does not exist is a usage error naming the flag and the folder", () => {
    const result = npm("run", "-s", "plan", "--", "--stack", "dr", "--out", path.join(dir, "missing", "x.json"));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `--out "${path.join(dir, "missing", "x.json")}": the folder ${path.join(dir, "missing")} does not exist; create it first (mkdir -p ${path.join(dir, "missing")}) or give a file in a folder that exists\n`,
    );
  });

  it("a folder given as the file is a sentence, not EISDIR", () => {
    const result = npm("run", "-s", "plan", "--", "--stack", "dr", "--out", `${dir}/`);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`--out "${dir}/": is a folder (${dir}); give a file name in it, e.g. --out ${path.join(dir, "report.txt")}\n`);
  });

  it("a relative FILE is written in the folder npm was run in (INIT_CWD), not the package folder", () => {
    const sub = fs.mkdtempSync(path.join(dir, "cwd-"));
    const result = spawnSync("npm", ["--prefix", repositoryRoot, "run", "-s", "config:diff", "--", "--stack", "dr", "--out", "drift.txt"], { cwd: sub, encoding: "utf8", timeout: 600_000 });
    expect(result.stderr).toBe(`wrote ${path.join(sub, "drift.txt")} (${fs.statSync(path.join(sub, "drift.txt")).size} bytes)\n`);
    expect(fs.existsSync(path.join(repositoryRoot, "drift.txt"))).toBe(false);
  });

  it("from any folder, the plan one tool wrote there is the file the next tools read (--plan, --base)", () => {
    const sub = fs.mkdtempSync(path.join(dir, "cwd-"));
    const npmIn = (...args: string[]) => spawnSync("npm", ["--prefix", repositoryRoot, "run", "-s", ...args], { cwd: sub, encoding: "utf8", timeout: 600_000 });
    expect(npmIn("plan", "--", "--stack", "dr", "--out", "dr.json").status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(sub, "dr.json"), "utf8")).stack).toBe("dr");
    const policy = npmIn("policy", "--", "--plan", "dr.json");
    expect(policy.status, policy.stderr).toBe(0);
    expect(policy.stdout).toMatch(/^Policy report: stack dr\n/);
    const diff = npmIn("plan", "--", "--stack", "dr", "--diff", "--base", "dr.json", "--detailed-exitcode");
    expect(diff.status, diff.stderr).toBe(0);
  });
});

describe("npm run -s docs", () => {
  it.each([["--bogus"], ["extra"]])("%s is refused (exit 2) and nothing is written", (arg) => {
    const result = npm("run", "-s", "docs", "--", arg);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(arg === "extra" ? /^extra: unexpected argument; npm run docs takes no arguments\n$/ : /^--bogus: unknown flag;/);
  });
});
