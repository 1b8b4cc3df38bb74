/**
 * The price table's schema (domain/prices/aws.json): every price names an AWS pricing page, the
 * day it was read, and either how it was confirmed or why it could not be; a regional price
 * covers every region of the table. zod lives here because domain/ imports no packages.
 */
import { z } from "zod";
import { committedPriceTable, type PriceTable } from "../../domain/cost/priceTable";

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "is not a day; write YYYY-MM-DD, the day the price was read" });
const usd = z.number().min(0, { message: "is negative; a price is 0 (free, with its source) or more" });

const priceEntry = z
  .strictObject({
    unit: z.string().min(1),
    usd: usd.optional(),
    usdByRegion: z.record(z.string(), usd).optional(),
    source: z.string().regex(/^https:\/\/aws\.amazon\.com\//, { message: "is not an AWS pricing page; give the https://aws.amazon.com/... page the price is read from" }),
    read: isoDay,
    confirmed: z.string().min(10).optional(),
    unconfirmed: z.string().min(10).optional(),
    note: z.string().optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.usd === undefined) === (entry.usdByRegion === undefined)) ctx.addIssue({ code: "custom", message: "give exactly one of usd (one price everywhere) and usdByRegion" });
    if ((entry.confirmed === undefined) === (entry.unconfirmed === undefined)) ctx.addIssue({ code: "custom", message: "give exactly one of confirmed (what was read, where) and unconfirmed (why not, and what the price rests on)" });
  });

export const priceTableSchema = z
  .strictObject({
    currency: z.literal("USD"),
    regions: z.array(z.string()).min(1),
    hoursPerMonth: z.number().positive(),
    daysPerMonth: z.number().positive(),
    howToRefresh: z.string(),
    prices: z.record(z.string().regex(/^[a-z0-9]+(\.[A-Za-z0-9]+)+$/, { message: "is not a price id such as s3.storage.standard" }), priceEntry),
  })
  .superRefine((table, ctx) => {
    for (const [id, entry] of Object.entries(table.prices)) {
      for (const region of table.regions) {
        if (entry.usdByRegion && entry.usdByRegion[region] === undefined) ctx.addIssue({ code: "custom", path: ["prices", id, "usdByRegion"], message: `has no price for ${region}, a region of the table` });
      }
    }
  });

export class PriceTableError extends Error {}

/** The table checked against the schema; every problem named by its path. */
export function checkedPriceTable(table: unknown = committedPriceTable): PriceTable {
  const parsed = priceTableSchema.safeParse(table);
  if (!parsed.success) {
    throw new PriceTableError(`domain/prices/aws.json:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  return parsed.data as PriceTable;
}
