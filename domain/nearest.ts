/**
 * Suggestions for a mistyped name (`--stak` -> `--stack`, `us-west2` -> `us-west-2`) and lists
 * wrapped to a terminal's width, for every error message that names what is allowed.
 */

/** Edit distance (insertions, deletions, substitutions; a swap of neighbours counts 1). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The candidates close enough to `value` to be what was meant, nearest first (at most `limit`).
 * Close enough: at most a third of the longer name's characters differ (at least 1, at most 3),
 * compared without case; a candidate that starts with the value (a cut-off name) counts too.
 */
export function nearest(value: string, candidates: readonly string[], limit = 3): string[] {
  const typed = value.toLowerCase();
  return candidates
    .map((candidate) => {
      const c = candidate.toLowerCase();
      const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(c.length, typed.length) / 3)));
      const distance = editDistance(typed, c);
      const prefix = typed.length >= 3 && c.startsWith(typed);
      return { candidate, distance, close: (distance <= allowed && distance < typed.length) || prefix };
    })
    .filter((s) => s.close && s.candidate !== value)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** ` did you mean X?` (or `X or Y?` when both are as near), or `""` when nothing is close. */
export function didYouMean(value: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const distance = (c: string) => editDistance(value.toLowerCase(), c.toLowerCase());
  const found = nearest(value, candidates, 2);
  const close = found.filter((c) => distance(c) === distance(found[0]));
  return close.length === 0 ? "" : ` did you mean ${close.map(show).join(" or ")}?`;
}

/**
 * A list as lines no wider than `width` (each item whole, `, ` between items), every line
 * after the first starting with `indent`. For a list of 30 regions in an error message.
 */
export function wrapList(items: readonly string[], width = 88, indent = "    "): string {
  const lines: string[] = [];
  let line = "";
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line && `${line} ${piece}`.length > width - indent.length) {
      lines.push(line);
      line = piece;
    } else {
      line = line ? `${line} ${piece}` : piece;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * What an error says after "is not a <what>": the nearest names when one is close, else the
 * whole list wrapped (short lists stay on the line).
 */
export function suggestFrom(value: string, candidates: readonly string[], what: string): string {
  const hint = didYouMean(value, candidates);
  if (hint) return `${hint.trim()} (${candidates.length} ${what} in all)`;
  if (candidates.length <= 8) return `use one of ${candidates.join(", ")}`;
  return `use one of these ${candidates.length}:\n      ${wrapList(candidates, 88, "      ")}`;
}
