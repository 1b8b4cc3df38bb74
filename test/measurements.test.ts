/**
 * The measurements file: what the benches write and `npm run readiness` reads back, with
 * provenance; a file that is not one is refused naming the key.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measurementsPath, readMeasurements, recordDrill, recordFigure } from "../tools/readiness/measurements";

const temp = () => join(mkdtempSync(join(tmpdir(), "measurements-")), "measurements.json");

describe("measurements file", () => {
  it("keeps each figure with what measured it, where, when and on what machine, and leaves the others", () => {
    const path = temp();
    recordFigure("promotionSeconds", { seconds: 4.55405, measuredBy: "npm run bench:promotion", where: "loopback", detail: "slowest of 3", when: "2026-12-01T20:00:00.000Z", machine: "2 cores" }, path);
    recordFigure("walPushSeconds", { seconds: 1.2, measuredBy: "npm run bench:recovery", where: "loopback", detail: "pgbackrest check" }, path);
    recordDrill("quarterly-dr-simulation", { when: "2026-11-15T06:30:00.000Z", outcome: "passed", stack: "dr", where: "https://example.com/run/1" }, path);
    const read = readMeasurements(path);
    expect(read.figures.promotionSeconds).toEqual({ when: "2026-12-01T20:00:00.000Z", machine: "2 cores", seconds: 4.554, measuredBy: "npm run bench:promotion", where: "loopback", detail: "slowest of 3" });
    expect(read.figures.walPushSeconds?.machine).toMatch(/^\d+ cores \(.*\), \d+ GiB RAM, Node v[\d.]+, load average \d+\.\d$/);
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).figures)).toEqual(["promotionSeconds", "walPushSeconds"]);
    expect(read.drills["quarterly-dr-simulation"]?.outcome).toBe("passed");
  });

  it("reads no file as nothing measured", () => {
    expect(readMeasurements(join(tmpdir(), "no-such-dir", "m.json"))).toEqual({ figures: {}, drills: {} });
  });

  it("refuses a file that is not one, naming each key", () => {
    const path = temp();
    writeFileSync(path, JSON.stringify({ figures: { restoreSecs: {}, promotionSeconds: { seconds: -1, measuredBy: "x", where: "y", machine: "z", detail: "d", when: "yesterday" } }, drills: { "annual-bc-test": { when: "2026-01-01T00:00:00Z", outcome: "ok", stack: "dr", where: "u" } } }));
    expect(() => readMeasurements(path)).toThrow(
      [
        `${path}:`,
        "  figures.restoreSecs: is not a figure; allowed: promotionSeconds, failoverSeconds, restoreSeconds, walPushSeconds, rpoLossWindowSeconds",
        "  figures.promotionSeconds.seconds: -1 is not a number of seconds >= 0",
        '  figures.promotionSeconds.when: "yesterday" is not an ISO 8601 time such as 2026-12-01T21:00:00Z',
        '  drills.annual-bc-test.outcome: "ok" is not allowed; use passed or failed',
      ].join("\n"),
    );
  });

  it("keeps the restores by size with their runs, load averages and the interleaved gunzip | psql runs", () => {
    const path = temp();
    const sizes = [
      { databaseBytes: 2 ** 30, seconds: 12.5, walBytes: 80 * 2 ** 20, runsSeconds: [12.5, 11.9, 13.0], loadAverages: [9.1, 9.8, 10.2], baselineRunsSeconds: [60.1, 58.2, 61.0] },
      { databaseBytes: 4 * 2 ** 30, seconds: 40.2, walBytes: 320 * 2 ** 20, runsSeconds: [40.2], loadAverages: [8.7] },
    ];
    recordFigure("restoreSeconds", { seconds: 12.5, databaseBytes: 2 ** 30, sizes, measuredBy: "npm run bench:recovery", where: "loopback", detail: "two sizes" }, path);
    expect(readMeasurements(path).figures.restoreSeconds?.sizes).toEqual(sizes);
  });

  it("refuses restores by size that are not, naming each key", () => {
    const path = temp();
    const restore = (sizes: unknown) => ({ seconds: 1, measuredBy: "x", where: "y", machine: "z", detail: "d", when: "2026-12-01T00:00:00Z", sizes });
    writeFileSync(path, JSON.stringify({ figures: { restoreSeconds: restore([{ databaseBytes: 0, seconds: 2, walBytes: -1, runsSeconds: [], loadAverages: [1], baselineRunsSeconds: ["x"] }]) } }));
    expect(() => readMeasurements(path)).toThrow(
      [
        `${path}:`,
        "  figures.restoreSeconds.sizes[0].databaseBytes: 0 is not a positive number",
        "  figures.restoreSeconds.sizes[0].walBytes: -1 is not a number of bytes >= 0",
        "  figures.restoreSeconds.sizes[0].runsSeconds: [] is not a non-empty list of numbers >= 0",
        '  figures.restoreSeconds.sizes[0].baselineRunsSeconds: ["x"] is not a non-empty list of numbers >= 0',
      ].join("\n"),
    );
    writeFileSync(path, JSON.stringify({ figures: { restoreSeconds: restore([]) } }));
    expect(() => readMeasurements(path)).toThrow("figures.restoreSeconds.sizes: [] is not a non-empty list of restores by size");
  });

  it("the committed file is valid", () => {
    expect(() => readMeasurements(measurementsPath)).not.toThrow();
  });
});
