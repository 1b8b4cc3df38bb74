// Loads TypeScript for the command-line tools without type-checking (npm test type-checks).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "../../tsconfig.json") });
