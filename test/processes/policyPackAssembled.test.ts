/**
 * `npm run policy:pack` as a user runs it before `pulumi policy publish`: the folder it writes
 * holds every module the pack imports (no import leaves the folder), pins the repository's
 * dependency versions, and loads the same policies as `policies/` through ts-node the way the
 * policy analyzer does.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relativeImportsOf } from "../../tools/policyPack/assemble";
import { repositoryRoot } from "../../tools/offline";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
const pack = path.join(dir, "pack");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const npm = (...args: string[]) => spawnSync("npm", args, { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 });
const analyzerLoad = (cwd: string): string[] => {
  const result = spawnSync(process.execPath, [path.join(repositoryRoot, "test/support/policyAnalyzerLoad.js")], { cwd, encoding: "utf8", timeout: 600_000 });
  expect(result.stderr).not.toMatch(/TSError|error TS\d+/);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim());
};

let written: ReturnType<typeof npm>;
beforeAll(() => {
  written = npm("run", "-s", "policy:pack", "--", "--out", pack);
});

const filesUnder = (root: string): string[] =>
  fs.readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(root, f)).isFile());

describe("npm run policy:pack -- --out DIR", () => {
  it("writes the pack and says how to publish it", () => {
    expect(written.stderr).toBe("");
    expect(written.status).toBe(0);
    expect(written.stdout).toContain(`publish with: cd ${pack} && npm install && pulumi policy publish`);
    expect(filesUnder(pack)).toEqual(expect.arrayContaining(["PulumiPolicy.yaml", "index.ts", "package.json", "domain/runbook.ts", "domain/statefulTypes.json"]));
  });

  it("every relative import of every module resolves to a file inside the folder", () => {
    for (const file of filesUnder(pack).filter((f) => f.endsWith(".ts"))) {
      for (const specifier of relativeImportsOf(fs.readFileSync(path.join(pack, file), "utf8"))) {
        const target = path.resolve(path.dirname(path.join(pack, file)), specifier);
        expect(target.startsWith(pack + path.sep), `${file} imports ${specifier}`).toBe(true);
        expect(fs.existsSync(/\.(ts|json)$/.test(target) ? target : `${target}.ts`), `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it("package.json pins the pack's dependencies at the repository's versions", () => {
    const root = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8")).dependencies;
    const manifest = JSON.parse(fs.readFileSync(path.join(pack, "package.json"), "utf8"));
    expect(manifest.dependencies).toEqual({ "@pulumi/policy": root["@pulumi/policy"], "@pulumi/pulumi": root["@pulumi/pulumi"], "@pulumi/aws": root["@pulumi/aws"] });
    expect(manifest.main).toBe("index.ts");
  });

  it("loads the same policies as policies/ through ts-node, as the analyzer loads a published pack", () => {
    // A published pack gets its own `npm install`; here the repository's node_modules stands in for it.
    fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(pack, "node_modules"));
    const assembled = analyzerLoad(pack);
    expect(assembled).toHaveLength(30);
    expect(assembled).toEqual(analyzerLoad(path.join(repositoryRoot, "policies")));
  });

  it("refuses a folder that is not empty, naming it, and writes nothing", () => {
    const before = filesUnder(pack);
    const again = npm("run", "-s", "policy:pack", "--", "--out", pack);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`--out: ${pack} is not empty; give a new or empty folder (nothing was written)`);
    expect(filesUnder(pack)).toEqual(before);
  });
});
