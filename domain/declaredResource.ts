/** One resource as the Pulumi engine receives it from the program: what an offline plan records of it. */
export interface DeclaredResource {
  urn: string;
  type: string;
  name: string;
  /** AWS region the resource lands in (from its provider); `null` for global or non-AWS resources. */
  region: string | null;
  parent: string | null;
  /** False for components and the stack: the engine runs no provider operation for them. */
  custom: boolean;
  /** Inputs as the engine receives them; secrets replaced by `[secret]`. */
  inputs: Record<string, unknown>;
}
