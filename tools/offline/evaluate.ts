/**
 * Evaluates the Pulumi program (or any part of it) in-process under the SDK's mock engine and
 * returns what it declared: resources with region, parent and options, and the outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { projectName } from "../../infra/config";
import { captureRegistrations, plainValue, type CapturedResource } from "./capture";
import { createMocks, type InvokeCall, type StackReferenceOutputs } from "./mocks";

export interface Evaluation {
  stack: string;
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
  /** Messages the program logged with `pulumi.log.warn` (the mock engine prints them to stderr too). */
  warnings: string[];
  /** Every invoke the program made, in order, with the region of the provider it ran with (`null`: none or not AWS). */
  invokes: (InvokeCall & { region: string | null })[];
  /** The host each remote command connects to, by URN (`connection.host`, masked as a secret in `inputs`). */
  connectionHosts: Record<string, string>;
}

export interface EvaluateOptions {
  stack: string;
  /** Namespaced config (`crazy-gary-dr:regions`) as strings, as the CLI passes it. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Outputs of the stacks the program references, by fully qualified name. */
  stackReferences?: StackReferenceOutputs;
  /**
   * Whether the program's warnings are printed to stderr as they come (they are returned in
   * `warnings` either way); a tool that prints them itself, grouped, passes false.
   * @default true
   */
  printWarnings?: boolean;
}

/** Prefix the SDK gives `pulumi.log.warn` messages when no engine is attached (under mocks). */
const runtimeWarningPrefix = "warning: [runtime] ";

/** Collects `pulumi.log.warn` messages while `body` runs; with `print`, they are also printed as they come. */
async function captureWarnings<T>(into: string[], print: boolean, body: () => Promise<T>): Promise<T> {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    const isProgramWarning = typeof args[0] === "string" && args[0].startsWith(runtimeWarningPrefix);
    if (isProgramWarning) into.push((args[0] as string).slice(runtimeWarningPrefix.length));
    if (print || !isProgramWarning) original(...args);
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

/**
 * The SDK wraps each of the ~15 promises it makes per resource in `debuggablePromise`
 * (@pulumi/pulumi/runtime/debuggable.js): three non-enumerable properties, a captured stack, a
 * leak-candidate set entry and two more promises. That bookkeeping serves one message, the
 * report of promises still pending when a deployment's process exits, and costs about a fifth of
 * an offline evaluation (90 ms of prod's 570 ms, 200 ms of dr's 1,000 ms). Offline it is turned
 * off: the promise itself is used as is. A program that never finishes (resources that await
 * each other) is still reported, by `runCli` (tools/cli/args.ts), which exits 1 naming it when a
 * tool stops with its work unsettled. Under `pulumi up` none of this runs. Kept when
 * CRAZY_GARY_TRACES or PULUMI_DEBUG_PROMISE_LEAKS is set, for debugging. Returns a function
 * that restores the SDK's own.
 */
function withoutPromiseBookkeeping(): () => void {
  if (process.env.CRAZY_GARY_TRACES || process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => {};
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise?: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
  const original = debuggable.debuggablePromise;
  if (typeof original !== "function") return () => {};
  debuggable.debuggablePromise = <T>(promise: Promise<T>) => promise;
  return () => {
    debuggable.debuggablePromise = original;
  };
}

/**
 * The run id an offline evaluation gives the program (infra/environmentSync/index.ts `deploymentRunId`,
 * the schema version's trigger): `CRAZY_GARY_RUN_ID` when set, else a fixed value, so that a plan
 * is the same on every run. {@link evaluate} sets it in the environment.
 */
export const offlineRunId = (env: Readonly<Record<string, string | undefined>> = process.env): string => env.CRAZY_GARY_RUN_ID || "offline-plan";

/** Runs `program` as the root stack's body; the mock engine is reset for every call. */
export async function evaluate(program: () => Promise<unknown>, options: EvaluateOptions): Promise<Evaluation> {
  let resources: CapturedResource[] = [];
  // A provider is registered before the resources that name it; its region is looked up once.
  const providerRegions = new Map<string, string | undefined>();
  const regionOfProvider = (ref: string) => {
    const urn = ref.split("::").slice(0, -1).join("::");
    if (providerRegions.has(urn)) return providerRegions.get(urn);
    const provider = resources.find((r) => r.urn === urn);
    if (!provider) return undefined;
    const region = typeof provider.inputs.region === "string" ? provider.inputs.region : undefined;
    providerRegions.set(urn, region);
    return region;
  };
  process.env.CRAZY_GARY_RUN_ID = offlineRunId();
  const invokes: InvokeCall[] = [];
  const connectionHosts = new Map<string, string>();
  await pulumi.runtime.setMocks(createMocks(options.stackReferences ?? {}, regionOfProvider, (call) => invokes.push(call)), projectName, options.stack, false);
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  resources = captureRegistrations(connectionHosts);
  const warnings: string[] = [];
  // A program that throws is reported by rejecting here, once: inside the stack it would also
  // reject the root stack's own output registration, an unhandled rejection.
  let programError: { error: unknown } | undefined;
  const restorePromiseBookkeeping = withoutPromiseBookkeeping();
  const outputs = await withoutStackTraces(() => captureWarnings(warnings, options.printWarnings ?? true, async () => {
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
  })).finally(restorePromiseBookkeeping);
  if (programError) throw programError.error;
  for (const resource of resources) {
    if (resource.type === "pulumi:providers:aws") resource.region = (resource.inputs.region as string | undefined) ?? null;
    else if (resource.type.startsWith("aws:") && resource.provider) resource.region = regionOfProvider(resource.provider) ?? null;
  }
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  return {
    stack: options.stack,
    resources,
    outputs: plainValue(outputs ?? {}) as Record<string, unknown>,
    warnings,
    invokes: invokes.map((call) => ({ ...call, region: call.provider ? (regionOfProvider(call.provider) ?? null) : null })),
    connectionHosts: Object.fromEntries([...connectionHosts].sort(([a], [b]) => a.localeCompare(b))),
  };
}
