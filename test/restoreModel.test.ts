/**
 * The restore line the readiness report extrapolates from bench:recovery: fixed cost + bytes /
 * throughput through the smallest and largest measured size, its fallbacks, and database sizes
 * as the CLI flags take them.
 */
import { describe, expect, it } from "vitest";
import { formatBytes, parseByteSize } from "../domain/byteSize";
import { fitRestoreModel, largestRestorableBytes, median, predictedRestoreSeconds } from "../domain/restoreModel";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe("fitRestoreModel", () => {
  it("draws the line through the smallest and largest size: 1 GiB in 10 s and 4 GiB in 25 s is 5 s fixed + 204.8 MiB/s", () => {
    const model = fitRestoreModel([{ databaseBytes: 4 * GiB, seconds: 25 }, { databaseBytes: GiB, seconds: 10 }]);
    expect(model.fit).toBe("line");
    expect(model.fixedSeconds).toBeCloseTo(5, 9);
    expect(model.bytesPerSecond / MiB).toBeCloseTo(204.8, 9);
    expect(model.samples.map((s) => s.databaseBytes)).toEqual([GiB, 4 * GiB]);
    // Both measured points lie on it; within the 900 s RTO: (900 - 5) s × 204.8 MiB/s = 179 GiB.
    expect(predictedRestoreSeconds(model, GiB)).toBeCloseTo(10, 9);
    expect(predictedRestoreSeconds(model, 4 * GiB)).toBeCloseTo(25, 9);
    expect(largestRestorableBytes(model, 900) / GiB).toBeCloseTo(179, 9);
  });

  it("never puts the fixed part below zero (a line through the origin or below it)", () => {
    const model = fitRestoreModel([{ databaseBytes: GiB, seconds: 2 }, { databaseBytes: 4 * GiB, seconds: 20 }]);
    expect(model).toMatchObject({ fit: "line", fixedSeconds: 0 });
  });

  it("falls back to the slowest measured throughput with no fixed part when the larger size restored no slower (load noise) or only one size was measured", () => {
    const noisy = fitRestoreModel([{ databaseBytes: GiB, seconds: 30 }, { databaseBytes: 4 * GiB, seconds: 28 }]);
    expect(noisy).toMatchObject({ fit: "throughput", fixedSeconds: 0 });
    expect(noisy.bytesPerSecond).toBeCloseTo(GiB / 30, 6);
    const one = fitRestoreModel([{ databaseBytes: GiB, seconds: 16 }]);
    expect(one).toMatchObject({ fit: "throughput", fixedSeconds: 0, bytesPerSecond: 64 * MiB });
    expect(largestRestorableBytes(one, 900) / GiB).toBeCloseTo(56.25, 9);
  });

  it("says no database restores in time when the fixed part alone is past the RTO", () => {
    const slow = fitRestoreModel([{ databaseBytes: GiB, seconds: 1000 }, { databaseBytes: 2 * GiB, seconds: 1001 }]);
    expect(largestRestorableBytes(slow, 900)).toBe(0);
  });

  it.each([
    [[], /no restore measured; run npm run bench:recovery/],
    [[{ databaseBytes: 0, seconds: 3 }], /needs databaseBytes > 0 and seconds > 0/],
    [[{ databaseBytes: GiB, seconds: 0 }], /needs databaseBytes > 0 and seconds > 0/],
  ])("refuses %j", (samples, message) => {
    expect(() => fitRestoreModel(samples)).toThrow(message);
  });
});

describe("median", () => {
  it.each([
    [[3], 3],
    [[9, 1, 5], 5],
    [[4, 1, 3, 2], 2.5],
  ])("of %j is %s", (values, expected) => expect(median(values)).toBe(expected));
  it("refuses no values", () => expect(() => median([])).toThrow("median: no values"));
});

describe("parseByteSize / formatBytes", () => {
  it.each([
    ["1GB", GiB],
    ["4 GB", 4 * GiB],
    ["200MB", 200 * MiB],
    ["1.5GiB", 1.5 * GiB],
    ["512mb", 512 * MiB],
    ["2TB", 2048 * GiB],
  ])("reads %s as binary multiples", (text, bytes) => expect(parseByteSize(text, "--database-size")).toBe(bytes));

  it.each([
    ["1G", '--database-size is "1G"; use a number with KB, MB, GB or TB (binary multiples), e.g. 1GB or 200MB'],
    ["-1GB", '--database-size is "-1GB"; use a number with KB, MB, GB or TB (binary multiples), e.g. 1GB or 200MB'],
    ["5MB", '--database-size is "5MB"; use at least 10 MiB'],
  ])("refuses %s naming the flag, the value and what is allowed", (text, message) => {
    expect(() => parseByteSize(text, "--database-size", 10 * MiB)).toThrow(message);
  });

  it("writes GiB with one decimal and smaller sizes in whole MiB", () => {
    expect([formatBytes(1.5 * GiB), formatBytes(300 * MiB)]).toEqual(["1.5 GiB", "300 MiB"]);
  });
});
