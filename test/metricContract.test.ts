import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alarmCatalog, renderMetricContract } from "../domain/alarmCatalog";
import { parseStackConfig } from "../infra/parseConfig";
import { loadStackConfig, repositoryRoot } from "../tools/offline";

const startMarker = "<!-- metric-contract:start -->";
const endMarker = "<!-- metric-contract:end -->";

/** The README's metric contract: the text between the markers, trimmed. */
function readmeContract(): string {
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no metric contract between ${startMarker} and ${endMarker}; paste the table renderMetricContract() renders (infra/alarmCatalog.ts)`);
  }
  return readme.slice(start + startMarker.length, end).trim();
}

describe("README metric contract", () => {
  it("is exactly the table rendered from the alarm catalog", () => {
    const rendered = renderMetricContract(alarmCatalog(parseStackConfig(loadStackConfig("prod"))));
    expect(readmeContract()).toBe(rendered);
  });

  it("does not depend on the stack: both stacks' catalogs publish the same metrics", () => {
    const contract = (stack: string) => renderMetricContract(alarmCatalog(parseStackConfig(loadStackConfig(stack))));
    expect(contract("dr")).toBe(contract("prod"));
  });
});
