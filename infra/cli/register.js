// Loads TypeScript for the command-line tools without type-checking (npm test type-checks).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "../../tsconfig.json") });
// The Pulumi SDK captures a stack trace for every promise it makes (for its leak report), and
// ts-node maps each back to TypeScript: together half of a plan's time. The tools print
// messages, not traces, for the errors users cause; CRAZY_GARY_TRACES=1 brings traces back.
Error.prepareStackTrace = undefined;
if (!process.env.CRAZY_GARY_TRACES) Error.stackTraceLimit = 0;
