/**
 * The AWS partition of a region, from its code alone: what `aws.getPartition` would answer, without
 * an invoke (a failed invoke fails the whole program, even with `--continue-on-error`;
 * docs/architecture/README.md "Rules of the real world"). Partitions and their region prefixes:
 * AWS General Reference, "AWS partitions" (aws: commercial; aws-cn: `cn-`; aws-us-gov:
 * `us-gov-`; aws-iso: `us-iso-`; aws-iso-b: `us-isob-`). Pure.
 */
const prefixes: readonly [string, string][] = [
  ["us-gov-", "aws-us-gov"],
  ["us-isob-", "aws-iso-b"],
  ["us-iso-", "aws-iso"],
  ["cn-", "aws-cn"],
];

export function partitionOf(region: string): string {
  return prefixes.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}
