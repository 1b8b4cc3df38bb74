/**
 * KMS keys, Secrets Manager secrets (and their replicas, each billed as a secret in its region)
 * and SSM parameters by tier (standard ones are free).
 * Pricing: https://aws.amazon.com/kms/pricing/, https://aws.amazon.com/secrets-manager/pricing/,
 * https://aws.amazon.com/systems-manager/pricing/.
 */
import type { Pricer } from "../context";
import { inputOf } from "../context";

export const priceKey: Pricer = () => [{ item: "customer managed key", priceId: "kms.key", quantity: 1 }];

export const priceSecret: Pricer = (resource) => {
  const replicas = inputOf<{ region?: string }[]>(resource, "replicas") ?? [];
  return [
    { item: "secret", priceId: "secretsmanager.secret", quantity: 1 },
    ...replicas.map((r) => ({ item: `replica in ${r.region}`, priceId: "secretsmanager.replica", quantity: 1, region: r.region })),
  ];
};

export const priceParameter: Pricer = (resource) => {
  const tier = inputOf<string>(resource, "tier") ?? "Standard";
  const advanced = tier === "Advanced";
  return [{ item: `${advanced ? "advanced" : "standard"} parameter${tier === "Intelligent-Tiering" ? " (Intelligent-Tiering: standard while its value fits 4 KB)" : ""}`, priceId: advanced ? "ssm.parameter.advanced" : "ssm.parameter.standard", quantity: 1 }];
};
