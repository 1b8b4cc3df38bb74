/**
 * The stateful resource types: the ones whose replacement or deletion loses data, history or
 * the DNS answer (docs/architecture/README.md#invariants, invariant 3). One list, read by the protection policy (they must be
 * `protect`ed), the flip preview (`npm run plan -- --diff` counts them) and the failover
 * workflow's guard (its `jq` reads `domain/statefulTypes.json` directly, so the file is the source).
 */
import entries from "./statefulTypes.json";

export interface StatefulType {
  /** Pulumi type token, e.g. `aws:s3/bucket:Bucket`. */
  type: string;
  /** What a replacement or deletion loses, for messages. */
  loses: string;
}

export const statefulTypeEntries: readonly StatefulType[] = entries;

export const statefulTypes: readonly string[] = entries.map((e) => e.type);

export const isStatefulType = (type: string): boolean => statefulTypes.includes(type);
