// Loads TypeScript for the command-line tools without type-checking (npm test type-checks).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "../../tsconfig.json") });
// ts-node maps every stack trace back to TypeScript, and the Pulumi SDK makes one per promise:
// a third of a plan's time. The tools' traces stay unmapped.
Error.prepareStackTrace = undefined;
