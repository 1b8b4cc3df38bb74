/**
 * `npm run docs`: writes docs/reference/ (config, alarms, metric contract, policies, cost) from the
 * code, and the excerpt of real output in docs/guides/cost.md. Deterministic: the same code gives byte-identical files, which `test/docs.test.ts`
 * compares with the committed ones.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repositoryRoot } from "../../tools/offline/stackFiles";
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { docsCommand } from "../../tools/cli/commands";
import { costGuideFile, renderCostDocs } from "./costReference";
import { renderReferenceDocs } from "./reference";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), docsCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; npm run docs takes no arguments`);
  const docs = { ...renderReferenceDocs(), ...(await renderCostDocs(readFileSync(path.join(repositoryRoot, costGuideFile), "utf8"))) };
  for (const [file, content] of Object.entries(docs)) {
    const target = path.join(repositoryRoot, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}, () => false, docsCommand);
