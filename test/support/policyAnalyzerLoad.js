// Stands in for `pulumi preview --policy-pack policies`: registers ts-node the way the
// policy analyzer does (run-policy-pack: type-checked, cwd = the pack, no tsconfig there so
// skipProject, its default compiler options), then loads the pack's policy list. It stops
// short of `index.ts`, whose `new PolicyPack` starts a gRPC server. Prints the policy names.
const fs = require("node:fs");
const path = require("node:path");
const tsConfigPath = "tsconfig.json";
require(require.resolve("ts-node", { paths: [process.cwd()] })).register({
  typeCheck: true,
  skipProject: !fs.existsSync(tsConfigPath),
  compiler: require.resolve("typescript", { paths: [process.cwd()] }),
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" },
});
const { createPolicies } = require(path.join(process.cwd(), "policies.ts"));
process.stdout.write(`${JSON.stringify(createPolicies().map((p) => p.name))}\n`);
