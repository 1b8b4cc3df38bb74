/**
 * One evaluation per stack and settings per test worker. The unit project shares a worker's
 * modules (vitest.config.mts), so every test file in the worker reads the same plan instead of
 * evaluating the program again. Plans are frozen: a test that changed one would change it for
 * every later file, so a write throws instead.
 */
import { planStack, type Plan } from "../../tools/offline";

const plans = new Map<string, Promise<Plan>>();
let lastPlan: Promise<unknown> = Promise.resolve();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The plan of `stack` with `--set` settings, evaluated once per worker. Evaluations run one
 * after another: the mock engine is one per process.
 */
export function sharedPlan(stack: string, set: readonly string[] = []): Promise<Plan> {
  const key = JSON.stringify([stack, ...set]);
  let plan = plans.get(key);
  if (!plan) {
    plan = lastPlan.catch(() => undefined).then(() => planStack(stack, { set: [...set] })).then(deepFreeze);
    plans.set(key, plan);
    lastPlan = plan;
  }
  return plan;
}
