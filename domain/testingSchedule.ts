/**
 * The runbook's "Regular Testing Schedule" as data, and the calendar maths around it: the
 * GitHub Actions cron each drill runs on (computed, never typed by hand) and how many months
 * a cron or a systemd `OnCalendar` expression leaves between two runs. Pure.
 *
 * Runbook ("Disaster Recovery Testing" > "Regular Testing Schedule"):
 * - Monthly: Full system backup and restore test (the database hosts' restore-test timer,
 *   `backups.restoreTest` in domain/runbook.ts)
 * - Quarterly: Complete disaster recovery simulation
 * - Semi-annually: Multi-region failover test
 * - Annually: Full business continuity test
 */

export type DrillId = "quarterly-dr-simulation" | "semi-annual-failover-test" | "annual-bc-test";

export interface Drill {
  /** The runbook's words. */
  text: string;
  /** Months between two drills. */
  everyMonths: 3 | 6 | 12;
  /** First month of the year (1-12) the drill runs in; the others follow every `everyMonths`. */
  firstMonth: number;
  /** Day of the month (1-28) the drill runs on. */
  dayOfMonth: number;
  /** Time of day, `HH:MM` UTC. */
  timeUtc: string;
  /** Days a drill may be late before it counts as missed (a failed run is retried by hand). */
  graceDays: number;
  /** The stack a scheduled run exercises; prod only ever by hand, with a confirmation. */
  scheduledStack: "dr";
}

/**
 * The three drills. Months are staggered (quarterly in Jan/Apr/Jul/Oct, semi-annual in Feb/Aug,
 * annual in March) so two drills never share a day; the 15th keeps them clear of the monthly
 * restore test on the 1st.
 */
export const drills: Readonly<Record<DrillId, Readonly<Drill>>> = Object.freeze({
  "quarterly-dr-simulation": Object.freeze({ text: "Quarterly: Complete disaster recovery simulation", everyMonths: 3, firstMonth: 1, dayOfMonth: 15, timeUtc: "06:00", graceDays: 14, scheduledStack: "dr" }),
  "semi-annual-failover-test": Object.freeze({ text: "Semi-annually: Multi-region failover test", everyMonths: 6, firstMonth: 2, dayOfMonth: 15, timeUtc: "06:00", graceDays: 14, scheduledStack: "dr" }),
  "annual-bc-test": Object.freeze({ text: "Annually: Full business continuity test", everyMonths: 12, firstMonth: 3, dayOfMonth: 15, timeUtc: "06:00", graceDays: 14, scheduledStack: "dr" }),
} as const);

export const drillIds = Object.freeze(Object.keys(drills) as DrillId[]);

/** The runbook's monthly restore test, as a testing-schedule entry. */
export const monthlyRestoreTestText = "Monthly: Full system backup and restore test";

/** The longest a month is, in days: a drill every N months is due within N × 31 days. */
export const longestMonthDays = 31;

/** Days after the last drill before the next one is overdue: N months of 31 days plus the grace. */
export const allowedDrillAgeDays = (drill: Drill): number => drill.everyMonths * longestMonthDays + drill.graceDays;

/** The months (1-12) a drill runs in. */
export function drillMonths(drill: Drill): number[] {
  return Array.from({ length: 12 / drill.everyMonths }, (_, i) => ((drill.firstMonth - 1 + i * drill.everyMonths) % 12) + 1).sort((a, b) => a - b);
}

/**
 * The GitHub Actions `schedule` cron (UTC, `minute hour day month weekday`) of a drill:
 * `cronFor(drills["quarterly-dr-simulation"])` = `0 6 15 1,4,7,10 *`.
 */
export function cronFor(drill: Drill): string {
  const [hour, minute] = drill.timeUtc.split(":").map(Number);
  return `${minute} ${hour} ${drill.dayOfMonth} ${drillMonths(drill).join(",")} *`;
}

