/**
 * `npm run docs`: writes docs/reference/ (config, alarms, metric contract, policies, cost) from the
 * code, the excerpt of real output in docs/guides/cost.md, and every excerpt a doc asks for with a
 * `<!-- npm run docs runs: COMMAND -->` marker (./excerpts.ts), by running the command, and the
 * saved `pulumi preview --json` files the failover workflow's guard is tested on
 * (../fixtures/previewDigest.ts).
 * Deterministic: the same code gives byte-identical files, which `test/docs.test.ts` and
 * `test/processes/docsExcerpts.test.ts` compare with the committed ones.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repositoryRoot } from "../../tools/offline/stackFiles";
import { parseFlags, runCli, UsageError } from "../../tools/cli/args";
import { docsCommand } from "../../tools/cli/commands";
import { costGuideFile, renderCostDocs } from "./costReference";
import { renderExcerptDocs } from "./excerpts";
import { renderReferenceDocs } from "./reference";
import { fixtureText, previewFixtures } from "../fixtures/previewDigest";
import { planStack } from "../../tools/offline/plan";

runCli(async () => {
  const flags = parseFlags(process.argv.slice(2), docsCommand);
  if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; npm run docs takes no arguments`);
  const docs = { ...renderReferenceDocs(), ...(await renderCostDocs(readFileSync(path.join(repositoryRoot, costGuideFile), "utf8"))) };
  for (const [file, content] of Object.entries(docs)) write(file, content);
  for (const fixture of previewFixtures) write(fixture.file, await fixtureText(fixture, (stack, set) => planStack(stack, { set: [...set] })));
  // The excerpts run the tools as a user does, reading the docs just written.
  for (const [file, content] of Object.entries(renderExcerptDocs(repositoryRoot))) write(file, content);
  return 0;
}, () => false, docsCommand);

function write(file: string, content: string): void {
  const target = path.join(repositoryRoot, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
  process.stdout.write(`wrote ${file}\n`);
}
