/**
 * The runbook's testing schedule as crons and calendar gaps, and which drill a run is on which
 * stack (prod only with the typed confirmation).
 */
import { describe, expect, it } from "vitest";
import { allowedDrillAgeDays, cronFor, drillForCron, drillIds, drills, drillTarget, monthsBetweenCalendarRuns, monthsBetweenCronRuns, prodConfirmation } from "../domain/testingSchedule";

describe("cronFor", () => {
  it.each([
    ["quarterly-dr-simulation", "0 6 15 1,4,7,10 *", 3],
    ["semi-annual-failover-test", "0 6 15 2,8 *", 6],
    ["annual-bc-test", "0 6 15 3 *", 12],
  ] as const)("%s runs on %s, every %i months, as the runbook says", (id, cron, months) => {
    expect(cronFor(drills[id])).toBe(cron);
    expect(monthsBetweenCronRuns(cron)).toBe(months);
    expect(drills[id].everyMonths).toBe(months);
    expect(drillForCron(` ${cron.replace(/ /g, "  ")} `)).toBe(id);
  });

  it("gives every drill its own months, so two never share a day", () => {
    const months = drillIds.flatMap((id) => cronFor(drills[id]).split(" ")[3].split(","));
    expect(new Set(months).size).toBe(months.length);
  });

  it("allows a quarter of 31-day months plus the grace before a drill is overdue", () => {
    expect(allowedDrillAgeDays(drills["quarterly-dr-simulation"])).toBe(3 * 31 + 14);
  });
});

describe.each([
  ["0 6 15 * *", 1],
  ["0 6 15 */3 *", 3],
  ["0 6 15 1-12/6 *", 6],
  ["0 6 15 1,2 *", 11],
  ["0 6 * * *", undefined],
  ["0 6 15 * 1", undefined],
  ["0 6 15 13 *", undefined],
  ["not a cron", undefined],
] as const)("monthsBetweenCronRuns(%j)", (cron, months) => {
  it(`is ${months}`, () => expect(monthsBetweenCronRuns(cron)).toBe(months));
});

describe.each([
  ["*-*-01 04:00:00 UTC", 1],
  ["*-01,07-01 04:00:00 UTC", 6],
  ["*-01..12-15 04:00:00", 1],
  ["*-*-* 02:00:00 UTC", undefined],
  ["Mon *-*-* 02:00:00", undefined],
] as const)("monthsBetweenCalendarRuns(%j)", (onCalendar, months) => {
  it(`is ${months}`, () => expect(monthsBetweenCalendarRuns(onCalendar)).toBe(months));
});

describe("drillTarget", () => {
  it("drills dr on a schedule, whatever else is given", () => {
    expect(drillTarget({ schedule: "0 6 15 2,8 *", stack: "prod", confirm: prodConfirmation })).toEqual({ drill: "semi-annual-failover-test", stack: "dr" });
  });

  it("drills prod by hand only with the typed confirmation", () => {
    expect(drillTarget({ drill: "semi-annual-failover-test", stack: "prod", confirm: prodConfirmation })).toEqual({ drill: "semi-annual-failover-test", stack: "prod" });
    expect(drillTarget({ drill: "annual-bc-test" })).toEqual({ drill: "annual-bc-test", stack: "dr" });
  });

  it.each([
    [{ schedule: "0 0 1 1 *" }, 'schedule: "0 0 1 1 *" is not a drill\'s cron; allowed: 0 6 15 1,4,7,10 *, 0 6 15 2,8 *, 0 6 15 3 *'],
    [{ drill: "weekly" }, 'drill: "weekly" is not a drill; allowed: quarterly-dr-simulation, semi-annual-failover-test, annual-bc-test'],
    [{ drill: "annual-bc-test", stack: "staging" }, 'stack: "staging" is not allowed; use dr (or prod with the confirmation)'],
    [{ drill: "annual-bc-test", stack: "prod", confirm: "yes" }, 'confirm: "yes" does not confirm a drill against prod; type "drill prod" to run it there, or drill dr'],
  ])("refuses %j", (request, message) => {
    expect(() => drillTarget(request)).toThrow(message);
  });
});

describe("drillTarget without --drill", () => {
  it("says the flag is missing, not that an empty name is no drill", () => {
    expect(() => drillTarget({ stack: "dr" })).toThrow("drill: missing; give --drill ID (one of quarterly-dr-simulation, semi-annual-failover-test, annual-bc-test) or --schedule CRON, e.g. --drill quarterly-dr-simulation");
  });
});
