/**
 * What the stack names in its config but does not create, and that costs money because of it:
 * the database hosts and the etcd witness host (EC2 instances with a gp3 volume, when
 * `cost.hostsOnEc2`), and the hosted zone the failover records live in.
 */
import type { RegionRole } from "../topology";
import type { LineDraft, PricingContext } from "./context";

/** A priced line for something named in config, with where it is billed. */
export interface NamedLine extends LineDraft {
  /** What config names it (`databases.primary`). */
  resource: string;
  /** The resource type shown in the report. */
  resourceType: string;
  region: string | undefined;
}

const hostLines = (context: PricingContext, kind: "database" | "witness", key: string, region: string): NamedLine[] => {
  const type = context.settings.instanceTypes[kind];
  const volume = context.settings.volumeGiB[kind];
  return [
    {
      resource: key,
      resourceType: "ec2:instance (named in config)",
      region,
      item: `${type} On-Demand, Linux, all month`,
      priceId: `ec2.instance.${type}`,
      quantity: context.prices.hoursPerMonth,
      estimate: `cost.instanceTypes.${kind} ${type}, running ${context.prices.hoursPerMonth} h a month`,
    },
    {
      resource: key,
      resourceType: "ebs:volume (named in config)",
      region,
      item: `gp3 volume ${volume} GiB`,
      priceId: "ebs.gp3.storage",
      quantity: volume,
      estimate: `cost.volumeGiB.${kind} ${volume}`,
    },
  ];
};

export function namedLines(context: PricingContext): NamedLine[] {
  const hosts = context.settings.hostsOnEc2
    ? [
        ...(["primary", "secondary"] as RegionRole[]).flatMap((role) => hostLines(context, "database", `databases.${role}`, context.regions[role])),
        ...(context.regions.witness ? hostLines(context, "witness", "witness", context.regions.witness) : []),
      ]
    : [];
  return [
    ...hosts,
    { resource: "dnsZone", resourceType: "route53:hostedZone (named in config)", region: undefined, item: "hosted zone of the failover records", priceId: "route53.hostedZone", quantity: 1 },
  ];
}
