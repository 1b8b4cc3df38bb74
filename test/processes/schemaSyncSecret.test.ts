/**
 * schema-sync.sh reading the source's password from Secrets Manager (the dr deploy on a CI
 * runner): the refusals it makes before any AWS or database call, as the component runs it
 * (`bash -c <script>`, settings only through the environment).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSchemaSyncScript, schemaSyncInterpreter, schemaSyncSettings } from "../../components/schemaSync";

const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-tools-"));
afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

const db = (host: string) => ({ host, port: 5432, database: "crazy_gary", user: "schema_reader" });
const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crazy-gary/prod/postgres/schema_reader-AbCdEf";

function run(env: Record<string, string>) {
  const [interpreter, ...flags] = schemaSyncInterpreter;
  const result = spawnSync(interpreter, [...flags, readSchemaSyncScript()], {
    // An empty PATH: no AWS CLI, no jq (the refusals come before any other tool is needed).
    env: { PATH: empty, ...schemaSyncSettings(db("db-use1.ops.crazy-gary.app"), db("db-use2.dr.ops.crazy-gary.app"), "require", 10), TARGET_PASSWORD: "x".repeat(16), ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe("schema-sync.sh with SOURCE_PASSWORD_SECRET_ARN", () => {
  it("refuses a value that is not a Secrets Manager ARN, exit 64, before any connection", () => {
    const result = run({ SOURCE_PASSWORD_SECRET_ARN: "crazy-gary/prod/postgres/schema_reader" });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("schema-sync: ERROR: SOURCE_PASSWORD_SECRET_ARN='crazy-gary/prod/postgres/schema_reader' is not a Secrets Manager secret ARN");
  });

  it("says which tool is missing where pulumi up runs, exit 64", () => {
    const result = run({ SOURCE_PASSWORD_SECRET_ARN: arn });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("schema-sync: ERROR: SOURCE_PASSWORD_SECRET_ARN is set but 'aws' is not on PATH");
    expect(result.stdout).toBe("");
  });
});
