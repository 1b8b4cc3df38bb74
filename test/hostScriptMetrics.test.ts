/**
 * The database hosts' shell scripts spell the metric names and namespaces they publish; the
 * alarms read them from domain/hostMetrics.ts. This holds the two to one list: every
 * `metric_datum NAME` and every `*_NAMESPACE="..."` in the scripts is in HOST_METRICS, and every
 * metric of HOST_METRICS is published by some script (an alarm never watches a name nobody sends).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { customMetrics } from "../domain/alarmCatalog";
import { HOST_METRICS } from "../domain/hostMetrics";

const binDir = join(__dirname, "../components/databaseHost/files/bin");
const scripts = readdirSync(binDir)
  .filter((f) => f.endsWith(".sh"))
  .map((file) => ({ file, text: readFileSync(join(binDir, file), "utf8") }));
const code = (text: string) => text.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n");

const published = scripts.flatMap(({ file, text }) => [...code(text).matchAll(/metric_datum ([A-Za-z]+) /g)].map((m) => ({ file, name: m[1]! })));
const namespaces = scripts.flatMap(({ file, text }) => [...code(text).matchAll(/^\s*[A-Z_]+_NAMESPACE="([^"]+)"/gm)].map((m) => ({ file, namespace: m[1]! })));
const { backupNamespace, databaseNamespace, ...metricNames } = HOST_METRICS;

describe("host scripts publish exactly the metrics of domain/hostMetrics.ts", () => {
  it("finds the scripts' metrics and namespaces (the patterns still match the scripts)", () => {
    expect(published.length).toBeGreaterThanOrEqual(8);
    expect(new Set(namespaces.map((n) => n.file))).toEqual(new Set(["backup.sh", "monitor.sh", "restore-test.sh"]));
  });

  it.each(published.map((p) => [p.file, p.name]))("%s publishes %s, a name of HOST_METRICS", (_file, name) => {
    expect(Object.values(metricNames)).toContain(name);
  });

  it.each(namespaces.map((n) => [n.file, n.namespace]))("%s publishes into %s, a namespace of HOST_METRICS", (_file, namespace) => {
    expect([backupNamespace, databaseNamespace]).toContain(namespace);
  });

  it("every metric of HOST_METRICS is published by a script", () => {
    expect(new Set(published.map((p) => p.name))).toEqual(new Set(Object.values(metricNames)));
  });

  it("the alarm catalog's host metrics are HOST_METRICS' names in HOST_METRICS' namespaces", () => {
    expect([customMetrics.replicationLag, customMetrics.fullBackupAge, customMetrics.restoreTestAge].map((m) => [m.namespace, m.name])).toEqual([
      [databaseNamespace, metricNames.replicationLagSeconds],
      [backupNamespace, metricNames.fullBackupAgeHours],
      [backupNamespace, metricNames.restoreTestAgeDays],
    ]);
  });
});
