/** Cost reports of the real stacks, from the plans the test worker shares (./plans.ts). */
import type { CostReport } from "../../domain/cost/report";
import { parseStackConfig } from "../../infra/parseConfig";
import { stackCostReport } from "../../tools/cost/context";
import { loadStackConfig, toPlanJson } from "../../tools/offline";
import { sharedPlan } from "./plans";

/** The cost report of `stack` with `--set` settings, from the worker's shared plan. */
export async function sharedCostReport(stack: string, set: string[] = []): Promise<CostReport> {
  return stackCostReport(stack, toPlanJson(await sharedPlan(stack, set)), parseStackConfig(loadStackConfig(stack, { set })));
}
