import { parseStackConfig } from "./config";
import { runtimeConfigSource } from "./configSource";
import { declareStack } from "./stack";

/** The Pulumi program: config is parsed (and refused) before any resource is declared. */
export async function program() {
  const config = parseStackConfig(runtimeConfigSource());
  return declareStack(config);
}
