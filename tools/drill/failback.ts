/**
 * The flip back after a drill, the documented way (docs/runbooks/failback.md): never straight
 * back (promote.sh refuses a fenced former primary), first rebuild the old primary as a standby
 * of the current one, over SSH on the two hosts (steps 1-2 of the runbook, the same commands),
 * then `pulumi config set activeRegion primary` and `pulumi up`.
 */
import type { RegionRole } from "../../domain/topology";
import { databaseRoleSecretName } from "../../components/databaseRoles";
import type { DrillDatabase, DrillStack } from "./stackAccess";

/** pgBackRest's stanza on every host (components/databaseHost renders it). */
const STANZA = "crazy-gary";

/** One SSH call: where, and the remote command (run by the login shell, `sudo` for root steps). */
export interface RemoteStep {
  role: RegionRole;
  what: string;
  command: string;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * failback.md steps 1 and 2 for rebuilding `old` as a standby of `current`: a backup of the
 * current primary's new timeline, then a delta restore of the old primary as its standby,
 * the fence lifted, PostgreSQL started.
 */
export function failbackSteps(stack: DrillStack, current: RegionRole, old: RegionRole): RemoteStep[] {
  const primary = stack.databases[current];
  const standby = stack.databases[old];
  const appName = stack.regions[old].replace(/[^a-z0-9]/g, "");
  const secret = databaseRoleSecretName(stack.environment, "replicator");
  const conninfo = `primary_conninfo=host=${primary.pgHost} port=${primary.pgPort} user=replicator application_name=${appName} sslmode=require`;
  const pgpassLine = `${primary.pgHost}:${primary.pgPort}:replication:replicator:`;
  return [
    {
      role: current,
      what: "failback.md step 1: the current primary archives and has a full backup of its new timeline",
      command: `sudo -u postgres pgbackrest --stanza=${STANZA} check && sudo -u postgres pgbackrest --stanza=${STANZA} --repo=1 --type=full backup`,
    },
    {
      role: old,
      what: "failback.md step 2: restore the old primary as a standby of the current one, lift the fence, start it",
      command: [
        "set -euo pipefail",
        "sudo systemctl stop postgresql@15-main",
        `aws secretsmanager get-secret-value --region ${stack.regions[current]} --secret-id ${secret} --query SecretString --output text | jq -r ${q(`"${pgpassLine}" + .password`)} | sudo -u postgres tee -a /var/lib/postgresql/.pgpass >/dev/null`,
        "sudo chmod 600 /var/lib/postgresql/.pgpass",
        `sudo -u postgres pgbackrest --stanza=${STANZA} --repo=1 --delta --type=standby --recovery-option=${q(conninfo)} restore`,
        `sudo sed -i '/^# BEGIN crazy-gary fence$/,/^# END crazy-gary fence$/d' /etc/postgresql/15/main/pg_hba.conf`,
        `sudo sed -i '/^default_transaction_read_only/d' ${standby.dataDirectory}/postgresql.auto.conf`,
        "sudo systemctl start postgresql@15-main",
      ].join("\n"),
    },
  ];
}

/** `ssh` arguments for a step (the key file written by the runner, mode 600). */
export function sshArgs(db: Pick<DrillDatabase, "sshHost" | "sshUser" | "sshPort">, keyFile: string): string[] {
  return ["-i", keyFile, "-p", String(db.sshPort), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", `${db.sshUser}@${db.sshHost}`, "bash", "-s"];
}
