/**
 * The environment the stack gives schema-sync.sh (components/schemaSync/index.ts), run against two
 * real PostgreSQL 15 servers with scram password auth: the `schemaVersion` a stack exports is
 * the version the sync prints, and the dr stack's sync reads prod with the operator's libpq
 * password file (no prod password in the dr stack) and writes dr with dr's own password.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseSchemaVersion,
  readSchemaSyncScript,
  schemaSyncInterpreter,
  schemaSyncSettings,
  schemaVersionSettings,
  type DatabaseAddress,
} from "../../components/schemaSync";
import { LOOPBACK, PgSandbox, type PgNode } from "../../dev/postgres/cluster";
import { runCommand, type CommandResult } from "../../tools/process/exec";

const PROD_PASSWORD = "prod-Only-Secret-4d1f";
const DR_PASSWORD = "dr-Only-Secret-77ab";
const DATABASE = "crazy_gary";

let sandbox: PgSandbox;
let prod: PgNode;
let dr: PgNode;
let scratch: string;

const address = (node: PgNode): DatabaseAddress => ({ host: LOOPBACK, port: node.port, database: DATABASE, user: "postgres" });

/** Runs the script as the component's command does: `bash -c <script text>`, settings through the environment. */
function runScript(env: Record<string, string | undefined>): Promise<CommandResult> {
  const [interpreter, ...flags] = schemaSyncInterpreter;
  return runCommand(interpreter, [...flags, readSchemaSyncScript()], { env: { PGPASSFILE: path.join(scratch, "none"), ...env } });
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "schema-sync-env-"));
  sandbox = await PgSandbox.create("schemasyncenv");
  [prod, dr] = await Promise.all([
    sandbox.initPrimary({ name: "prod", superuserPassword: PROD_PASSWORD }),
    sandbox.initPrimary({ name: "dr", superuserPassword: DR_PASSWORD }),
  ]);
  await Promise.all([prod.createDatabase(DATABASE), dr.createDatabase(DATABASE)]);
  await prod.sql("CREATE TABLE public.tasks (id bigint PRIMARY KEY, title text NOT NULL); INSERT INTO public.tasks VALUES (1, 'prod row')", { database: DATABASE });
});
afterAll(async () => {
  await sandbox?.destroy();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the schema sync environment the stack declares", () => {
  let exported: string;

  it("version mode (prod's schemaVersion output) prints a version the stack can parse", async () => {
    const result = await runScript({ ...schemaVersionSettings(address(prod), "disable", 10), SOURCE_PASSWORD: PROD_PASSWORD });
    expect(result.code, result.stderr).toBe(0);
    exported = parseSchemaVersion(result.stdout);
    expect(exported).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.stdout + result.stderr).not.toContain(PROD_PASSWORD);
  });

  it("without prod's password in the environment and no password file, reading prod fails and nothing is printed secret", async () => {
    const result = await runScript({ ...schemaSyncSettings(address(prod), address(dr), "disable", 10), TARGET_PASSWORD: DR_PASSWORD });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/password authentication failed|no password supplied/);
    expect(await dr.sql("SELECT to_regclass('public.tasks') IS NULL", { database: DATABASE })).toEqual([["t"]]);
    expect(result.stdout + result.stderr).not.toContain(DR_PASSWORD);
  });

  it("with prod's credential in the operator's password file, the sync applies the version prod exported", async () => {
    const passfile = path.join(scratch, "pgpass");
    fs.writeFileSync(passfile, `${LOOPBACK}:${prod.port}:${DATABASE}:postgres:${PROD_PASSWORD}\n`, { mode: 0o600 });
    const result = await runScript({ ...schemaSyncSettings(address(prod), address(dr), "disable", 10), TARGET_PASSWORD: DR_PASSWORD, PGPASSFILE: passfile });
    expect(result.code, result.stderr).toBe(0);
    expect(parseSchemaVersion(result.stdout)).toBe(exported);
    expect(await dr.sql("SELECT count(*) FROM public.tasks", { database: DATABASE })).toEqual([["0"]]);
    expect(result.stdout + result.stderr).not.toContain(PROD_PASSWORD);
    expect(result.stdout + result.stderr).not.toContain(DR_PASSWORD);
  });
});
