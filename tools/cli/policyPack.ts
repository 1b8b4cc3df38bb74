/**
 * `npm run policy:pack -- --out DIR`: writes the self-contained policy pack
 * (tools/policyPack/assemble.ts) into DIR, ready for `cd DIR && npm install && pulumi policy publish`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../offline/stackFiles";
import { assemblePolicyPack } from "../policyPack/assemble";
import { fromInvocationFolder, parseFlags, runCli, UsageError } from "./args";
import { policyPackCommand } from "./commands";

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), policyPackCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; use --out DIR`);
    const outGiven = flags.values.out?.[0];
    if (!outGiven) throw new UsageError("--out: required; e.g. npm run policy:pack -- --out dist/policy-pack");
    const out = fromInvocationFolder(outGiven);
    if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
      throw new UsageError(`--out: ${out} is not empty; give a new or empty folder (nothing was written)`);
    }
    const files = assemblePolicyPack({
      policyFiles: fs.readdirSync(path.join(repositoryRoot, "policies")).filter((f) => fs.statSync(path.join(repositoryRoot, "policies", f)).isFile()),
      readFile: (file) => fs.readFileSync(path.join(repositoryRoot, file), "utf8"),
      dependencies: JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8")).dependencies,
    });
    for (const [file, text] of files) {
      fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
      fs.writeFileSync(path.join(out, file), text);
    }
    process.stdout.write(`${files.size} files written to ${out}; publish with: cd ${out} && npm install && pulumi policy publish <org>\n`);
    return 0;
  },
  () => false,
  policyPackCommand,
);
