/**
 * The `cost` block of the stack config: the usage estimates `npm run cost` prices (the plan
 * itself gives every count and retention; these give the volumes) and the instance types of the
 * hosts the stack names but does not create. Every key has a default, so the block is optional.
 * What each figure drives: docs/guides/cost.md.
 */
import { z } from "zod";
import { pricedInstanceTypes } from "../domain/cost/priceTable";
import type { CostSettings } from "../domain/cost/usage";
import { oneOf } from "./configFields";

const instanceType = oneOf(pricedInstanceTypes(), "an instance type the price table prices (domain/prices/aws.json)", "priced instance types");
const positive = (unit: string) => z.number().positive({ message: `is not more than 0; use a positive number of ${unit}` });

export const costDefaults: CostSettings = {
  walGiBPerDay: 2,
  databaseGiB: 20,
  dnsQueriesPerMonth: 10_000_000,
  logGiBPerDay: 0.5,
  hostsOnEc2: true,
  instanceTypes: { database: "m6i.large", witness: "t4g.small" },
  volumeGiB: { database: 100, witness: 8 },
};

export const costSettings = z
  .strictObject({
    walGiBPerDay: positive("GiB").default(costDefaults.walGiBPerDay).describe("Estimate: WAL the primary writes per day, in GiB. With the lifecycle days of the plan it gives the WAL stored in each repository bucket, and the PUT requests."),
    databaseGiB: positive("GiB").default(costDefaults.databaseGiB).describe("Estimate: size of the database, in GiB; each daily full backup stores this much in each repository bucket (uncompressed, an upper bound)."),
    dnsQueriesPerMonth: z.number().int().min(0).default(costDefaults.dnsQueriesPerMonth).describe("Estimate: DNS queries per month for each failover hostname (`api`, `app`); billed unless the record is an alias to an AWS resource."),
    logGiBPerDay: z.number().min(0).default(costDefaults.logGiBPerDay).describe("Estimate: GiB of log events a day into each application log group of the active region (the standby's receive none)."),
    hostsOnEc2: z.boolean().default(costDefaults.hostsOnEc2).describe("The database and witness hosts are EC2 instances of this account: priced by `instanceTypes`, and Route53 checks on them are AWS endpoints. false: they are priced elsewhere."),
    instanceTypes: z
      .strictObject({
        database: instanceType.default(costDefaults.instanceTypes.database).describe("EC2 instance type of each database host."),
        witness: instanceType.default(costDefaults.instanceTypes.witness).describe("EC2 instance type of the etcd witness host."),
      })
      .default(costDefaults.instanceTypes)
      .describe(`EC2 instance types of the hosts the stack names (databases, witness); one of the types the price table prices: ${pricedInstanceTypes().join(", ")}.`),
    volumeGiB: z
      .strictObject({
        database: positive("GiB").default(costDefaults.volumeGiB.database).describe("gp3 volume of each database host, in GiB."),
        witness: positive("GiB").default(costDefaults.volumeGiB.witness).describe("gp3 volume of the witness host, in GiB."),
      })
      .default(costDefaults.volumeGiB)
      .describe("gp3 volume sizes of the named hosts, in GiB."),
  })
  .default(costDefaults)
  .describe("Usage estimates for `npm run cost` (docs/guides/cost.md): the report marks every figure that rests on them.");
