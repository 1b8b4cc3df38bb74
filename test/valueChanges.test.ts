/**
 * What a diff shows of a changed value (tools/cli/valueChanges.ts): the changed keys only, with
 * both values, down through objects, arrays and strings holding JSON; a multi-line string as a
 * unified line diff (jsdiff); a secret as [secret] and whether it changed.
 */
import { describe, expect, it } from "vitest";
import { valueChanges } from "../tools/cli/valueChanges";
import { shownValue, valueChangeLines } from "../tools/cli/valueChangeLines";
import { plainText } from "../tools/cli/terminal";

describe("valueChanges", () => {
  it("names only the keys of an object that changed, with both values, paths joined with dots", () => {
    const before = { FLIP_API_URL: "https://db-use1:8008", FLIP_CANDIDATE: "us-east-1", FLIP_FORCE: "false", nested: { a: 1, b: [1, 2] } };
    const after = { ...before, FLIP_API_URL: "https://db-usw2:8008", FLIP_CANDIDATE: "us-west-2", nested: { a: 1, b: [1, 3] } };
    expect(valueChanges(before, after, "environment")).toEqual([
      { path: "environment.FLIP_API_URL", kind: "value", before: "https://db-use1:8008", after: "https://db-usw2:8008" },
      { path: "environment.FLIP_CANDIDATE", kind: "value", before: "us-east-1", after: "us-west-2" },
      { path: "environment.nested.b[1]", kind: "value", before: 2, after: 3 },
    ]);
  });

  it("goes into a string holding JSON (an IAM policy) as into an object", () => {
    const policy = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
    expect(valueChanges(policy("s3:GetObject"), policy("s3:PutObject"), "policy")).toEqual([{ path: "policy.Statement[0].Action", kind: "value", before: "s3:GetObject", after: "s3:PutObject" }]);
  });

  it("shows a key set or unset, and a key that is not a plain name quoted", () => {
    expect(valueChanges({ a: 1 }, { "b c": 2 }, "tags")).toEqual([
      { path: "tags.a", kind: "value", before: 1 },
      { path: 'tags["b c"]', kind: "value", after: 2 },
    ]);
  });

  it("shows the items inserted into or removed from an array, each at its index (jsdiff's array diff)", () => {
    expect(valueChanges(["a", "b", "c"], ["x", "a", "c", "d"], "triggers")).toEqual([
      { path: "triggers[0]", kind: "value", after: "x" },
      { path: "triggers[1]", kind: "value", before: "b" },
      { path: "triggers[3]", kind: "value", after: "d" },
    ]);
    // Arrays of one length are compared item by item: a trigger that changed reads as old → new.
    expect(valueChanges(["primary", "us-east-1"], ["secondary", "us-east-1"], "triggers")).toEqual([{ path: "triggers[0]", kind: "value", before: "primary", after: "secondary" }]);
  });

  it("shows a multi-line string (a script) as unified hunks with two lines of context", () => {
    const script = (region: string) => ["#!/bin/sh", "set -e", "a=1", `DR_REGION='${region}'`, "b=2", "c=3", "d=4"].join("\n");
    const [change] = valueChanges(script("us-east-1"), script("us-west-2"), "stdin");
    expect(change).toMatchObject({ path: "stdin", kind: "lines" });
    expect(change.kind === "lines" && change.hunks).toEqual([{ oldStart: 2, oldLines: 5, newStart: 2, newLines: 5, lines: [" set -e", " a=1", "-DR_REGION='us-east-1'", "+DR_REGION='us-west-2'", " b=2", " c=3"] }]);
  });

  it("never shows a secret: [secret], changed as the fingerprints tell, unknown without them, left out when the same", () => {
    const env = { USER: "u", PASSWORD: "[secret]" };
    expect(valueChanges(env, env, "environment", (path) => (path === "environment.PASSWORD" ? true : undefined))).toEqual([{ path: "environment.PASSWORD", kind: "secret", changed: true }]);
    expect(valueChanges(env, env, "environment", () => false)).toEqual([]);
    expect(valueChanges(env, env, "environment")).toEqual([{ path: "environment.PASSWORD", kind: "secret", changed: null }]);
    expect(valueChanges("plain", "[secret]", "password")).toEqual([{ path: "password", kind: "secret", changed: true }]);
  });

  it("finds nothing between equal values, whatever their key order", () => {
    expect(valueChanges({ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }, "x")).toEqual([]);
  });
});

describe("valueChangeLines", () => {
  it("puts `path: old → new` on one line when it fits, else old and new on lines of their own", () => {
    const change = { path: "environment.FLIP_CANDIDATE", kind: "value" as const, before: "us-east-1", after: "us-west-2" };
    expect(valueChangeLines(change, 4, 120).map(plainText)).toEqual(['    environment.FLIP_CANDIDATE: "us-east-1" → "us-west-2"']);
    expect(valueChangeLines(change, 4, 50).map(plainText)).toEqual(["    environment.FLIP_CANDIDATE:", '      - "us-east-1"', '      + "us-west-2"']);
  });

  it("says a secret changed without its value", () => {
    expect(valueChangeLines({ path: "password", kind: "secret", changed: true }, 2, 100).map(plainText)).toEqual(["  password: [secret] (changed; value not shown)"]);
  });

  it("shows a whole object set at once as compact JSON when short, else its size and a short hash", () => {
    expect(shownValue({ a: 1 })).toBe('{"a":1}');
    expect(shownValue(undefined)).toBe("(unset)");
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, `value${i}`]));
    expect(shownValue(big)).toMatch(/^\{…\} 20 keys, sha256 [0-9a-f]{12} \(--json has it\)$/);
  });
});
