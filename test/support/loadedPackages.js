// Preload for a CLI test (`node -r ./test/support/loadedPackages.js ...`): when the process exits,
// writes to stderr one line naming the packages whose files were loaded from node_modules one by
// one (not from a bundle).
"use strict";
process.once("exit", () => {
  const names = Object.keys(require.cache).flatMap((file) => {
    const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    return match ? [match[1].replace("\\", "/")] : [];
  });
  process.stderr.write(`[loaded packages] ${[...new Set(names)].sort().join(", ")}\n`);
});
