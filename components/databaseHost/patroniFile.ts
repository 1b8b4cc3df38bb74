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

/** pgBackRest commands Patroni runs, for one config file and stanza. */
export function pgbackrestCommands(pgbackrestConfig: string, stanza: string) {
  const base = `pgbackrest --config=${pgbackrestConfig} --stanza=${stanza}`;
  return {
    /** `archive_command`: async push to every repository (the rendered pgbackrest.conf). */
    archiveCommand: `${base} archive-push %p`,
    /** `restore_command`: a segment from the first repository that has it. */
    restoreCommand: `${base} archive-get %f "%p"`,
    /** The pgbackrest replica method: the newest backup into the (kept) data directory, changed files only. */
    replicaFromBackupCommand: `${base} --delta restore`,
  };
}
