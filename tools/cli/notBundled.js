// What the CLI bundles (./build.js) hold in place of the TypeScript compiler and npm's Arborist:
// @pulumi/pulumi requires them when it loads, for function serialisation and `computeCodePaths`,
// which no tool here calls (an offline plan runs under the mock engine). Left out, ~10 MB less
// to load on every run. A tool that came to call either fails there (`ts.createSourceFile is not
// a function`): then drop the `alias` in ./build.js.
"use strict";
module.exports = {};
