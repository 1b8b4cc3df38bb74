import { describe, expect, it } from "vitest";
import { partitionOf } from "../domain/awsPartition";

describe("partitionOf: the partition from the region code, without an invoke", () => {
  it.each([
    ["us-east-1", "aws"],
    ["us-west-2", "aws"],
    ["eu-west-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
