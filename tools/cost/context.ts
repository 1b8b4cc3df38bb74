/** The pricing context of a planned stack: its plan, its parsed config and the checked price table. */
import type { PricingContext } from "../../domain/cost/context";
import { costReport, type CostReport } from "../../domain/cost/report";
import { checkedPriceTable } from "./priceTableSchema";
import type { PriceTable } from "../../domain/cost/priceTable";
import type { StackConfig } from "../../infra/config";
import type { PlanJson } from "../offline/plan";

export function pricingContext(plan: Pick<PlanJson, "resources">, config: StackConfig, prices: PriceTable): PricingContext {
  // regions.witness arrives with the Patroni work (#21); read it when the schema has it.
  const witness = (config.regions as { witness?: string }).witness;
  return {
    prices,
    settings: config.cost,
    regions: { primary: config.regions.primary, secondary: config.regions.secondary, ...(witness ? { witness } : {}) },
    activeRegion: config.activeRegion,
    archiveTimeoutSeconds: config.recovery.archiveTimeoutSeconds,
    databaseHosts: [config.databases.primary.pgHost, config.databases.secondary.pgHost, config.databases.primary.sshHost, config.databases.secondary.sshHost],
    resources: plan.resources.map(({ urn, type, name, region, parent, inputs }) => ({ urn, type, name, region, parent, inputs: inputs as Record<string, unknown> })),
  };
}

/** The cost report of a planned stack, with the committed price table checked against its schema. */
export function stackCostReport(stack: string, plan: Pick<PlanJson, "resources">, config: StackConfig): CostReport {
  return costReport(stack, pricingContext(plan, config, checkedPriceTable()));
}
