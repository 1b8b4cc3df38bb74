/**
 * `npm run pr-comment -- --section TITLE=FILE ... [--marker ID] [--heading TEXT] [--max-chars N]
 * [--artifact-url URL] [--out FILE]`: one pull-request comment from report files, under GitHub's
 * comment limit (the assembly: ../prComment/assemble.ts). preview.yml posts it, one sticky
 * comment per stack, found again by its marker. Flags and help: `prCommentCommand` in ./commands.ts.
 */
import { assembleComment, githubCommentLimit, minimumCommentChars, type CommentSection } from "../prComment/assemble";
import { parseFlags, readInputFile, runCli, UsageError, writeOutput } from "./args";
import { prCommentCommand } from "./commands";

/** `TITLE=FILE` (split at the last `=`, so a title may hold one) read into a section. */
function readSection(spec: string): CommentSection {
  const at = spec.lastIndexOf("=");
  if (at <= 0 || at === spec.length - 1) throw new UsageError(`--section ${JSON.stringify(spec)}: expected TITLE=FILE, e.g. --section "Policy report=reports/policy-prod.md"`);
  const title = spec.slice(0, at);
  const file = spec.slice(at + 1);
  const body = readInputFile(`--section ${JSON.stringify(spec)}`, file, "give a report file that exists");
  return { title, body, kind: file.endsWith(".md") ? "markdown" : "code" };
}

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), prCommentCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; did you mean --section "TITLE=${flags.positional[0]}"?`);
    const specs = flags.values.section ?? [];
    if (specs.length === 0) throw new UsageError('--section: required, at least one; e.g. --section "Policy report=reports/policy-prod.md"');
    const maxText = flags.values["max-chars"]?.[0];
    const maxChars = maxText === undefined ? githubCommentLimit : Number(maxText);
    if (!Number.isInteger(maxChars) || maxChars < minimumCommentChars || maxChars > githubCommentLimit) {
      throw new UsageError(`--max-chars: ${JSON.stringify(maxText)} is not allowed; use a whole number from ${minimumCommentChars} to ${githubCommentLimit} (GitHub's limit)`);
    }
    const artifactUrl = flags.values["artifact-url"]?.[0];
    if (artifactUrl !== undefined && artifactUrl !== "" && !/^https:\/\//.test(artifactUrl)) throw new UsageError(`--artifact-url: ${JSON.stringify(artifactUrl)} is not an https URL`);
    const { body } = assembleComment(specs.map(readSection), {
      marker: flags.values.marker?.[0] ?? "crazy-gary-preview",
      heading: flags.values.heading?.[0] ?? "Preview",
      maxChars,
      artifactUrl: artifactUrl || undefined,
    });
    writeOutput(body, flags.values.out?.[0]);
    return 0;
  },
  () => false,
  prCommentCommand,
);
