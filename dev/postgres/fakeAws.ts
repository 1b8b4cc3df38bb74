/** The AWS CLI at the PATH boundary of the host scripts: a recorder with answers the test sets. */
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PgSandbox } from "./sandbox";
import { writeOwnedFile } from "./serverTools";

/**
 * Records every `aws` call the scripts make, one file per call with one argument per line.
 * `aws ssm ...` calls answer from a file the test sets with {@link FakeAws.answerSsm}: the
 * value (as `--output text` prints it), or a failure as a partition or an outage gives.
 * `aws secretsmanager get-secret-value --secret-id NAME ...` prints the secret string the test
 * stored with {@link FakeAws.storeSecret} (as `--query SecretString --output text` prints it),
 * or fails as Secrets Manager does for a secret that does not exist.
 */
export class FakeAws {
  private constructor(
    /** Folder put first on the scripts' PATH; holds the fake `aws`. */
    readonly binDir: string,
    private readonly callsDir: string,
  ) {}

  static async install(sandbox: PgSandbox, name: string): Promise<FakeAws> {
    const binDir = await sandbox.makeDir(`${name}/fake-aws-bin`);
    const callsDir = await sandbox.makeDir(`${name}/fake-aws-calls`);
    const script = [
      "#!/bin/sh",
      "# Test stand-in for the AWS CLI: records its arguments and succeeds.",
      `file="${callsDir}/$(date +%s%N)-$$"`,
      `printf '%s\\n' "$@" > "$file"`,
      'if [ "$1" = ssm ]; then',
      `  answer=$(cat "${callsDir}/../ssm-answer" 2>/dev/null || true)`,
      '  case "$answer" in',
      '    fail:*) printf \'%s\\n\' "${answer#fail:}" >&2; exit 255 ;;',
      '    "") echo "An error occurred (ParameterNotFound) when calling the GetParameter operation" >&2; exit 254 ;;',
      '    *) printf \'%s\\n\' "$answer" ;;',
      '  esac',
      "fi",
      'if [ "$1" = secretsmanager ]; then',
      '  id=""; previous=""',
      '  for arg in "$@"; do [ "$previous" = --secret-id ] && id="$arg"; previous="$arg"; done',
      `  file="${callsDir}/../secrets/$(printf '%s' "$id" | tr '/' '_')"`,
      '  if [ -n "$id" ] && [ -r "$file" ]; then cat "$file"; exit 0; fi',
      '  echo "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can\'t find the specified secret." >&2',
      "  exit 254",
      "fi",
      "",
    ].join("\n");
    await writeOwnedFile(join(binDir, "aws"), script, 0o755);
    await sandbox.makeDir(`${name}/secrets`);
    return new FakeAws(binDir, callsDir);
  }

  /** What the next `aws ssm get-parameter` calls print: a value, or `{ fail }` (exit 255 with that message). */
  async answerSsm(answer: string | { fail: string }): Promise<void> {
    const text = typeof answer === "string" ? answer : `fail:${answer.fail}`;
    await writeOwnedFile(join(this.binDir, "..", "ssm-answer"), `${text}\n`, 0o644);
  }

  /** Stores the secret string that `aws secretsmanager get-secret-value --secret-id <name>` prints (mode 0600). */
  async storeSecret(name: string, secretString: string): Promise<void> {
    await writeOwnedFile(join(this.binDir, "..", "secrets", name.replace(/\//g, "_")), `${secretString}\n`, 0o600);
  }

  /** Forgets a stored secret: reading it then fails as for a secret that does not exist. */
  async removeSecret(name: string): Promise<void> {
    await rm(join(this.binDir, "..", "secrets", name.replace(/\//g, "_")), { force: true });
  }

  /** Every call so far, oldest first, each as its argument list. */
  async calls(): Promise<string[][]> {
    const names = (await readdir(this.callsDir)).sort();
    return Promise.all(names.map(async (name) => (await readFile(join(this.callsDir, name), "utf8")).replace(/\n$/, "").split("\n")));
  }

  /** Forgets the calls so far. */
  async clear(): Promise<void> {
    for (const name of await readdir(this.callsDir)) await rm(join(this.callsDir, name));
  }
}

/** A `put-metric-data` call, decoded. */
export interface MetricCall {
  region: string;
  namespace: string;
  data: { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value: number; Unit: string }[];
}

/** Decodes `aws cloudwatch put-metric-data --region R --namespace N --metric-data JSON`; throws on any other call. */
export function decodeMetricCall(args: readonly string[]): MetricCall {
  const [service, operation, ...rest] = args;
  if (service !== "cloudwatch" || operation !== "put-metric-data" || rest.length !== 6) {
    throw new Error(`unexpected aws call: aws ${args.join(" ")}`);
  }
  const option = (flag: string) => {
    const at = rest.indexOf(flag);
    if (at < 0 || at % 2 !== 0) throw new Error(`aws call without ${flag}: aws ${args.join(" ")}`);
    return rest[at + 1]!;
  };
  return { region: option("--region"), namespace: option("--namespace"), data: JSON.parse(option("--metric-data")) };
}
