/**
 * Every state a hosted zone passes through while the engine applies a set of DNS changes, each
 * checked against Route 53's rules.
 *
 * How the engine orders steps (pulumi/pulumi pkg/resource/deploy/step_executor.go and
 * step_generator.go): a resource's create, update or create-replacement waits for the steps of
 * the resources it depends on (dependsOn, property dependencies, parent, provider); steps with no
 * dependency between them run in parallel, in any order. Deletions (of deleted resources and of
 * the old copies of create-before-delete replacements) run after every create and update, and a
 * resource is deleted only after the resources that depended on it. Route 53 applies each call
 * (one change batch) atomically, so a zone moves from one state to the next one step at a time.
 *
 * The state after a set of finished steps does not depend on their order (each step writes only
 * its own resource), so checking every set of steps the dependencies allow to finish first checks
 * every interleaving.
 */
import { validateZoneState, type HealthCheckModel, type RecordModel, type Route53Violation, type ZoneState } from "./route53Rules";

export type DnsObject = { kind: "record"; record: RecordModel } | { kind: "healthCheck"; healthCheck: HealthCheckModel };

export interface DnsChange {
  /** The resource's URN. */
  key: string;
  op: "create" | "update" | "replace" | "delete";
  /** The object before the change (absent for a create). */
  before?: DnsObject;
  /** The object after the change (absent for a delete). */
  after?: DnsObject;
  /** Keys of the other changes this one waits for: the new program's dependencies (for a delete, the old program's). */
  dependsOn: string[];
}

export interface WalkViolation extends Route53Violation {
  /** Steps finished when the zone reached the invalid state, in an order the engine may take. */
  afterSteps: string[];
}

export interface WalkResult {
  /** Every step, labelled `<op> <key>`. */
  steps: string[];
  /** Distinct sets of finished steps checked (each one a state the zone can be in). */
  statesChecked: number;
  violations: WalkViolation[];
}

interface Step {
  label: string;
  write: (objects: Map<string, DnsObject>) => void;
  waitsFor: number[];
}

/** Most steps whose every order is checked; 2^n states at worst. */
export const maxSteps = 22;

const replacementKey = (key: string) => `${key} (replacement)`;

/** Points references to a replaced health check at its replacement's new copy. */
function retarget(object: DnsObject, replaced: ReadonlySet<string>): DnsObject {
  const swap = (key: string) => (replaced.has(key) ? replacementKey(key) : key);
  if (object.kind === "record") return { kind: "record", record: { ...object.record, healthCheck: object.record.healthCheck && swap(object.record.healthCheck) } };
  return { kind: "healthCheck", healthCheck: { ...object.healthCheck, children: object.healthCheck.children.map(swap) } };
}

function buildSteps(changes: readonly DnsChange[]): Step[] {
  const replaced = new Set(changes.filter((c) => c.op === "replace").map((c) => c.key));
  const steps: Step[] = [];
  const forward = new Map<string, number>();
  for (const change of changes.filter((c) => c.op !== "delete")) {
    const after = retarget(change.after!, replaced);
    const key = change.op === "replace" ? replacementKey(change.key) : change.key;
    const renamed: DnsObject = after.kind === "record" ? { kind: "record", record: { ...after.record, key } } : { kind: "healthCheck", healthCheck: { ...after.healthCheck, key } };
    forward.set(change.key, steps.length);
    steps.push({ label: `${change.op === "replace" ? "create-replacement" : change.op} ${change.key}`, write: (objects) => void objects.set(key, renamed), waitsFor: [] });
  }
  for (const change of changes.filter((c) => c.op !== "delete")) {
    steps[forward.get(change.key)!].waitsFor = change.dependsOn.filter((d) => forward.has(d)).map((d) => forward.get(d)!);
  }
  const allForward = [...forward.values()];
  const deletions = changes.filter((c) => c.op === "delete" || c.op === "replace");
  const deleteIndex = new Map(deletions.map((c, i) => [c.key, steps.length + i]));
  for (const change of deletions) {
    // Deleted after everything that depended on it is deleted.
    const dependents = deletions.filter((d) => d.op === "delete" && d.dependsOn.includes(change.key)).map((d) => deleteIndex.get(d.key)!);
    steps.push({ label: `${change.op === "replace" ? "delete-replaced" : "delete"} ${change.key}`, write: (objects) => void objects.delete(change.key), waitsFor: [...allForward, ...dependents] });
  }
  return steps;
}

function stateOf(initial: ReadonlyMap<string, DnsObject>, steps: readonly Step[], done: readonly number[]): ZoneState {
  const objects = new Map(initial);
  for (const i of done) steps[i].write(objects);
  const all = [...objects.values()];
  return {
    records: all.flatMap((o) => (o.kind === "record" ? [o.record] : [])),
    healthChecks: all.flatMap((o) => (o.kind === "healthCheck" ? [o.healthCheck] : [])),
  };
}

/**
 * Walks every state the zone can pass through from `initial` (all DNS objects before the update,
 * changed or not, keyed by URN) while `changes` are applied, and checks each one.
 */
export function walkDnsChanges(initial: ReadonlyMap<string, DnsObject>, changes: readonly DnsChange[]): WalkResult {
  const steps = buildSteps(changes);
  if (steps.length > maxSteps) throw new Error(`walkDnsChanges: ${steps.length} DNS steps; at most ${maxSteps} can be checked in every order`);
  const violations: WalkViolation[] = [];
  const seenMessages = new Set<string>();
  const visited = new Set<number>();
  let frontier = new Map<number, number[]>([[0, []]]);
  while (frontier.size > 0) {
    const next = new Map<number, number[]>();
    for (const [mask, order] of frontier) {
      visited.add(mask);
      for (const violation of validateZoneState(stateOf(initial, steps, order))) {
        if (seenMessages.has(violation.message)) continue;
        seenMessages.add(violation.message);
        violations.push({ ...violation, afterSteps: order.map((i) => steps[i].label) });
      }
      steps.forEach((step, i) => {
        const ready = (mask & (1 << i)) === 0 && step.waitsFor.every((w) => (mask & (1 << w)) !== 0);
        if (ready && !next.has(mask | (1 << i))) next.set(mask | (1 << i), [...order, i]);
      });
    }
    frontier = next;
  }
  const everything = steps.length === 0 ? 0 : 2 ** steps.length - 1;
  if (!visited.has(everything)) throw new Error(`walkDnsChanges: the steps wait for each other in a cycle; never reached: ${steps.map((s) => s.label).join(", ")}`);
  return { steps: steps.map((s) => s.label), statesChecked: visited.size, violations };
}
