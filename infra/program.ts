import { parseStackConfig } from "./parseConfig";
import { runtimeConfigSource } from "./configSource";
import { declareStack } from "./stack";
import { resolveSyncedConfig } from "./environmentSync/source";

/**
 * The Pulumi program: config is parsed (and refused) before any resource is declared; a stack
 * that follows another (`sync.source`) first takes its synced settings from that stack's outputs.
 */
export async function program() {
  const { config, source } = await resolveSyncedConfig(parseStackConfig(runtimeConfigSource()));
  return declareStack(config, source);
}
