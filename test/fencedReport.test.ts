import { describe, expect, it } from "vitest";
import { codeFence, fencedReport } from "../tools/cli/fencedReport";

describe("a plain-text report as markdown", () => {
  it("makes the first line a heading and fences the rest, blank lines at its edges dropped", () => {
    expect(fencedReport("Plan of stack dr: 3 resources\n\n== us-east-2 | x\n  a b\n\n")).toBe("### Plan of stack dr: 3 resources\n\n```\n== us-east-2 | x\n  a b\n```");
  });

  it("fences with more backticks than any run in the text, so the text cannot close it", () => {
    expect(codeFence("create=echo ```hi``` and `x`")).toBe("````");
    expect(codeFence("no backticks")).toBe("```");
  });
});
