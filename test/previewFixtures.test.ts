/**
 * The saved `pulumi preview --json` files the failover guard is tested on
 * (test/processes/workflows.test.ts) are today's flip: dev/fixtures/previewDigest.ts makes them
 * from the offline plans, and `npm run docs` rewrites them.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureText, previewDigest, previewFixtures } from "../dev/fixtures/previewDigest";
import { repositoryRoot } from "../tools/offline/stackFiles";
import { sharedPlan } from "./support/plans";

describe.each(previewFixtures)("$file", (fixture) => {
  it("is what today's plans give (npm run docs rewrites it)", async () => {
    const text = await fixtureText(fixture, sharedPlan);
    if (readFileSync(path.join(repositoryRoot, fixture.file), "utf8") !== text) throw new Error(`${fixture.file} is stale; run npm run docs`);
  });
});

describe("previewDigest", () => {
  const stack = { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", type: "pulumi:pulumi:Stack", name: "p-prod", parent: null, provider: null, custom: false, inputs: {}, options: { protect: false, retainOnDelete: false, dependsOn: [] }, propertyDependencies: {} };
  const provider = "urn:pulumi:prod::p::pulumi:providers:command::command::command-id";
  const flip = (triggers: string[]) => ({ ...stack, urn: "urn:pulumi:prod::p::crazygary:dr:PatroniFlip$command:local:Command::patroni-flip-command", type: "command:local:Command", name: "patroni-flip-command", parent: "urn:pulumi:prod::p::pulumi:pulumi:Stack$crazygary:dr:PatroniFlip::patroni-flip", provider, custom: true, inputs: { triggers } });

  it("shows the root stack and each changed resource, a replacement with its reasons and no id yet, and counts the unchanged as same", () => {
    const digest = previewDigest([stack, flip(["primary"])], [stack, flip(["secondary"])], { "p:activeRegion": "secondary" });
    expect(digest.changeSummary).toEqual({ same: 1, replace: 1 });
    expect(digest.steps.map((s) => s.op)).toEqual(["same", "replace"]);
    expect(digest.steps[1]).toMatchObject({ provider, diffReasons: ["triggers"], replaceReasons: ["triggers"], oldState: { id: "patroni-flip-command-id" }, newState: { id: "" } });
  });
});
