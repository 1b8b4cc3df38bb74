/**
 * How each AWS provider is configured so that a flip reaches no control plane of a failed region,
 * nor IAM's (hosted only in us-east-1): the provider's start-up calls, decided per provider kind.
 *
 * What the AWS provider calls when it is configured (pulumi-aws is the Terraform AWS provider,
 * bridged; its options and their docs in `@pulumi/aws` provider.d.ts):
 * - credential validation: STS `GetCallerIdentity` ("Skip the credentials validation via STS API"),
 *   at the provider's `stsRegion` ("The region where AWS STS operations will take place");
 * - the account id: taken from that validation call; without it (skipCredentialsValidation) the
 *   provider "will attempt to lookup the AWS account ID via EC2 metadata, IAM GetUser, IAM
 *   ListRoles, and STS GetCallerIdentity" (hashicorp/terraform-provider-aws#7674): IAM's endpoint is
 *   in us-east-1. `skipRequestingAccountId` skips the lookup, but S3 buckets then fail: since
 *   provider 6.25 bucket tags go through S3 Control, whose endpoint needs the account id ("AccountId
 *   must only contain a-z, A-Z, 0-9 and `-`", hashicorp/terraform-provider-aws#45520);
 * - the EC2 metadata API check ("Skip the AWS Metadata API check"), a local probe that waits for
 *   a timeout off EC2;
 * - region validation: static, against the provider's list ("Skip static validation of region
 *   name"); skipped so a region the provider's build does not know yet does not stop a flip.
 *
 * So a regional provider (it holds S3 buckets) validates its credentials against its own region's
 * STS and gets the account id from that one call: it reaches only the region it manages. Except
 * when the operator declared that region down (`regionDown`): the engine configures every
 * provider in the preview `pulumi up` runs first, and a provider whose configure fails fails the
 * preview, so nothing at all would be deployed, the flip included (pkg/resource/deploy/step.go
 * SameStep.Apply -> SameProvider; deployment_executor.go; pkg/backend/apply.go; seen as "Preview
 * failed: ... error configuring Terraform AWS Provider", pulumi/pulumi-aws#1359; the failure
 * simulator's rule E3, domain/simulation/engine.ts). That provider ("down") makes no start-up
 * call: its resources' steps fail one by one, and `--continue-on-error` skips their dependents. A global-service provider (Route53 and its metrics in us-east-1,
 * Chatbot) holds no bucket and skips every start-up call: it configures with us-east-1 down, and
 * a flip changes none of its resources (test/providers.test.ts holds both).
 *
 * Pure: imports nothing.
 */

export type ProviderKind = "regional" | "global" | "down";

/** The start-up options of an AWS provider of this kind in `region`. */
export interface ProviderStartup {
  stsRegion: string;
  skipCredentialsValidation: boolean;
  skipRequestingAccountId: boolean;
  skipMetadataApiCheck: boolean;
  skipRegionValidation: boolean;
}

export function providerStartup(kind: ProviderKind, region: string): ProviderStartup {
  const silent = kind !== "regional";
  return {
    stsRegion: region,
    skipCredentialsValidation: silent,
    skipRequestingAccountId: silent,
    skipMetadataApiCheck: true,
    skipRegionValidation: true,
  };
}
