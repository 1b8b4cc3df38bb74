/**
 * Reads the systemd timers the stack renders onto a database host: which backup a timer runs
 * and the longest gap between two of its runs. Pure functions over text.
 */

export type BackupKind = "full" | "incr" | "diff";

export interface BackupTimer {
  kind: BackupKind;
  /** The timer's `OnCalendar=` expressions. */
  onCalendar: string[];
  /** Longest time between two runs, in hours (`Infinity` when it does not run every day). */
  maxGapHours: number;
}

const minutesPerDay = 24 * 60;

/** Values of one `OnCalendar` time field: `*`, `5`, `1,2`, `0..6`, `0/6`, `*\/6`, `0..12/3`. */
function fieldValues(field: string, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const match = /^(\*|\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!match) return undefined;
    const start = match[1] === "*" ? 0 : Number(match[1]);
    const end = match[2] !== undefined ? Number(match[2]) : match[1] === "*" || match[3] !== undefined ? max : start;
    const step = match[3] !== undefined ? Number(match[3]) : 1;
    if (step < 1 || start > max || end > max) return undefined;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return [...values];
}

/**
 * The minutes of the day at which `expression` fires, or `undefined` when it does not fire
 * every day (a weekday or date restriction) or cannot be read.
 */
export function dailyFiringMinutes(expression: string): number[] | undefined {
  const shorthand: Record<string, string> = { minutely: "*:*", hourly: "*:00", daily: "00:00", midnight: "00:00" };
  const tokens = expression.trim().split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 1 && tokens[0].toLowerCase() in shorthand) return dailyFiringMinutes(shorthand[tokens[0].toLowerCase()]);
  let time = "00:00:00";
  for (const token of tokens) {
    if (token.includes(":")) time = token;
    else if (token.includes("-")) {
      if (!/^(\*-)?\*-\*$/.test(token)) return undefined;
    } else if (/^(mon|tue|wed|thu|fri|sat|sun)/i.test(token)) return undefined;
    else if (!/^(UTC|GMT|[A-Za-z]+\/[A-Za-z_]+)$/.test(token)) return undefined;
  }
  const [hourField, minuteField] = time.split(":");
  const hours = fieldValues(hourField, 23);
  const minutes = fieldValues(minuteField ?? "0", 59);
  if (!hours || !minutes) return undefined;
  return hours.flatMap((h) => minutes.map((m) => h * 60 + m));
}

/** Longest gap between runs of a timer with these `OnCalendar` expressions, in hours. */
export function maxGapHours(expressions: readonly string[]): number {
  const firing = new Set<number>();
  for (const expression of expressions) {
    const minutes = dailyFiringMinutes(expression);
    if (minutes) minutes.forEach((m) => firing.add(m));
  }
  const sorted = [...firing].sort((a, b) => a - b);
  if (sorted.length === 0) return Infinity;
  let gap = sorted[0] + minutesPerDay - sorted[sorted.length - 1];
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
  return gap / 60;
}

/**
 * The backup timers among `texts`: a `[Timer]` unit whose `Unit=` names the backup it runs.
 * Texts holding several unit files are split at each `[Unit]`.
 */
export function findBackupTimers(texts: readonly string[]): BackupTimer[] {
  return texts
    .flatMap((t) => t.split(/^(?=\s*\[Unit\]\s*$)/m))
    .filter((t) => /^\s*\[Timer\]\s*$/m.test(t))
    .flatMap((text) => {
      const unit = /^\s*Unit\s*=\s*(\S+)/m.exec(text)?.[1] ?? text;
      const kind = /backup[-_.@]?(full|incr|diff)/i.exec(unit)?.[1]?.toLowerCase() as BackupKind | undefined;
      if (!kind) return [];
      const onCalendar = [...text.matchAll(/^\s*OnCalendar\s*=\s*(.+?)\s*$/gm)].map((m) => m[1]);
      return [{ kind, onCalendar, maxGapHours: maxGapHours(onCalendar) }];
    });
}
