/** Minimal flag parsing for the command-line tools: known flags only, clear errors. */

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value (`--stack prod`, `--stack=prod`). */
  values: readonly string[];
  /** Flags that may repeat (collected in order). */
  repeatable?: readonly string[];
  /** Flags without a value. */
  switches?: readonly string[];
}

export interface ParsedFlags {
  values: Record<string, string[]>;
  switches: Set<string>;
  positional: string[];
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const parsed: ParsedFlags = { values: {}, switches: new Set(), positional: [] };
  const allowed = [...spec.values, ...(spec.switches ?? [])].map((f) => `--${f}`).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.switches?.includes(flag)) {
      parsed.switches.add(flag);
    } else if (spec.values.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${flag}: needs a value`);
      if ((parsed.values[flag]?.length ?? 0) > 0 && !spec.repeatable?.includes(flag)) throw new UsageError(`--${flag}: given twice; give it once`);
      (parsed.values[flag] ??= []).push(value);
    } else {
      throw new UsageError(`--${flag}: unknown flag; allowed: ${allowed}`);
    }
  }
  return parsed;
}

/** Runs a CLI body: usage and config errors exit 2 with their message, no stack trace. */
export function runCli(body: () => Promise<number>, isUserError: (err: unknown) => boolean): void {
  body().then(
    // Exit only once stdout has drained: process.exit() right after a large write into a pipe
    // cuts the output short (a plan's JSON is a few hundred kB).
    (code) => process.stdout.write("", () => process.exit(code)),
    (err: unknown) => {
      if (err instanceof UsageError || isUserError(err)) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
