/**
 * Output that fits the terminal (tools/cli/terminal.ts): the width from COLUMNS, the TTY or 100;
 * colour on a TTY only, NO_COLOR and FORCE_COLOR honoured; long lines wrapped on the visible
 * text, so no line is wider than asked and no escape sequence is cut.
 */
import { describe, expect, it } from "vitest";
import { fitLines, line, paint, plainText, render, terminalOf, wrapMarker } from "../tools/cli/terminal";

describe("terminalOf", () => {
  it.each([
    ["a pipe, nothing set", { isTTY: false }, {}, { columns: 100, color: false }],
    ["a pipe with COLUMNS=120", { isTTY: false }, { COLUMNS: "120" }, { columns: 120, color: false }],
    ["a TTY 87 wide", { isTTY: true, columns: 87 }, {}, { columns: 87, color: true }],
    ["a TTY with COLUMNS=120 (the environment first)", { isTTY: true, columns: 87 }, { COLUMNS: "120" }, { columns: 120, color: true }],
    ["a TTY, NO_COLOR=1", { isTTY: true, columns: 80 }, { NO_COLOR: "1" }, { columns: 80, color: false }],
    ["a TTY, NO_COLOR empty (not set, as no-color.org says)", { isTTY: true, columns: 80 }, { NO_COLOR: "" }, { columns: 80, color: true }],
    ["a pipe, FORCE_COLOR=1", { isTTY: false }, { FORCE_COLOR: "1" }, { columns: 100, color: true }],
    ["a pipe, FORCE_COLOR and NO_COLOR (FORCE_COLOR wins, as in Node)", { isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" }, { columns: 100, color: true }],
    ["a TTY, FORCE_COLOR=0", { isTTY: true, columns: 80 }, { FORCE_COLOR: "0" }, { columns: 80, color: false }],
    ["a TTY, TERM=dumb", { isTTY: true, columns: 80 }, { TERM: "dumb" }, { columns: 80, color: false }],
    ["COLUMNS not a number", { isTTY: false }, { COLUMNS: "wide" }, { columns: 100, color: false }],
    ["COLUMNS=10 (too narrow to lay out)", { isTTY: false }, { COLUMNS: "10" }, { columns: 40, color: false }],
  ])("%s", (_what, stream, env, expected) => {
    expect(terminalOf(stream, env)).toEqual(expected);
  });
});

describe("fitLines", () => {
  const value = `"${"x".repeat(30)} ${"y".repeat(50)} ${"z".repeat(70)}"`;
  const long = line("    alarmDescription: ", { text: value, style: "remove" }, " → ", { text: value.toUpperCase(), style: "add" });

  it("wraps a long line into lines no wider than the terminal, keeping every character", () => {
    const fitted = fitLines([long], 60).map(plainText);
    expect(Math.max(...fitted.map((l) => [...l].length))).toBeLessThanOrEqual(60);
    expect(fitted.slice(1).every((l) => l.startsWith(`        ${wrapMarker}`))).toBe(true);
    expect(fitted.map((l, i) => (i === 0 ? l : l.slice(`        ${wrapMarker}`.length))).join("")).toBe(plainText(long));
  });

  it("breaks after a space when one is near the end of the room", () => {
    const fitted = fitLines([line(`${"word ".repeat(30)}`)], 42).map(plainText);
    expect(fitted[0]).toBe("word word word word word word word word ");
  });

  it("cuts a line past the continuations it may take, saying how much was left out", () => {
    const fitted = fitLines([line("x".repeat(2000))], 50).map(plainText);
    expect(fitted).toHaveLength(9);
    expect(fitted.at(-1)).toMatch(/… \d+ more chars \(--format json\)$/);
    expect(Math.max(...fitted.map((l) => [...l].length))).toBeLessThanOrEqual(50);
  });

  it("colours after fitting: every escape sequence whole, visible width unchanged", () => {
    const painted = render([long], { columns: 60, color: true }).split("\n");
    // eslint-disable-next-line no-control-regex
    const visible = painted.map((l) => l.replace(/\u001b\[\d+m/g, ""));
    expect(Math.max(...visible.map((l) => [...l].length))).toBeLessThanOrEqual(60);
    // eslint-disable-next-line no-control-regex
    expect(painted.join("\n").replace(/\u001b\[\d+m/g, "")).not.toContain("\u001b");
    expect(painted[0]).toContain("\u001b[31m");
    expect(paint([long], false)).toBe(plainText(long));
  });
});
