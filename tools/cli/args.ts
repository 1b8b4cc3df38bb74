/**
 * Argument parsing shared by the command-line tools: known flags only, `--help`/`-h` from the
 * same table the parser reads, the nearest flag suggested for a typo, and clear errors.
 * Pure except `runCli` and `writeOutput`, which do the process's I/O.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { didYouMean } from "../../domain/nearest";
import { wrapCommand, wrapProse } from "./helpLayout";
import { terminalOf } from "./terminal";

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value (`--stack prod`, `--stack=prod`). */
  values: readonly string[];
  /** Flags that may repeat (collected in order). */
  repeatable?: readonly string[];
  /** Flags without a value. */
  switches?: readonly string[];
  /** Flags refused with what to give instead (CommandSpec.retiredFlags). */
  retired?: Readonly<Record<string, string>>;
}

/** One flag of a command, as `--help` shows it. */
export interface FlagHelp {
  name: string;
  /** The value's placeholder (`NAME`, `FILE`); absent for a switch. */
  value?: string;
  repeatable?: boolean;
  /** One line: what it does, with the default. */
  help: string;
}

/** A command as its `--help` shows it; the parser reads its flags from the same table. */
export interface CommandSpec {
  /** `npm run <command>`. */
  command: string;
  summary: string;
  /** The commands it takes as its first word (`npm run drill -- run ...`); absent: none. */
  subcommands?: readonly string[];
  flags: readonly FlagHelp[];
  /** Full command lines, each as a user types it. */
  examples: readonly string[];
  /** Exit codes and what each means. */
  exitCodes: readonly string[];
  /**
   * Flags the tool took once and refuses now, each with what to give instead
   * (`{ json: "give --format json instead, e.g. ..." }`): a script written for the old flag gets
   * a pointer, not a guess.
   */
  retiredFlags?: Readonly<Record<string, string>>;
}

export interface ParsedFlags {
  values: Record<string, string[]>;
  switches: Set<string>;
  positional: string[];
}

/** The parser's view of a command's table. */
export function flagSpecOf(command: CommandSpec): FlagSpec {
  return {
    values: command.flags.filter((f) => f.value).map((f) => f.name),
    repeatable: command.flags.filter((f) => f.repeatable).map((f) => f.name),
    switches: command.flags.filter((f) => !f.value).map((f) => f.name),
    retired: command.retiredFlags,
  };
}

const isCommand = (spec: FlagSpec | CommandSpec): spec is CommandSpec => "command" in spec;

/** True when the user asked for help (`--help` or `-h`, anywhere). */
export const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === "--help" || a === "-h");

