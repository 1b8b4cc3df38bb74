/** The program's warnings said once each, with a count (tools/cli/warnings.ts); --verbose prints every one. */
import { describe, expect, it } from "vitest";
import { groupWarnings, renderWarnings } from "../tools/cli/warnings";

const pending = (severity: string) => `alerts.${severity}: email devops@crazy-gary.app stays "pending confirmation" after pulumi up`;

describe("warnings", () => {
  const twoPlans = [pending("P2"), pending("P3"), pending("P2"), pending("P3")];

  it("folds the same sentence about several keys, from two plans, into one with a count", () => {
    expect(groupWarnings([...twoPlans, "something else"])).toEqual([
      { keys: ["alerts.P2", "alerts.P3"], text: 'email devops@crazy-gary.app stays "pending confirmation" after pulumi up', count: 4 },
      { keys: [], text: "something else", count: 1 },
    ]);
  });

  it("prints one line per group within the width, or every warning with --verbose", () => {
    const terminal = { columns: 120, color: false };
    expect(renderWarnings(twoPlans, terminal, false)).toBe(
      'warning: alerts.P2, alerts.P3: email devops@crazy-gary.app stays "pending confirmation" after pulumi up (4 warnings in \n    … one; --verbose prints each)\n',
    );
    expect(renderWarnings(twoPlans, terminal, true).trimEnd().split("\n")).toEqual(twoPlans.map((w) => `warning: ${w}`));
    expect(renderWarnings([], terminal, false)).toBe("");
  });
});
