/**
 * The parts of `@pulumi/aws` this program uses, loaded alone. `require("@pulumi/aws")` loads
 * every one of its ~250 service modules: measured here, 0.8-1.1 s of a cold plan on top of the
 * ten below (0.07-0.2 s). Components and the stack wiring import `* as aws from "./aws"`
 * (or `../components/aws`) instead; the names read the same (`aws.s3.Bucket`, `aws.Provider`).
 * The policy pack still imports the whole package (it checks types from every service).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/aws/provider";

export * as backup from "@pulumi/aws/backup";
export * as chatbot from "@pulumi/aws/chatbot";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as route53 from "@pulumi/aws/route53";
export * as s3 from "@pulumi/aws/s3";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sns from "@pulumi/aws/sns";
export * as ssm from "@pulumi/aws/ssm";
export * as vpc from "@pulumi/aws/vpc";
export { Provider, type ProviderArgs } from "@pulumi/aws/provider";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export type { Region } from "@pulumi/aws/types/enums";

// What `@pulumi/aws`'s own index registers, so the engine can rebuild a provider from a
// resource reference; without the index it must be registered here.
const { getVersion } = require("@pulumi/aws/utilities") as { getVersion(): string };
pulumi.runtime.registerResourcePackage("aws", {
  version: getVersion(),
  constructProvider: (name, type, urn) => {
    if (type !== "pulumi:providers:aws") throw new Error(`unknown provider type ${type}`);
    return new Provider(name, undefined, { urn });
  },
});
