/**
 * docs/reference/config.md: every stack config key, from the rows `schemaWalk.ts` reads out of
 * the zod schema (`infra/config.ts`). Pure: the caller passes the rows and the keys shared in
 * `Pulumi.yaml`.
 */
import { generatedNotice, markdownTable } from "./markdown";
import type { SchemaRow } from "./schemaWalk";

export interface ConfigReferenceInput {
  /** Config namespace, `crazy-gary-dr`. */
  project: string;
  rows: readonly SchemaRow[];
  /** Top-level keys set once for every stack in `Pulumi.yaml` (project-level config). */
  sharedKeys: readonly string[];
  /** Top-level keys that must be Pulumi secrets. */
  secretKeys: readonly string[];
}

function whereSet(key: string, input: ConfigReferenceInput): string {
  const top = key.split(".")[0];
  if (input.secretKeys.includes(top)) return "stack, **secret**";
  return input.sharedKeys.includes(top) ? "shared" : "stack";
}

function defaultCell(row: SchemaRow): string {
  if (row.defaultValue !== undefined) return `\`${row.defaultValue}\``;
  if (row.key.endsWith("<key>")) return "one per entry";
  return row.optional ? "none (optional)" : "required";
}

export function renderConfigReference(input: ConfigReferenceInput): string {
  const rows = input.rows.map((row) => [
    `\`${row.key}\``,
    whereSet(row.key, input),
    row.type,
    defaultCell(row),
    row.constraints.join("; "),
    row.description ?? "",
  ]);
  return [
    "# Config reference",
    "",
    generatedNotice("the zod schema `stackConfigSchema` in `infra/config.ts`"),
    "",
    `All keys are in the \`${input.project}:\` namespace and are checked by one zod schema before any`,
    "resource is declared; bad config stops the plan or `pulumi up` with every problem at once, each",
    "naming the key, the value and what is allowed. **shared** keys live once in `Pulumi.yaml`",
    "(project-level config, synced to dr); **stack** keys in `Pulumi.<stack>.yaml`. Runbook numbers are",
    "defaults from `domain/runbook.ts`; config may tighten them, never loosen them. A constraint",
    "`else: \"...\"` is the message the schema gives for a value that breaks it. `Pulumi.yaml` also sets",
    "`pulumi:disable-default-providers: [\"*\"]`: every resource must name its provider.",
    "",
    markdownTable(["key", "where", "type", "default", "constraints", "meaning"], rows),
    "",
  ].join("\n");
}
