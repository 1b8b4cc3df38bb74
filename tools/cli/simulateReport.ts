/**
 * `npm run simulate`'s report: each run's steps (succeeded, failed, skipped, not run), the end
 * state, what the next deploy from git would do, and the verdict; or, with --scenarios, one
 * verdict line per scenario. Text and JSON from the same results.
 */
import { describeEndpoint, describeOutage } from "../../domain/simulation/endpoints";
import type { Scenario } from "../../domain/simulation/scenarios";
import type { RunReport } from "../../domain/simulation/simulate";
import type { SimulationResult } from "../simulation/runner";
import type { TextLayout } from "./terminal";

const short = (urn: string) => urn.split("::").pop() ?? urn;

/** Step lines wrap under their reason, verdict lines under their text; PASS green, FAIL and failed steps red. */
export const simulationLayout: TextLayout = {
  hangingIndent: (line) => /^ {4}(?:succeeded|failed|skipped|not run) +\S+ +\S+ +/.exec(line)?.[0].length ?? (/^(?:PASS|FAIL) {2}/.test(line) ? 6 : undefined),
  marks: [
    [/^PASS\b/, "add"],
    [/^FAIL\b/, "danger"],
    [/^ {2}preview FAILED/, "danger"],
    [/^ {4}failed\b/, "danger"],
  ],
};

function renderRun(run: RunReport, index: number, total: number, result: SimulationResult): string[] {
  const { spec } = run;
  const label = total > 1 ? `Run ${index + 1} of ${total}: ` : "";
  const lines = [
    `${label}pulumi up${spec.continueOnError ? " --continue-on-error" : ""} of ${result.stack} with ${spec.plan.set.length > 0 ? spec.plan.set.join(", ") : "the config git holds"}; down: ${describeOutage(spec.outage)}`,
  ];
  if (run.run.previewFailure) lines.push(`  preview FAILED: ${run.run.previewFailure}`);
  const steps = run.run.steps;
  lines.push(`  steps (${steps.length}; unchanged resources make none):`);
  const width = Math.max(0, ...steps.map((s) => short(s.urn).length));
  for (const step of steps) {
    const why = step.detail ?? (step.calls.length > 0 ? step.calls.map((c) => describeEndpoint(c.endpoint)).join(", ") : "no remote call");
    lines.push(`    ${step.status.padEnd(9)} ${step.op.padEnd(7)} ${short(step.urn).padEnd(width)}  ${why}`);
  }
  const counts = ["succeeded", "failed", "skipped", "not run"].map((status) => `${steps.filter((s) => s.status === status).length} ${status}`).join(", ");
  lines.push(`    ${counts}`, `  outputs: ${run.run.outputsRule}`, "  end state:");
  const roleRegion = (role: string) => `${role} (${result.topology.regions[role as "primary"]})`;
  lines.push(`    leader (the writable database): ${run.writable.map(roleRegion).join(", ") || "none"} (before the run: ${run.writableBefore.map(roleRegion).join(", ") || "none"})`);
  lines.push(`    flip step: ${run.flip}`);
  for (const answer of run.dns) {
    const budget = answer.budgetSeconds !== undefined ? ` (budget ${answer.budgetSeconds} s)` : "";
    lines.push(
      `    DNS ${answer.name} -> ${answer.region} (${answer.failoverType}; PRIMARY ${answer.health.PRIMARY ? "healthy" : "unhealthy"}, SECONDARY ${answer.health.SECONDARY ? "healthy" : "unhealthy"}), up to ${answer.worstCaseSeconds} s after a change${budget}`,
    );
  }
  for (const p of run.parameters) lines.push(`    SSM active-region in ${p.region} (${p.role}): ${p.value ?? "none"}${p.readable ? "" : " (unreadable: the region is down)"}`);
  lines.push(`    failover workflow: ${run.commit.reason}`);
  return lines;
}

/** The report of one simulation. */
export function renderSimulation(result: SimulationResult): string {
  const lines = result.runs.flatMap((run, i) => [...renderRun(run, i, result.runs.length, result), ""]);
  lines.push(`Next pulumi up from git: ${result.next.summary}`);
  lines.push(verdictLine(result.stack, result));
  return lines.join("\n");
}

/** One verdict line: PASS or FAIL, what, and why. */
export function verdictLine(what: string, result: SimulationResult): string {
  const last = result.runs[result.runs.length - 1];
  if (result.verdict.pass) return `PASS  ${what}: leader ${last.writable[0]}, DNS answers ${result.topology.regions[last.writable[0]]}, next deploy: ${result.next.kind}`;
  const why = last.run.previewFailure ?? (last.flip.startsWith("succeeded") ? undefined : `flip step ${last.flip}`);
  return `FAIL  ${what}: ${result.verdict.failures.join("; ")}${why ? ` [${why}]` : ""}`;
}

/** One line per scenario. */
export function renderScenarios(results: readonly { scenario: Scenario; result: SimulationResult }[]): string {
  const passed = results.filter((r) => r.result.verdict.pass).length;
  return [
    ...results.map(({ scenario, result }) => verdictLine(`${scenario.id} (${scenario.title})`, result)),
    `${passed} of ${results.length} scenarios pass`,
  ].join("\n");
}

/** The JSON form: each run's steps and end state, the next deploy, the verdict. */
export function simulationJson(result: SimulationResult, scenario?: Scenario): unknown {
  return {
    ...(scenario ? { scenario: { id: scenario.id, title: scenario.title } } : {}),
    stack: result.stack,
    workflow: result.workflow,
    runs: result.runs.map((run) => ({
      set: run.spec.plan.set,
      down: describeOutage(run.spec.outage),
      continueOnError: run.spec.continueOnError,
      previewFailure: run.run.previewFailure ?? null,
      steps: run.run.steps.map((s) => ({ urn: s.urn, op: s.op, status: s.status, detail: s.detail ?? null, calls: s.calls.map((c) => describeEndpoint(c.endpoint)) })),
      outputsRule: run.run.outputsRule,
      writablePrimaryBefore: run.writableBefore,
      writablePrimary: run.writable,
      flip: run.flip,
      dns: run.dns,
      activeRegionParameters: run.parameters,
      commit: run.commit,
    })),
    nextDeploy: { kind: result.next.kind, summary: result.next.summary, steps: result.next.steps.map((s) => ({ urn: s.urn, op: s.op })) },
    verdict: result.verdict,
  };
}
