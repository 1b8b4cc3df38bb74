// Stands in for `pulumi up`'s Node runner: registers ts-node as the runner does (CommonJS,
// type-checked, the project's tsconfig), sets up the mock engine and the stack's config, then
// lets node load `main` and runs the exported function as the root stack. Prints a JSON report.
const path = require("node:path");
const root = path.resolve(__dirname, "../..");
require("ts-node").register({
  project: path.join(root, "tsconfig.json"),
  transpileOnly: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" },
});
const { evaluate } = require("../../tools/offline/evaluate");
const { loadStackConfig } = require("../../tools/offline/stackFiles");
const Module = require("node:module");

const stack = process.env.CRAZY_GARY_STACK || "prod";
const mainPath = path.resolve(process.argv[1]);
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = originalLoad.call(this, request, parent, isMain);
  if (isMain && path.resolve(request) === mainPath) {
    const config = loadStackConfig(stack);
    evaluate(() => exported(), { stack, config: config.engineConfig, secretKeys: config.engineSecretKeys }).then(
      (result) => process.stdout.write(`${JSON.stringify({ outputs: result.outputs, resourceCount: result.resources.length })}\n`),
      (err) => {
        process.stderr.write(`${err.stack}\n`);
        process.exitCode = 1;
      },
    );
  }
  return exported;
};
