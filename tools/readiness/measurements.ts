/**
 * The committed measurements file, docs/measurements.json: figures the benches measured
 * (promotion, restore, WAL push, RPO loss window) and the last result of each drill, each with
 * where, when and on what machine. The benches write it (`recordFigure`), the drill workflow
 * records drills (`recordDrill`), `npm run readiness` reads it. A figure absent from the file
 * is "not measured".
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { drillMeasuredKeys, figureIds, noMeasurements, type DrillRecord, type FigureId, type Measurement, type Measurements } from "../../domain/readiness";
import { drillIds, type DrillId } from "../../domain/testingSchedule";
import { repositoryRoot } from "../offline/stackFiles";

export const measurementsPath = join(repositoryRoot, "docs", "measurements.json");

/** A measurements file that is not one: names the file, the key and what is allowed. */
export class MeasurementsError extends Error {}

const isIso = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));

function problemsOfFigure(key: string, m: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof m.seconds !== "number" || !(m.seconds >= 0)) problems.push(`figures.${key}.seconds: ${JSON.stringify(m.seconds)} is not a number of seconds >= 0`);
  for (const field of ["measuredBy", "where", "machine", "detail"]) {
    if (typeof m[field] !== "string" || m[field] === "") problems.push(`figures.${key}.${field}: ${JSON.stringify(m[field])} is not a non-empty text`);
  }
  if (!isIso(m.when)) problems.push(`figures.${key}.when: ${JSON.stringify(m.when)} is not an ISO 8601 time such as 2026-12-01T21:00:00Z`);
  if (m.databaseBytes !== undefined && !(typeof m.databaseBytes === "number" && m.databaseBytes > 0)) problems.push(`figures.${key}.databaseBytes: ${JSON.stringify(m.databaseBytes)} is not a positive number of bytes`);
  if (m.sizes !== undefined) {
    if (!Array.isArray(m.sizes) || m.sizes.length === 0) problems.push(`figures.${key}.sizes: ${JSON.stringify(m.sizes)} is not a non-empty list of restores by size`);
    else m.sizes.forEach((size: unknown, i: number) => problems.push(...problemsOfRestoreSize(`figures.${key}.sizes[${i}]`, (size ?? {}) as Record<string, unknown>)));
  }
  return problems;
}

const positive = (v: unknown) => typeof v === "number" && v > 0;
const positiveList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number" && x >= 0);

function problemsOfRestoreSize(at: string, s: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of ["databaseBytes", "seconds"]) if (!positive(s[field])) problems.push(`${at}.${field}: ${JSON.stringify(s[field])} is not a positive number`);
  if (!(typeof s.walBytes === "number" && s.walBytes >= 0)) problems.push(`${at}.walBytes: ${JSON.stringify(s.walBytes)} is not a number of bytes >= 0`);
  for (const field of ["runsSeconds", "loadAverages"]) if (!positiveList(s[field])) problems.push(`${at}.${field}: ${JSON.stringify(s[field])} is not a non-empty list of numbers >= 0`);
  if (s.baselineRunsSeconds !== undefined && !positiveList(s.baselineRunsSeconds)) problems.push(`${at}.baselineRunsSeconds: ${JSON.stringify(s.baselineRunsSeconds)} is not a non-empty list of numbers >= 0`);
  return problems;
}

function problemsOfDrill(key: string, d: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!isIso(d.when)) problems.push(`drills.${key}.when: ${JSON.stringify(d.when)} is not an ISO 8601 time`);
  if (d.outcome !== "passed" && d.outcome !== "failed") problems.push(`drills.${key}.outcome: ${JSON.stringify(d.outcome)} is not allowed; use passed or failed`);
  for (const field of ["stack", "where"]) if (typeof d[field] !== "string" || d[field] === "") problems.push(`drills.${key}.${field}: ${JSON.stringify(d[field])} is not a non-empty text`);
  if (d.measured !== undefined) {
    const measured = (d.measured ?? {}) as Record<string, unknown>;
    for (const field of drillMeasuredKeys) {
      if (typeof measured[field] !== "number" || !(measured[field] >= 0)) problems.push(`drills.${key}.measured.${field}: ${JSON.stringify(measured[field])} is not a number of seconds >= 0`);
    }
  }
  return problems;
}

/** Checks a parsed measurements file; throws `MeasurementsError` listing every problem. */
export function validateMeasurements(value: unknown, source: string): Measurements {
  const file = value as { figures?: Record<string, unknown>; drills?: Record<string, unknown> };
  if (file === null || typeof file !== "object" || Array.isArray(file)) throw new MeasurementsError(`${source}: is not an object {figures, drills}`);
  const problems: string[] = [];
  for (const [key, m] of Object.entries(file.figures ?? {})) {
    if (!(figureIds as string[]).includes(key)) problems.push(`figures.${key}: is not a figure; allowed: ${figureIds.join(", ")}`);
    else problems.push(...problemsOfFigure(key, (m ?? {}) as Record<string, unknown>));
  }
  for (const [key, d] of Object.entries(file.drills ?? {})) {
    if (!(drillIds as string[]).includes(key)) problems.push(`drills.${key}: is not a drill; allowed: ${drillIds.join(", ")}`);
    else problems.push(...problemsOfDrill(key, (d ?? {}) as Record<string, unknown>));
  }
  if (problems.length > 0) throw new MeasurementsError(`${source}:\n  ${problems.join("\n  ")}`);
  return { figures: file.figures ?? {}, drills: file.drills ?? {} } as Measurements;
}

/** Reads the measurements file; none yet means nothing is measured. */
export function readMeasurements(path = measurementsPath): Measurements {
  if (!existsSync(path)) return noMeasurements;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new MeasurementsError(`${path}: cannot be read as JSON (${(err as Error).message})`);
  }
  return validateMeasurements(parsed, path);
}

function write(path: string, measurements: Measurements): void {
  const sorted = <T>(record: Partial<Record<string, T>>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, `${JSON.stringify({ figures: sorted(measurements.figures), drills: sorted(measurements.drills) }, null, 2)}\n`);
}

/** This machine, as the measurements record it (with the load: figures from a busy machine are slower). */
export function machineDescription(): string {
  return `${cpus().length} cores (${cpus()[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`;
}

/** Replaces one figure in the measurements file (the others stay). */
export function recordFigure(id: FigureId, measurement: Omit<Measurement, "when" | "machine"> & Partial<Pick<Measurement, "when" | "machine">>, path = measurementsPath): Measurement {
  const full: Measurement = { when: new Date().toISOString(), machine: machineDescription(), ...measurement, seconds: Math.round(measurement.seconds * 1000) / 1000 };
  validateMeasurements({ figures: { [id]: full } }, `figure ${id}`);
  const current = readMeasurements(path);
  write(path, { ...current, figures: { ...current.figures, [id]: full } });
  return full;
}

/** Replaces the last result of one drill in the measurements file. */
export function recordDrill(id: DrillId, record: DrillRecord, path = measurementsPath): void {
  validateMeasurements({ drills: { [id]: record } }, `drill ${id}`);
  const current = readMeasurements(path);
  write(path, { ...current, drills: { ...current.drills, [id]: record } });
}
