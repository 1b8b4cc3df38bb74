/**
 * The Patroni and etcd files of a host as text: `patroni.yml` from domain/patroniConfig.ts and
 * the etcd member's `--config-file` from domain/etcd.ts, written as YAML with a header that says
 * where they come from. Pure (plain values in, strings out): the component, the mock-engine
 * tests and the real-component harness (dev/patroni) write the very same text.
 */
import { stringify } from "yaml";
import { renderEtcdConfig, type EtcdConfigParams } from "../../domain/etcd";
import { renderPatroniConfig, type PatroniConfigParams } from "../../domain/patroniConfig";

const header = (what: string) =>
  `# ${what}\n# Rendered by the Crazy-Gary DR stack (domain/patroniConfig.ts, domain/etcd.ts); edits on the host are\n# overwritten by the next \`pulumi up\`.\n`;

/** `patroni.yml` of one member. No secret: Patroni reads them from its EnvironmentFile (PATRONI_*). */
export function patroniYaml(params: PatroniConfigParams): string {
  return `${header(`Patroni member ${params.member} of cluster ${params.scope}.`)}${stringify(renderPatroniConfig(params), { lineWidth: 0 })}`;
}

/** The etcd member's `--config-file`. */
export function etcdYaml(params: EtcdConfigParams): string {
  return `${header(`etcd member ${params.self} (Patroni's DCS).`)}${stringify(renderEtcdConfig(params), { lineWidth: 0 })}`;
}

/** pgBackRest's range for a repository index (`repo` option, allow-range [1, 256], src/build/config/config.yaml at release/2.45). */
const MAX_REPO_INDEX = 256;

/**
 * pgBackRest commands Patroni runs, for one config file and stanza.
 * @param localRepo Index of the repository in the host's own region (resolveParams' `localRepo`), 1-256.
 */
export function pgbackrestCommands(pgbackrestConfig: string, stanza: string, localRepo: number) {
  if (!Number.isInteger(localRepo) || localRepo < 1 || localRepo > MAX_REPO_INDEX) {
    throw new Error(`pgbackrestCommands: localRepo is ${localRepo}; use the index (1-${MAX_REPO_INDEX}) of the repository in the host's region`);
  }
  const base = `pgbackrest --config=${pgbackrestConfig} --stanza=${stanza}`;
  return {
    /** `archive_command`: async push to every repository (the rendered pgbackrest.conf). */
    archiveCommand: `${base} archive-push %p`,
    /**
     * `restore_command`: a segment from the host's own region's repository, in the foreground.
     * - `--repo`: without it archive-get asks the repositories in order, so with the other
     *   region's S3 down every call first spends its connect retries there (archive-get takes
     *   `--repo`: src/build/config/config.yaml at release/2.45, option repo, command archive-get).
     *   Both repositories receive every segment (archive-push), so the local one holds them all.
     * - `--no-archive-async`: Patroni runs archive_mode=always, so async archive-push runs on the
     *   same host, and pgBackRest 2.45's async archive-get takes the same archive lock: the
     *   foreground archive-get then waited out archive-timeout per segment (a promotion waited
     *   ~100 s in dev/patroni), pgbackrest/pgbackrest#2423, fixed in 2.59.0 by #2806.
     */
    restoreCommand: `${base} --repo=${localRepo} --no-archive-async archive-get %f "%p"`,
    /** The pgbackrest replica method: the newest backup into the (kept) data directory, changed files only. */
    replicaFromBackupCommand: `${base} --delta restore`,
  };
}
