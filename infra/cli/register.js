// Loads TypeScript for the command-line tools without type-checking (npm test type-checks).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "../../tsconfig.json") });
// ts-node maps every stack trace back to TypeScript; the Pulumi SDK captures one per promise,
// which made that mapping a third of a plan's time. The tools' stack traces stay unmapped.
Error.prepareStackTrace = undefined;
