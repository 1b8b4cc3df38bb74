import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alarmCatalog } from "../domain/alarmCatalog";
import { renderMetricContract } from "../domain/metricContract";
import { parseStackConfig } from "../infra/parseConfig";
import { metricContractEnd, metricContractStart } from "../dev/docs/alarmReference";
import { loadStackConfig, repositoryRoot } from "../tools/offline";

const contractFile = "docs/reference/metric-contract.md";

/** The published metric contract: the table between the markers, trimmed. */
function publishedContract(): string {
  const text = readFileSync(join(repositoryRoot, contractFile), "utf8");
  const start = text.indexOf(metricContractStart);
  const end = text.indexOf(metricContractEnd);
  if (start < 0 || end < start) {
    throw new Error(`${contractFile} has no metric contract between ${metricContractStart} and ${metricContractEnd}; run npm run docs`);
  }
  return text.slice(start + metricContractStart.length, end).trim();
}

describe("metric contract (docs/reference/metric-contract.md)", () => {
  it("is exactly the table rendered from the alarm catalog", () => {
    const rendered = renderMetricContract(alarmCatalog(parseStackConfig(loadStackConfig("prod"))));
    expect(publishedContract()).toBe(rendered);
  });

  it("does not depend on the stack: both stacks' catalogs publish the same metrics", () => {
    const contract = (stack: string) => renderMetricContract(alarmCatalog(parseStackConfig(loadStackConfig(stack))));
    expect(contract("dr")).toBe(contract("prod"));
  });
});
