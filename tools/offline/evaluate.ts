/**
 * Evaluates the Pulumi program (or any part of it) in-process under the SDK's mock engine and
 * returns what it declared: resources with region, parent and options, and the outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { projectName } from "../../infra/config";
import { captureRegistrations, plainValue, type CapturedResource } from "./capture";
import { createMocks, type StackReferenceOutputs } from "./mocks";

export interface Evaluation {
  stack: string;
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
  /** Messages the program logged with `pulumi.log.warn` (the mock engine prints them to stderr too). */
  warnings: string[];
}

export interface EvaluateOptions {
  stack: string;
  /** Namespaced config (`crazy-gary-dr:regions`) as strings, as the CLI passes it. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Outputs of the stacks the program references, by fully qualified name. */
  stackReferences?: StackReferenceOutputs;
}

/** Prefix the SDK gives `pulumi.log.warn` messages when no engine is attached (under mocks). */
const runtimeWarningPrefix = "warning: [runtime] ";

/** Collects `pulumi.log.warn` messages while `body` runs, still printing them as before. */
async function captureWarnings<T>(into: string[], body: () => Promise<T>): Promise<T> {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith(runtimeWarningPrefix)) into.push(args[0].slice(runtimeWarningPrefix.length));
    original(...args);
  };
  try {
    return await body();
  } finally {
    console.warn = original;
  }
}

/**
 * The Pulumi SDK captures a stack trace for every promise it makes (for its leak report): half
 * of an evaluation's time. It also formats the whole stack of every resource it registers, to
 * send the engine the resource's source position (`Resource.callsites` in
 * @pulumi/pulumi/resource.js sets `Error.stackTraceLimit` to Infinity for it), which the mock
 * engine and the plan never read. While the program runs, every trace is cut to its first line
 * (`Name: message`, what Node prints with a limit of 0), so none is formatted. Errors the program
 * throws are reported by message; set CRAZY_GARY_TRACES=1 to keep their traces while debugging.
 */
async function withoutStackTraces<T>(body: () => Promise<T>): Promise<T> {
  if (process.env.CRAZY_GARY_TRACES) return body();
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 0;
  Error.prepareStackTrace = (error: Error) => Error.prototype.toString.call(error);
  try {
    return await body();
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
}

/** Runs `program` as the root stack's body; the mock engine is reset for every call. */
export async function evaluate(program: () => Promise<unknown>, options: EvaluateOptions): Promise<Evaluation> {
  let resources: CapturedResource[] = [];
  const regionOfProvider = (ref: string) => {
    const urn = ref.split("::").slice(0, -1).join("::");
    const provider = resources.find((r) => r.urn === urn);
    const region = provider?.inputs.region;
    return typeof region === "string" ? region : undefined;
  };
  // The schema version's trigger (infra/environmentSync.ts deploymentRunId): fixed offline, so a plan is the same on every run.
  process.env.CRAZY_GARY_RUN_ID ||= "offline-plan";
  await pulumi.runtime.setMocks(createMocks(options.stackReferences ?? {}, regionOfProvider), projectName, options.stack, false);
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  resources = captureRegistrations();
  const warnings: string[] = [];
  // A program that throws is reported by rejecting here, once: inside the stack it would also
  // reject the root stack's own output registration, an unhandled rejection.
  let programError: { error: unknown } | undefined;
  const outputs = await withoutStackTraces(() => captureWarnings(warnings, async () => {
    const result = await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (error) {
        programError = { error };
        return {};
      }
    });
    await pulumi.runtime.disconnect();
    return result;
  }));
  if (programError) throw programError.error;
  for (const resource of resources) {
    if (resource.type === "pulumi:providers:aws") resource.region = (resource.inputs.region as string | undefined) ?? null;
    else if (resource.type.startsWith("aws:") && resource.provider) resource.region = regionOfProvider(resource.provider) ?? null;
  }
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  return { stack: options.stack, resources, outputs: plainValue(outputs ?? {}) as Record<string, unknown>, warnings };
}