export function parseFlags(argv: readonly string[], specOrCommand: FlagSpec | CommandSpec): ParsedFlags {
  const spec = isCommand(specOrCommand) ? flagSpecOf(specOrCommand) : specOrCommand;
  const parsed: ParsedFlags = { values: {}, switches: new Set(), positional: [] };
  const known = [...spec.values, ...(spec.switches ?? [])];
  const allowed = known.length === 0 ? "this tool takes no flags (--help says what it does)" : `allowed: ${known.map((f) => `--${f}`).join(", ")} (--help shows each with an example)`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (/^-[^-]/.test(arg) && arg !== "-") {
      const bare = arg.replace(/^-+/, "").split("=")[0];
      const hint = known.includes(bare) ? ` did you mean --${bare}?` : didYouMean(bare, known, (f) => `--${f}`);
      throw new UsageError(`${arg}: unknown flag; flags take two dashes (only -h is short);${hint} ${allowed}`);
    }
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const instead = spec.retired?.[flag];
    if (instead !== undefined) throw new UsageError(`--${flag}: no longer taken; ${instead}`);
    if (spec.switches?.includes(flag)) {
      if (inline !== undefined) throw new UsageError(`--${flag}: takes no value (got ${JSON.stringify(inline)}); give --${flag} alone`);
      parsed.switches.add(flag);
    } else if (spec.values.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${flag}: needs a value`);
      if ((parsed.values[flag]?.length ?? 0) > 0 && !spec.repeatable?.includes(flag)) throw new UsageError(`--${flag}: given twice; give it once`);
      (parsed.values[flag] ??= []).push(value);
    } else {
      const hint = didYouMean(flag, known, (f) => `--${f}`);
      throw new UsageError(`--${flag}: unknown flag;${hint ? `${hint}` : ""} ${allowed}`);
    }
  }
  return parsed;
}

/** The `--format` value, checked against the formats the command's table lists (the first is the default). */
export function formatOf<F extends string>(flags: ParsedFlags, formats: readonly F[]): F {
  const given = flags.values.format?.[0];
  if (given === undefined) return formats[0];
  if (!(formats as readonly string[]).includes(given)) throw new UsageError(`--format: "${given}" is not allowed; use ${formats.join(", ")}, e.g. --format ${formats[formats.length - 1]}`);
  return given as F;
}

/**
 * `--help` text: summary, one line per flag, examples, exit codes; laid out for `columns`
 * (./helpLayout.ts: prose wraps under its column, an example wraps with ` \` and still runs).
 */
export function renderHelp(command: CommandSpec, columns = Infinity): string {
  const label = (f: FlagHelp) => `--${f.name}${f.value ? ` ${f.value}` : ""}${f.repeatable ? " (repeatable)" : ""}`;
  const width = Math.max(...command.flags.map((f) => label(f).length), "-h, --help".length);
  const flagLine = (name: string, help: string) => wrapProse(`  ${name.padEnd(width)}  `, help, columns, width + 4);
  return [
    ...wrapCommand("", `npm run -s ${command.command} -- ${command.subcommands ? `${command.subcommands.join("|")} ` : ""}[flags]`, columns, 4),
    "",
    ...wrapProse("", command.summary, columns, 0),
    "",
    "Flags:",
    ...command.flags.flatMap((f) => flagLine(label(f), f.help)),
    ...flagLine("-h, --help", "this text"),
    "",
    "Examples:",
    ...command.examples.flatMap((e) => wrapCommand("  ", e, columns, 6)),
    "",
    "Exit codes:",
    ...command.exitCodes.flatMap((e) => {
      const [, code, text] = /^(\S+ +)(.*)$/s.exec(e) ?? ["", "", e];
      return wrapProse(`  ${code}`, text, columns, 2 + code.length);
    }),
    "",
    ...wrapProse("", "Flags go after `--` (npm keeps flags before it for itself); -s drops npm's banner from the output.", columns, 0),
  ].join("\n");
}

/**
 * The hint for a word where a flag was expected. `npm run plan --stack prod` (no `--`) hands
 * the tool only `prod`: npm keeps `--stack` as its own setting `npm_config_stack`.
 */
export function positionalHint(word: string, flag: string, command: string, env: Readonly<Record<string, string | undefined>>): string {
  // npm 10 keeps the value (`npm_config_stack=prod`); npm 11 keeps a bare `--stack` as `true`
  // and hands the tool its value as a word of its own.
  const kept = env[`npm_config_${flag.replace(/-/g, "_")}`];
  if (kept === word || kept === "true") {
    return `${word}: npm kept --${flag} for itself because it came before \`--\`; run npm run -s ${command} -- --${flag} ${word}`;
  }
  return `${word}: unexpected argument; did you mean --${flag} ${word}?`;
}

/**
 * How a report names what it covers: the stack and every `--set` override, so a header never
 * reads like the stack files' own plan (`stack prod with activeRegion=secondary`).
 */
export function stackLabel(stack: string, set: readonly string[] = []): string {
  return set.length === 0 ? `stack ${stack}` : `stack ${stack} with ${set.join(", ")}`;
}

/**
 * A file path as the user meant it: npm runs a script in the package's folder, and sets INIT_CWD
 * to the folder `npm run` was typed in (https://docs.npmjs.com/cli/v10/commands/npm-run-script),
 * so a relative path is resolved from there.
 */
export function fromInvocationFolder(file: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), file);
}

/**
 * Why `--out FILE` cannot be written, as a sentence (a folder, a missing parent), or undefined.
 * `file` is already resolved ({@link fromInvocationFolder}).
 */
export function outFileProblem(given: string, file: string): string | undefined {
  const flag = `--out ${JSON.stringify(given)}`;
  if (given.endsWith("/") || (fs.existsSync(file) && fs.statSync(file).isDirectory())) {
    return `${flag}: is a folder (${file}); give a file name in it, e.g. --out ${path.join(given, "report.txt")}`;
  }
  const parent = path.dirname(file);
  if (!fs.existsSync(parent)) return `${flag}: the folder ${parent} does not exist; create it first (mkdir -p ${parent}) or give a file in a folder that exists`;
  if (!fs.statSync(parent).isDirectory()) return `${flag}: ${parent} is a file, not a folder; give a file in a folder that exists`;
  return undefined;
}

