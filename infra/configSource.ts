/** Reads the stack's config from the Pulumi runtime (the CLI or the mock engine), as `parseStackConfig` expects it. */
import * as pulumi from "@pulumi/pulumi";
import { projectName } from "./config";
import { type ConfigSource } from "./parseConfig";

// `isConfigSecret` is exported by the runtime but missing from its type declarations.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The project's config keys; the runtime marks secrets per top-level key. */
export function runtimeConfigSource(): ConfigSource {
  const prefix = `${projectName}:`;
  const values = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig())
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, text]) => [key.slice(prefix.length), parseValue(text)]),
  );
  return { values, isSecret: (path) => isConfigSecret(`${prefix}${String(path[0])}`) };
}
