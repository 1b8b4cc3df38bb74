/**
 * A plain-text report as markdown for a CI job summary or a pull-request comment: its first line
 * as a heading, the rest in a code fence that nothing in the text can close. Pure.
 */

/** A fence longer than any backtick run in `body`, so the text cannot close it. */
export function codeFence(body: string): string {
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(longest + 1);
}

/** `### <first line>`, a blank line, then the other lines fenced (blank lines around them dropped). */
export function fencedReport(text: string): string {
  const [title, ...rest] = text.replace(/\n+$/, "").split("\n");
  const body = rest.join("\n").replace(/^\n+/, "");
  const fence = codeFence(body);
  return [`### ${title}`, "", fence, body, fence].join("\n");
}
