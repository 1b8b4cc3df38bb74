/**
 * What a pricer sees: one planned resource, the whole plan (to find a bucket's lifecycle), the
 * stack's regions and usage settings, and the price table. Pricers return line drafts; the
 * report (./report.ts) prices them, attributes them to an owner (./owners.ts) and a component, and sums them.
 */
import type { RegionRole } from "../topology";
import type { PriceTable } from "./priceTable";
import type { CostSettings } from "./usage";

/** A resource as the offline plan (`npm run plan -- --json`) lists it. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** The region of its provider; absent for the stack and providers. */
  region?: string | null;
  parent?: string | null;
  inputs: Record<string, unknown>;
}

/** Region codes of the stack: the two region roles, and the etcd witness's region where the stack has one. */
export interface StackRegions {
  primary: string;
  secondary: string;
  witness?: string;
}

export interface PricingContext {
  prices: PriceTable;
  settings: CostSettings;
  regions: StackRegions;
  activeRegion: RegionRole;
  /** PostgreSQL `archive_timeout` (config `recovery.archiveTimeoutSeconds`): a WAL segment at least this often. */
  archiveTimeoutSeconds: number;
  /** Host names of the database hosts (config `databases.<role>.pgHost`): a health check on one is an EC2 endpoint when `cost.hostsOnEc2`. */
  databaseHosts: readonly string[];
  /** Every resource of the plan. */
  resources: readonly PlannedResource[];
}

/** One priced quantity of a resource, before its price is looked up. */
export interface LineDraft {
  /** What is billed, in words (`HTTPS health check, AWS endpoint`). */
  item: string;
  /** The price table entry (`route53.healthCheck.aws`). */
  priceId: string;
  /** In the entry's unit, per month. */
  quantity: number;
  /** Where it is billed, when not in the resource's own region (a secret's replica, a backup copy). */
  region?: string;
  /** Set when the quantity is an estimate: from what. */
  estimate?: string;
}

export type Pricer = (resource: PlannedResource, context: PricingContext) => LineDraft[];

/** A pricer for types that cost nothing: one line at the free price `priceId`, whose entry says why. */
export const free =
  (priceId: string, item = "no charge"): Pricer =>
  () => [{ item, priceId, quantity: 1 }];

export const inputOf = <T>(resource: PlannedResource, key: string): T | undefined => resource.inputs[key] as T | undefined;

/** The resources of the plan under the same parent as `resource` with type `type`. */
export const siblingsOf = (context: PricingContext, resource: PlannedResource, type: string): PlannedResource[] =>
  context.resources.filter((r) => r.type === type && r.parent === resource.parent);