/** Values of one cron field (`*`, `5`, `1,4`, `1-6`, `*\/3`, `1-12/3`) within [min, max], or undefined. */
function cronFieldValues(field: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!match) return undefined;
    const start = match[1] === "*" ? min : Number(match[1]);
    const end = match[2] !== undefined ? Number(match[2]) : match[1] === "*" || match[3] !== undefined ? max : start;
    const step = match[3] !== undefined ? Number(match[3]) : 1;
    if (step < 1 || start < min || end > max || start > end) return undefined;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Longest cyclic gap between sorted values on a circle of `size` (months of a year). */
function longestCyclicGap(sorted: readonly number[], size: number): number {
  let gap = sorted[0] + size - sorted[sorted.length - 1];
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

/**
 * Most months between two runs of a cron that fires on one fixed day of the month; undefined
 * when it fires on weekdays or several days (then it is no monthly-or-rarer schedule to judge)
 * or cannot be read.
 */
export function monthsBetweenCronRuns(cron: string): number | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [, , day, month, weekday] = fields;
  if (weekday !== "*" || !/^\d+$/.test(day)) return undefined;
  const months = cronFieldValues(month, 1, 12);
  return months && months.length > 0 ? longestCyclicGap(months, 12) : undefined;
}

/**
 * Most months between two runs of a systemd `OnCalendar` expression (`*-*-01 04:00:00 UTC`,
 * `*-01,07-01 ...`) firing on one fixed day; undefined for other shapes.
 */
export function monthsBetweenCalendarRuns(onCalendar: string): number | undefined {
  const date = onCalendar.trim().split(/\s+/).find((token) => /^(\*|\d{4})-[^-]+-\d+$/.test(token));
  if (!date) return undefined;
  const [, month] = date.split("-");
  // systemd writes ranges as `1..6` and pads with zeros (`01,07`): read them as cron fields.
  const asCron = month
    .split(",")
    .map((item) => item.replace("..", "-").replace(/\d+/g, (n) => String(Number(n))))
    .join(",");
  const months = cronFieldValues(asCron, 1, 12);
  return months && months.length > 0 ? longestCyclicGap(months, 12) : undefined;
}

/** The drill a scheduled run's cron belongs to (`github.event.schedule`), or undefined. */
export function drillForCron(cron: string): DrillId | undefined {
  const normal = cron.trim().replace(/\s+/g, " ");
  return drillIds.find((id) => cronFor(drills[id]) === normal);
}

/** What a person types to run a drill against prod (the semi-annual multi-region test). */
export const prodConfirmation = "drill prod";

/** Which drill runs on which stack; a scheduled run always drills its scheduled stack. */
export interface DrillRequest {
  /** `github.event.schedule` of a scheduled run; empty when started by hand. */
  schedule?: string;
  /** The drill chosen by hand. */
  drill?: string;
  /** The stack chosen by hand. */
  stack?: string;
  /** The confirmation typed by hand; must be `prodConfirmation` for prod. */
  confirm?: string;
}

/**
 * The drill and stack of a run. Throws, naming the input, the value and what is allowed, for
 * an unknown cron or drill, a stack other than dr and prod, and prod without the confirmation.
 */
export function drillTarget(request: DrillRequest): { drill: DrillId; stack: "dr" | "prod" } {
  if (request.schedule) {
    const drill = drillForCron(request.schedule);
    if (!drill) throw new Error(`schedule: "${request.schedule}" is not a drill's cron; allowed: ${drillIds.map((id) => cronFor(drills[id])).join(", ")}`);
    return { drill, stack: drills[drill].scheduledStack };
  }
  const drill = request.drill as DrillId;
  if (request.drill === undefined) throw new Error(`drill: missing; give --drill ID (one of ${drillIds.join(", ")}) or --schedule CRON, e.g. --drill ${drillIds[0]}`);
  if (!drillIds.includes(drill)) throw new Error(`drill: "${request.drill ?? ""}" is not a drill; allowed: ${drillIds.join(", ")}`);
  const stack = request.stack || "dr";
  if (stack !== "dr" && stack !== "prod") throw new Error(`stack: "${stack}" is not allowed; use dr (or prod with the confirmation)`);
  if (stack === "prod" && request.confirm !== prodConfirmation) {
    throw new Error(`confirm: "${request.confirm ?? ""}" does not confirm a drill against prod; type "${prodConfirmation}" to run it there, or drill dr`);
  }
  return { drill, stack };
}
