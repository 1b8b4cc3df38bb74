/**
 * Both stacks, as the program declares them, pass every policy of the pack: before and after
 * the flip. The pack must also have found what it checks (a pass over nothing proves nothing).
 */
import { describe, expect, it } from "vitest";
import { evaluatePolicies, toPolicyResources } from "../../policies/engine";
import { failoverRecords } from "../../policies/failover";
import { createPolicies } from "../../policies/policies";
import { findPgbackrestConfigs, s3Repositories } from "../../policies/pgbackrest";
import { archiveTimeoutsSeconds } from "../../policies/postgresSettings";
import { databaseHosts, regionOf, walArchiveBuckets } from "../../policies/stackView";
import { findBackupTimers } from "../../policies/systemdCalendar";
import { planStack, toPlanJson } from "../harness/plan";

describe.each([
  ["prod", []],
  ["dr", []],
  ["prod", ["activeRegion=secondary"]],
])("stack %s %j", (stack, set) => {
  it("passes every policy with zero violations, over the resources each rule checks", async () => {
    const { resources } = toPlanJson(await planStack(stack, { set }));
    const outcomes = await evaluatePolicies(createPolicies(), resources);
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);

    const seen = toPolicyResources(resources);
    expect(walArchiveBuckets(seen)).toHaveLength(2);
    expect(databaseHosts(seen)).toHaveLength(2);
    expect(failoverRecords(seen)).toHaveLength(4);
    const bucketRegions = walArchiveBuckets(seen).map(regionOf).sort();
    for (const { texts } of databaseHosts(seen)) {
      expect(findBackupTimers(texts).map((t) => [t.kind, t.maxGapHours])).toEqual([
        ["full", 24],
        ["incr", 6],
      ]);
      expect(archiveTimeoutsSeconds(texts)).toEqual([60]);
      expect(findPgbackrestConfigs(texts).flatMap(s3Repositories).map((r) => r.region).sort()).toEqual(bucketRegions);
    }
  });
});