/**
 * The text of the file a flag names (`--plan dr.json`), found from the folder npm ran in
 * ({@link fromInvocationFolder}); a file that is missing, a folder or unreadable is a
 * {@link UsageError} as a sentence naming the flag, the path and `fix`, never an errno.
 * `flag` is how the message starts (`--plan "dr.json"`, `--section "Policy=p.md"`).
 */
export function readInputFile(flag: string, given: string, fix: string): string {
  const file = fromInvocationFolder(given);
  const at = file === given ? "" : ` (${file})`;
  if (!fs.existsSync(file)) throw new UsageError(`${flag}: no such file${at}; ${fix}`);
  if (fs.statSync(file).isDirectory()) throw new UsageError(`${flag}: is a folder${at}, not a file; ${fix}`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag}: cannot be read${at}: ${code === "EACCES" || code === "EPERM" ? "no permission to read it" : (err as Error).message}; ${fix}`);
  }
}

/** {@link outFileProblem} of the `--out FILE` in `argv`, when the command writes a file there. */
export function outFlagProblem(argv: readonly string[], command: CommandSpec): string | undefined {
  if (!command.flags.some((f) => f.name === "out" && f.value === "FILE")) return undefined;
  const at = argv.findIndex((a) => a === "--out" || a.startsWith("--out="));
  if (at < 0) return undefined;
  const given = argv[at].startsWith("--out=") ? argv[at].slice("--out=".length) : argv[at + 1];
  return given === undefined || given.startsWith("--") ? undefined : outFileProblem(given, fromInvocationFolder(given));
}

/**
 * Writes a tool's output to `--out FILE` (saying where on stderr) or to stdout. A relative FILE
 * is taken from the folder npm was run in ({@link fromInvocationFolder}).
 */
export function writeOutput(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  const file = fromInvocationFolder(out);
  const problem = outFileProblem(out, file);
  if (problem) throw new UsageError(problem);
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "no permission to write there" : code === "EROFS" ? "the file system is read-only" : (err as Error).message;
    throw new UsageError(`--out ${JSON.stringify(out)}: cannot write ${file}: ${why}; give a file in a folder you can write to`);
  }
  process.stderr.write(`wrote ${file} (${Buffer.byteLength(text)} bytes)\n`);
}

/** What a tool says when Node ran out of work before the tool's body settled. */
export const unfinishedMessage =
  "stopped before finishing: a promise the tool waited on never settled. In a Pulumi program this is usually two resources " +
  "that wait on each other's outputs; run again with CRAZY_GARY_TRACES=1 PULUMI_DEBUG_PROMISE_LEAKS=1 for the pending promises";

export interface RunOptions {
  /**
   * The exit code of a usage or configuration error for these arguments (default 2); a tool
   * whose `--detailed-exitcode` gives 2 another meaning answers 1, as Terraform does.
   */
  userErrorExitCode?: (argv: readonly string[]) => number;
}

/**
 * Runs a CLI body: `--help`/`-h` prints the command's help and exits 0 before anything loads;
 * usage and config errors exit 2 with their message, no stack trace. A body that never settles
 * (Node exits once nothing is left to wait on, with status 0 unless told) exits 1 with
 * {@link unfinishedMessage}.
 */
export function runCli(body: () => Promise<number>, isUserError: (err: unknown) => boolean, command: CommandSpec, options: RunOptions = {}): void {
  const userErrorCode = options.userErrorExitCode?.(process.argv.slice(2)) ?? 2;
  if (wantsHelp(process.argv.slice(2))) {
    process.stdout.write(`${renderHelp(command, terminalOf(process.stdout).columns)}\n`, () => process.exit(0));
    return;
  }
  // A file that cannot be written is refused before anything is planned.
  const outProblem = outFlagProblem(process.argv.slice(2), command);
  if (outProblem) {
    process.stderr.write(`${outProblem}\n`, () => process.exit(userErrorCode));
    return;
  }
  let settled = false;
  // "beforeExit": Node has nothing left to wait on (an explicit process.exit() never emits it).
  // The message goes out at "exit", after the SDK's own report of pending promises where that is on.
  process.once("beforeExit", () => {
    if (settled) return;
    process.once("exit", () => {
      process.stderr.write(`${unfinishedMessage}\n`);
      process.exitCode = 1;
    });
  });
  body().then(
    // Exit only once stdout has drained: process.exit() right after a large write into a pipe
    // cuts the output short (a plan's JSON is a few hundred kB).
    (code) => {
      settled = true;
      process.stdout.write("", () => process.exit(code));
    },
    (err: unknown) => {
      settled = true;
      if (err instanceof UsageError || isUserError(err)) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(userErrorCode);
      }
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
