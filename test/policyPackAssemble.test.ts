import { describe, expect, it } from "vitest";
import { assemblePolicyPack } from "../tools/policyPack/assemble";

const source = (files: Record<string, string>, dependencies: Record<string, string> = { "@pulumi/policy": "1.0.0", "@pulumi/pulumi": "3.0.0", "@pulumi/aws": "7.0.0" }) => ({
  policyFiles: Object.keys(files).filter((f) => f.startsWith("policies/")).map((f) => f.slice("policies/".length)),
  readFile: (path: string) => {
    if (path === "policies/package.json") return '{"name":"pack","main":"index.ts"}';
    if (!(path in files)) throw new Error(`no ${path}`);
    return files[path]!;
  },
  dependencies,
});

describe("assemblePolicyPack", () => {
  it("moves ../domain/ imports to ./domain/ and copies the domain modules they reach, transitively", () => {
    const files = assemblePolicyPack(
      source({
        "policies/index.ts": 'import { a } from "../domain/a";\nimport { local } from "./local";\n',
        "policies/local.ts": "export const local = 1;\n",
        "domain/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
        "domain/b.ts": 'import data from "./data.json";\nexport const b = data;\n',
        "domain/data.json": "{}",
        "domain/unused.ts": "export {};\n",
      }),
    );
    expect(files.get("index.ts")).toBe('import { a } from "./domain/a";\nimport { local } from "./local";\n');
    expect([...files.keys()].sort()).toEqual(["domain/a.ts", "domain/b.ts", "domain/data.json", "index.ts", "local.ts", "package.json"]);
    expect(JSON.parse(files.get("package.json")!).dependencies).toEqual({ "@pulumi/policy": "1.0.0", "@pulumi/pulumi": "3.0.0", "@pulumi/aws": "7.0.0" });
  });

  it("refuses a policy that imports from outside policies/ and domain/, naming the module", () => {
    expect(() => assemblePolicyPack(source({ "policies/index.ts": 'import { x } from "../infra/config";\n' }))).toThrow(
      "infra/config.ts: imported by the policy pack but outside policies/ and domain/",
    );
  });

  it("refuses when a dependency the pack needs is not pinned by the repository", () => {
    expect(() => assemblePolicyPack(source({ "policies/index.ts": "" }, { "@pulumi/policy": "1.0.0" }))).toThrow("package.json: @pulumi/pulumi is not a dependency");
  });
});
