/**
 * The committed AWS price table (`domain/prices/aws.json`) as types, and the one lookup every
 * priced line goes through. The table is data: each price names the AWS pricing page it comes
 * from, the day it was read, and whether it could be confirmed word for word (`confirmed`) or
 * not (`unconfirmed`, saying why). Its schema is checked by `tools/cost/priceTableSchema.ts`
 * (zod lives above domain/); docs/guides/cost.md says how to refresh it.
 */
import table from "../prices/aws.json";

/** One price of the table. */
export interface PriceEntry {
  /** What one unit is, e.g. `health check-month`, `GB-month`, `1,000 requests`. */
  unit: string;
  /** The price in USD where it is the same everywhere (Route53 is global). */
  usd?: number;
  /** The price in USD per region code, where it differs by region. */
  usdByRegion?: Record<string, number>;
  /** The AWS pricing page the price comes from. */
  source: string;
  /** The day the price was read, `YYYY-MM-DD`. */
  read: string;
  /** How the price was confirmed (what was read, where). */
  confirmed?: string;
  /** Why the price could not be confirmed word for word, and what it rests on instead. */
  unconfirmed?: string;
  note?: string;
}

export interface PriceTable {
  currency: "USD";
  /** The region codes every regional price covers. */
  regions: string[];
  /** Hours in a billing month (AWS's calculator uses 730). */
  hoursPerMonth: number;
  /** Days in a billing month (365 / 12). */
  daysPerMonth: number;
  howToRefresh: string;
  prices: Record<string, PriceEntry>;
}

/** The committed table, unchecked (tools/cost/priceTableSchema.ts checks it before a report uses it). */
export const committedPriceTable = table as PriceTable;

export class PriceLookupError extends Error {}

/** The price `id` in `region` (ignored for a global price); throws when the table has none. */
export function unitPrice(prices: PriceTable, id: string, region: string | undefined): { usd: number; entry: PriceEntry } {
  const entry = prices.prices[id];
  if (!entry) throw new PriceLookupError(`price ${JSON.stringify(id)} is not in the price table (domain/prices/aws.json); add it with its source and the date it was read`);
  if (entry.usd !== undefined) return { usd: entry.usd, entry };
  const usd = region === undefined ? undefined : entry.usdByRegion?.[region];
  if (usd === undefined) {
    throw new PriceLookupError(
      `price ${JSON.stringify(id)} has no figure for region ${JSON.stringify(region)}; the table covers ${Object.keys(entry.usdByRegion ?? {}).join(", ")}: add the region (domain/prices/aws.json, its regions list and every regional price)`,
    );
  }
  return { usd, entry };
}

/** The EC2 instance types the table prices (config accepts only these for `cost.instanceTypes`). */
export function pricedInstanceTypes(prices: PriceTable = committedPriceTable): string[] {
  return Object.keys(prices.prices)
    .filter((id) => id.startsWith("ec2.instance."))
    .map((id) => id.slice("ec2.instance.".length))
    .sort();
}
