/**
 * `--help` laid out for the terminal's width: prose wraps between words under its own column,
 * and an example command wraps between shell words with a trailing ` \`, so it still runs when
 * pasted whole (bash joins a line that ends in a backslash with the next).
 */

/** Lines of at most `columns`: `lead` then the words of `text`; continuations start with `indent` spaces. A word wider than the room stays whole. */
function pack(lead: string, words: readonly string[], columns: number, indent: number, lineEnd = ""): string[] {
  const lines: string[] = [];
  let current = lead;
  let empty = true;
  for (const word of words) {
    if (!empty && [...`${current} ${word}${lineEnd}`].length > columns) {
      lines.push(`${current}${lineEnd}`);
      current = " ".repeat(indent) + word;
    } else {
      current = empty ? `${current}${word}` : `${current} ${word}`;
    }
    empty = false;
  }
  return [...lines, current];
}

/** `lead` and the prose `text`, wrapped between words to `columns`; continuations indented by `indent`. */
export const wrapProse = (lead: string, text: string, columns: number, indent: number): string[] => pack(lead, text.split(/ +/).filter(Boolean), columns, indent);

/** A shell word: a quoted string (with what touches it) or a run of non-blanks. */
const shellWord = /(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']+)+/g;

/** Shell words with each flag kept beside its value (`--stack prod` never splits). */
function flagsWithValues(words: readonly string[]): string[] {
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const takesNext = words[i].startsWith("-") && i + 1 < words.length && !/^[-|>]/.test(words[i + 1]);
    units.push(takesNext ? `${words[i]} ${words[++i]}` : words[i]);
  }
  return units;
}

/**
 * `lead` and a command line, wrapped between shell words (a flag beside its value) with ` \` at
 * each line's end, so the lines still run as one command.
 */
export const wrapCommand = (lead: string, command: string, columns: number, indent: number): string[] =>
  pack(lead, flagsWithValues(command.match(shellWord) ?? []), columns, indent, " \\");
