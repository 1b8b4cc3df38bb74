/**
 * The monthly cost of a stack from its offline plan: every AWS resource priced line by line
 * (or listed as not priced, by type), attributed to its top-level component and to its owner
 * (./owners.ts), summed by component, by resource type and by owner; the passive role's share is
 * what DR itself costs beside the active role. Pure: the CLI (tools/cli/cost.ts) plans and renders.
 */
import { activeRole, passiveRole } from "../activeRegion";
import type { RegionRole } from "../topology";
import type { PlannedResource, PricingContext } from "./context";
import { namedLines, type NamedLine } from "./named";
import { pricers } from "./pricers";
import { unitPrice } from "./priceTable";
import { ownerOf, type CostOwner } from "./owners";

export interface CostLine {
  /** The top-level component (`FailoverDns failover-dns`), or `named in config`. */
  component: string;
  resourceType: string;
  /** The resource's logical name (or the config key naming it). */
  resource: string;
  item: string;
  /** Where it is billed: a region code, or `global`. */
  region: string;
  /** The role it serves, the witness, or `shared` (./owners.ts). */
  owner: CostOwner;
  quantity: number;
  unit: string;
  unitPrice: number;
  monthly: number;
  priceId: string;
  source: string;
  /** The day the price was read. */
  read: string;
  /** False when the price table says it could not confirm the price word for word. */
  priceConfirmed: boolean;
  /** Set when the quantity is an estimate: from what. */
  estimate?: string;
}

export interface Sum {
  name: string;
  monthly: number;
  lines: number;
}

export interface CostReport {
  stack: string;
  /** The role that serves traffic (the config key `activeRegion`). */
  activeRole: RegionRole;
  /** The role that stands by: its lines and the witness's are what DR itself costs. */
  passiveRole: RegionRole;
  regions: PricingContext["regions"];
  lines: CostLine[];
  total: number;
  byOwner: Record<CostOwner, number>;
  byComponent: Sum[];
  byType: Sum[];
  /** AWS types of the plan that no pricer knows: each with the resources it leaves unpriced. */
  notPriced: { type: string; resources: string[] }[];
  /** Resources of other providers (command, postgresql, random) and components: not on the AWS bill. */
  notAws: { type: string; count: number }[];
}

const isAws = (type: string) => type.startsWith("aws:");

/** The top-level component a resource belongs to (the ancestor right under the stack), as `Type name`. */
function componentLabeller(resources: readonly PlannedResource[]): (r: PlannedResource) => string {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return (resource) => {
    let current = resource;
    for (let parent = current.parent ? byUrn.get(current.parent) : undefined; parent && parent.type !== "pulumi:pulumi:Stack"; parent = parent.parent ? byUrn.get(parent.parent) : undefined) {
      current = parent;
    }
    return current === resource ? "(stack)" : `${current.type.split(":").pop()} ${current.name}`;
  };
}

const sumBy = (lines: readonly CostLine[], key: (l: CostLine) => string): Sum[] => {
  const sums = new Map<string, Sum>();
  for (const line of lines) {
    const name = key(line);
    const sum = sums.get(name) ?? { name, monthly: 0, lines: 0 };
    sum.monthly += line.monthly;
    sum.lines += 1;
    sums.set(name, sum);
  }
  return [...sums.values()].sort((a, b) => b.monthly - a.monthly || a.name.localeCompare(b.name));
};

export function costReport(stack: string, context: PricingContext): CostReport {
  const componentOf = componentLabeller(context.resources);
  const priced = (base: Omit<CostLine, "unit" | "unitPrice" | "monthly" | "source" | "read" | "priceConfirmed" | "region"> & { region: string | undefined }): CostLine => {
    const { usd, entry } = unitPrice(context.prices, base.priceId, base.region);
    const global = entry.usd !== undefined;
    return {
      ...base,
      region: global && base.region === undefined ? "global" : (base.region ?? "global"),
      unit: entry.unit,
      unitPrice: usd,
      monthly: usd * base.quantity,
      source: entry.source,
      read: entry.read,
      priceConfirmed: entry.confirmed !== undefined,
    };
  };

  const lines: CostLine[] = [];
  const notPriced = new Map<string, string[]>();
  const notAws = new Map<string, number>();
  for (const resource of context.resources) {
    const pricer = pricers[resource.type];
    if (!isAws(resource.type)) {
      if (resource.type !== "pulumi:pulumi:Stack" && !resource.type.startsWith("pulumi:providers:")) notAws.set(resource.type, (notAws.get(resource.type) ?? 0) + 1);
      continue;
    }
    if (!pricer) {
      notPriced.set(resource.type, [...(notPriced.get(resource.type) ?? []), resource.name]);
      continue;
    }
    for (const draft of pricer(resource, context)) {
      const region = draft.region ?? resource.region ?? undefined;
      lines.push(
        priced({
          ...draft,
          component: componentOf(resource),
          resourceType: resource.type,
          resource: resource.name,
          region,
          owner: ownerOf(resource, draft.region, context.regions),
        }),
      );
    }
  }
  for (const named of namedLines(context) as NamedLine[]) {
    const { resource, resourceType, region, ...draft } = named;
    const owner: CostOwner = resource.startsWith("databases.") ? (resource.split(".")[1] as RegionRole) : resource === "witness" ? "witness" : "shared";
    lines.push(priced({ ...draft, component: "named in config", resourceType, resource, region, owner }));
  }

  const byOwner: Record<CostOwner, number> = { primary: 0, secondary: 0, witness: 0, shared: 0 };
  for (const line of lines) byOwner[line.owner] += line.monthly;
  return {
    stack,
    activeRole: activeRole(context),
    passiveRole: passiveRole(context),
    regions: context.regions,
    lines,
    total: lines.reduce((sum, l) => sum + l.monthly, 0),
    byOwner,
    byComponent: sumBy(lines, (l) => l.component),
    byType: sumBy(lines, (l) => l.resourceType),
    notPriced: [...notPriced].map(([type, resources]) => ({ type, resources })).sort((a, b) => a.type.localeCompare(b.type)),
    notAws: [...notAws].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type)),
  };
}

/** What DR itself costs: the passive role's lines and the witness's (neither would exist without DR). */
export const drShare = (report: Pick<CostReport, "byOwner" | "passiveRole">): number => report.byOwner[report.passiveRole] + report.byOwner.witness;

/** Rounds USD to cents for display and comparison (sums are kept unrounded until then). */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;
