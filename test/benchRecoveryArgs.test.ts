/**
 * bench:recovery's flags: two sizes by default (1 GB and 4 GB, binary multiples), `--size` as a
 * single size (the drill workflow's form), and bad values refused naming the flag.
 */
import { describe, expect, it } from "vitest";
import { parseArgs } from "../dev/bench/recovery";

const GiB = 2 ** 30;

describe("bench:recovery flags", () => {
  it("times 1 GB and 4 GB, 3 rounds each, and 2.5 archive timeouts of write load by default", () => {
    expect(parseArgs([])).toEqual({ sizesBytes: [GiB, 4 * GiB], rounds: 3, loadSeconds: 150 });
  });

  it("takes sizes in any order (smallest first after) and --size as one size", () => {
    expect(parseArgs(["--sizes", "2GB,500MB", "--rounds", "2"])).toMatchObject({ sizesBytes: [500 * 2 ** 20, 2 * GiB], rounds: 2 });
    expect(parseArgs(["--size", "1GB"]).sizesBytes).toEqual([GiB]);
  });

  it("writes docs/measurements.json unless --measurements names another file", () => {
    expect(parseArgs([]).measurementsFile).toBeUndefined();
    expect(parseArgs(["--measurements", "/tmp/figures.json"]).measurementsFile).toBe("/tmp/figures.json");
  });

  it.each([
    [["--sizes", "1GB,1GB"], '--sizes is "1GB,1GB"; give each size once, e.g. 1GB,4GB'],
    [["--sizes", "5MB"], '--sizes is "5MB"; use at least 10 MiB'],
    [["--size", "big"], '--size is "big"; use a number with KB, MB, GB or TB (binary multiples), e.g. 1GB or 200MB'],
    [["--rounds", "0"], '--rounds is "0"; use a whole number from 1 to 20'],
    [["--load-seconds", "5"], '--load-seconds is "5"; use a number of seconds >= 10'],
    [["--fast"], "--fast: unknown flag; allowed: --sizes, --size, --rounds, --load-seconds, --measurements (--help shows each with an example)"],
    [["--round", "2"], "--round: unknown flag; did you mean --rounds?"],
    [["--sizes", "1GB", "--size", "2GB"], "--size: the same as --sizes with one value; give one of them"],
    [["4GB"], "4GB: unexpected argument; bench:recovery takes flags only (npm run -s bench:recovery -- --help)"],
  ])("refuses %j naming the flag and what is allowed", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
